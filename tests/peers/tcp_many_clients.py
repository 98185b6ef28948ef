#!/usr/bin/env python3
"""Many concurrent TCP clients against an echo server.

Opens --count non-blocking connections to HOST PORT at once (selectors), each
sends its own message 'client NNN <random hex>\\n' and reads until as many
bytes came back. Prints 'connected N' when every connection is up, then
'mismatch I HEX' for each client whose echo differs, then 'echoed N' (the
number of exact echoes). All connections stay open until a 'close' line (or
end of input) on stdin; then they are closed and 'closed' is printed. Gives up
after --timeout seconds with 'timeout connected=C echoed=E' (exit status 1)."""
import os
import selectors
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(host=False, timeout=30.0)
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--count", type=int, default=200)
args = parser.parse_args()

family = peerlib.family_of(args.host)
selector = selectors.DefaultSelector()


def give_up():
    peerlib.say("timeout connected=%d echoed=%d" % (connected, echoed))
    sys.exit(1)


deadline = peerlib.Deadline(args.timeout, give_up)


class Client:
    def __init__(self, index):
        self.index = index
        self.message = ("client %03d %s\n" % (index, os.urandom(8).hex())).encode()
        self.unsent = self.message
        self.echo = b""
        self.connected = False
        self.done = False
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex((args.host, args.port))
        selector.register(self.sock, selectors.EVENT_WRITE, self)


clients = [Client(i) for i in range(args.count)]
connected = 0
finished = 0
echoed = 0


while finished < len(clients):
    for key, events in selector.select(deadline.left()):
        client = key.data
        if not client.connected:
            error = client.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error != 0:
                peerlib.say("error", client.index, os.strerror(error))
                sys.exit(1)
            client.connected = True
            connected += 1
            if connected == len(clients):
                peerlib.say("connected", connected)
        if events & selectors.EVENT_WRITE and client.unsent:
            sent = client.sock.send(client.unsent)
            client.unsent = client.unsent[sent:]
            if not client.unsent:
                selector.modify(client.sock, selectors.EVENT_READ, client)
        if events & selectors.EVENT_READ:
            data = client.sock.recv(65536)
            client.echo += data
            if not data or len(client.echo) >= len(client.message):
                selector.unregister(client.sock)
                client.done = True
                finished += 1
                if client.echo == client.message:
                    echoed += 1
                else:
                    peerlib.say("mismatch", client.index, client.echo.hex())

peerlib.say("echoed", echoed)

# Hold every connection open until told to close, so the server can be seen
# holding all of them at once.
peerlib.wait_for_input(deadline, lambda data: b"close" in data)
for client in clients:
    client.sock.close()
peerlib.say("closed")

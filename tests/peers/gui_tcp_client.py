#!/usr/bin/env python3
"""TCP client peer for the widget tests.

Connects to HOST PORT with TCP_NODELAY, so each 'send' leaves as its own
segment, and prints 'local PORT' (its own port) or 'error NAME' (exit 1).
Commands on stdin, one per line:
  send HEX   send these bytes; prints 'sent N'
  close      close cleanly, print 'closed', exit
Whatever the server sends is printed as 'got HEX'. Exits at the end of stdin
or after --timeout seconds ('timeout', exit status 1)."""
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(host=False, timeout=60.0)
parser.add_argument("host")
parser.add_argument("port", type=int)
args = parser.parse_args()

sock = peerlib.connect(args.host, args.port, 10.0)


def command(line):
    verb, _, rest = line.partition(" ")
    if verb == "send":
        data = bytes.fromhex(rest)
        sock.sendall(data)
        peerlib.say("sent", len(data))
    elif verb == "close":
        sock.close()
        peerlib.say("closed")
        sys.exit(0)
    else:
        peerlib.say("error unknown command", verb)


def on_sock(_):
    data = peerlib.receive(sock)
    if not data:
        peerlib.say("eof")
        loop.forget(sock)
        return
    peerlib.say("got", data.hex())


loop = peerlib.Loop(peerlib.Deadline(args.timeout), command)
loop.watch(sock, on_sock)
loop.run()

#!/usr/bin/env python3
"""TCP client peer for the TCP session tests.

Connects to HOST PORT with TCP_NODELAY and prints 'local PORT' (its own port),
or 'error NAME' and exits 1 when the connection fails. Then one line per event:
  got HEX     bytes from the server, as they arrive
  eof         the server closed its side
  reset       the server reset the connection
Commands on stdin, one per line:
  send HEX       send these bytes (one segment: TCP_NODELAY is on)
  sendclose HEX  send the bytes and close at once (they travel with the FIN),
                 print 'closed', exit
  pause          stop reading (the server's data piles up); prints 'paused'
  close          close cleanly (FIN), print 'closed', exit
  reset          close with SO_LINGER 0 (RST), print 'closed', exit
Exits on end of stdin, or after --timeout seconds ('timeout', exit status 1)."""
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(host=False, timeout=30.0)
parser.add_argument("host")
parser.add_argument("port", type=int)
args = parser.parse_args()

sock = peerlib.connect(args.host, args.port, min(args.timeout, 10.0))


def finish(linger_zero):
    if linger_zero:
        peerlib.linger_zero(sock)
    sock.close()
    peerlib.say("closed")
    sys.exit(0)


def command(line):
    if not loop.connection_command(line, sock, finish):
        peerlib.say("error unknown command", line.partition(" ")[0])


def on_sock(_):
    data = peerlib.receive(sock)
    if data:
        peerlib.say("got", data.hex())
        return
    peerlib.say("eof" if data is not None else "reset")
    loop.forget(sock)


loop = peerlib.Loop(peerlib.Deadline(args.timeout), command)
loop.watch(sock, on_sock)
loop.run()

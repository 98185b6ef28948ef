#!/usr/bin/env python3
"""TCP sink peer for the file and periodic sender tests.

Listens on --host (default 127.0.0.1) port 0 and prints 'port N', accepts one
connection and prints 'accepted PORT' (the client's port). With --hold it
does not read until a line 'read' comes on stdin (end of stdin counts too);
its receive buffer is kept small (--rcvbuf, default 64 KiB) so the sender
feels the back-pressure soon. It prints 'reading' when it starts to read, then
reads until --bytes B have come or the client closes, and prints
  total BYTES SHA256
  data HEX                 with --hex only ('-' when nothing came)
  end REASON               bytes or eof
and exits 0; after --timeout seconds it prints 'timeout' and exits 1."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=120.0)
parser.add_argument("--bytes", type=int, default=0)
parser.add_argument("--hold", action="store_true")
parser.add_argument("--hex", action="store_true")
parser.add_argument("--rcvbuf", type=int, default=64 * 1024)
args = parser.parse_args()

deadline = peerlib.Deadline(args.timeout)
small = [(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)] if args.hold else []
listener = peerlib.bound(args.host, socket.SOCK_STREAM, options=small, backlog=1)
conn = peerlib.accept_one(listener, deadline)
if args.hold:
    peerlib.wait_for_line(deadline)
peerlib.say("reading")

reader = peerlib.Reader(conn, deadline, keep=args.hex)
reason = reader.read_to_end(args.bytes)
reader.say_total()
if args.hex:
    peerlib.say("data", reader.kept.hex() or "-")
peerlib.say("end", reason)
conn.close()

#!/usr/bin/env python3
"""A TCP peer that misbehaves the way broken devices do, for the fault tests
(stdlib only). It listens on --host port 0 and prints 'port N', then
'accepted PORT' for its one client; or with --connect HOST:PORT it connects
and prints 'connected PORT' (its own port). Then, by --mode:

  reset       reads until --after bytes have come, then closes with
              SO_LINGER 0 (an RST, while the other side is still sending)
              and prints 'reset after BYTES'
  half-close  sends --request TEXT (if any) and then --request-size bytes
              of 'y' (if any), shuts its sending side
              (shutdown(SHUT_WR): a FIN) and prints 'half-closed'; then
              still reads, until --bytes B have come or the other side
              closes
  stall       reads nothing, with a small receive buffer (--rcvbuf), until
              a line 'read' comes on standard input (or it ends); prints
              'reading' and reads until --bytes B have come or the other
              side closes

After reading it prints
  total BYTES SHA256
  end REASON               bytes, eof or reset
and exits 0; after --timeout seconds it prints 'timeout' and exits 1.
"""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=60.0)
parser.add_argument("--mode", required=True, choices=("reset", "half-close", "stall"))
parser.add_argument("--connect", help="HOST:PORT to connect to instead of listening")
parser.add_argument("--after", type=int, default=0, help="reset: bytes to read first")
parser.add_argument("--request", default="", help="half-close: text sent before the FIN")
parser.add_argument("--request-size", type=int, default=0, help="half-close: and this many 'y'")
parser.add_argument("--bytes", type=int, default=0, help="stop reading after this many")
parser.add_argument("--rcvbuf", type=int, default=64 * 1024, help="stall: receive buffer")
args = parser.parse_args()

deadline = peerlib.Deadline(args.timeout)
# Set before listen() or connect(), so that the window it offers stays small.
small = [(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)] if args.mode == "stall" else []

if args.connect:
    host, port = peerlib.split_address(args.connect)
    conn = socket.socket(peerlib.family_of(host), socket.SOCK_STREAM)
    for option in small:
        conn.setsockopt(*option)
    conn.settimeout(deadline.left())
    conn.connect((host, port))
    peerlib.say("connected", conn.getsockname()[1])
else:
    listener = peerlib.bound(args.host, socket.SOCK_STREAM, options=small, backlog=1)
    conn = peerlib.accept_one(listener, deadline)

reader = peerlib.Reader(conn, deadline)


def read_to_end():
    reason = reader.read_to_end(args.bytes)
    reader.say_total()
    peerlib.say("end", reason)


if args.mode == "reset":
    while reader.received < args.after:
        chunk = reader.read_some(min(1 << 16, args.after - reader.received))
        if not chunk:
            reader.say_total()
            peerlib.say("end", "eof" if chunk is not None else "reset")
            sys.exit(0)
    peerlib.linger_zero(conn)
    conn.close()
    peerlib.say("reset after", reader.received)
elif args.mode == "half-close":
    request = args.request.encode() + b"y" * args.request_size
    if request:
        conn.settimeout(deadline.left())
        conn.sendall(request)
    conn.shutdown(socket.SHUT_WR)
    peerlib.say("half-closed")
    read_to_end()
    conn.close()
else:
    peerlib.wait_for_line(deadline)
    peerlib.say("reading")
    read_to_end()
    conn.close()

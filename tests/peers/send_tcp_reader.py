#!/usr/bin/env python3
"""TCP client peer for the file sender tests: connects to --host --port,
prints 'connected PORT' (its own port), reads until --bytes B have come or the
server closes, then prints
  total BYTES SHA256
  end REASON               bytes or eof
and exits 0; after --timeout seconds it prints 'timeout' and exits 1."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=60.0)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--bytes", type=int, default=0)
args = parser.parse_args()

deadline = peerlib.Deadline(args.timeout)
conn = socket.socket(peerlib.family_of(args.host), socket.SOCK_STREAM)
conn.settimeout(args.timeout)
conn.connect((args.host, args.port))
peerlib.say("connected", conn.getsockname()[1])

reader = peerlib.Reader(conn, deadline)
reason = reader.read_to_end(args.bytes)
reader.say_total()
peerlib.say("end", reason)
conn.close()

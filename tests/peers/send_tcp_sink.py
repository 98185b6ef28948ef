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
import argparse
import hashlib
import selectors
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--bytes", type=int, default=0)
parser.add_argument("--hold", action="store_true")
parser.add_argument("--hex", action="store_true")
parser.add_argument("--rcvbuf", type=int, default=64 * 1024)
parser.add_argument("--timeout", type=float, default=120.0)
args = parser.parse_args()

deadline = time.monotonic() + args.timeout


def left():
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        print("timeout", flush=True)
        sys.exit(1)
    return remaining


family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
listener = socket.socket(family, socket.SOCK_STREAM)
if args.hold:
    # Set before listen() so the accepted socket inherits it.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
listener.bind((args.host, 0))
listener.listen(1)
print("port", listener.getsockname()[1], flush=True)
listener.settimeout(left())
try:
    conn, source = listener.accept()
except socket.timeout:
    print("timeout", flush=True)
    sys.exit(1)
listener.close()
print("accepted", source[1], flush=True)

if args.hold:
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    line = b""
    while not line.endswith(b"\n"):
        if not selector.select(left()):
            continue
        chunk = sys.stdin.buffer.raw.read(64)
        if not chunk:
            break
        line += chunk
print("reading", flush=True)

digest = hashlib.sha256()
received = 0
kept = bytearray()
reason = "eof"
while not args.bytes or received < args.bytes:
    conn.settimeout(left())
    try:
        chunk = conn.recv(1 << 20)
    except socket.timeout:
        continue
    if not chunk:
        break
    received += len(chunk)
    digest.update(chunk)
    if args.hex:
        kept += chunk
else:
    reason = "bytes"
print("total", received, digest.hexdigest(), flush=True)
if args.hex:
    print("data", kept.hex() or "-", flush=True)
print("end", reason, flush=True)
conn.close()

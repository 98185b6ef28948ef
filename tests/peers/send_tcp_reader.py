#!/usr/bin/env python3
"""TCP client peer for the file sender tests: connects to --host --port,
prints 'connected PORT' (its own port), reads until --bytes B have come or the
server closes, then prints
  total BYTES SHA256
  end REASON               bytes or eof
and exits 0; after --timeout seconds it prints 'timeout' and exits 1."""
import argparse
import hashlib
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--bytes", type=int, default=0)
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

deadline = time.monotonic() + args.timeout
family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
conn = socket.socket(family, socket.SOCK_STREAM)
conn.settimeout(args.timeout)
conn.connect((args.host, args.port))
print("connected", conn.getsockname()[1], flush=True)

digest = hashlib.sha256()
received = 0
reason = "eof"
while not args.bytes or received < args.bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        print("timeout", flush=True)
        sys.exit(1)
    conn.settimeout(remaining)
    try:
        chunk = conn.recv(1 << 20)
    except socket.timeout:
        continue
    if not chunk:
        break
    received += len(chunk)
    digest.update(chunk)
else:
    reason = "bytes"
print("total", received, digest.hexdigest(), flush=True)
print("end", reason, flush=True)
conn.close()

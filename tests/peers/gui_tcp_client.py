#!/usr/bin/env python3
"""TCP client peer for the widget tests.

Connects to HOST PORT with TCP_NODELAY, so each 'send' leaves as its own
segment, and prints 'local PORT' (its own port) or 'error NAME' (exit 1).
Commands on stdin, one per line:
  send HEX   send these bytes; prints 'sent N'
  close      close cleanly, print 'closed', exit
Whatever the server sends is printed as 'got HEX'. Exits at the end of stdin
or after --timeout seconds ('timeout', exit status 1)."""
import argparse
import errno
import os
import selectors
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
sock.settimeout(10.0)
try:
    sock.connect((args.host, args.port))
except OSError as error:
    print("error", errno.errorcode.get(error.errno or 0, str(error)), flush=True)
    sys.exit(1)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.settimeout(None)
print("local", sock.getsockname()[1], flush=True)

selector = selectors.DefaultSelector()
selector.register(sock, selectors.EVENT_READ, "sock")
selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
pending = b""
deadline = time.monotonic() + args.timeout

while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        print("timeout", flush=True)
        sys.exit(1)
    for key, _ in selector.select(remaining):
        if key.data == "stdin":
            chunk = os.read(sys.stdin.fileno(), 4096)
            if not chunk:
                sys.exit(0)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                verb, _, rest = line.decode().strip().partition(" ")
                if verb == "send":
                    data = bytes.fromhex(rest)
                    sock.sendall(data)
                    print("sent", len(data), flush=True)
                elif verb == "close":
                    sock.close()
                    print("closed", flush=True)
                    sys.exit(0)
                else:
                    print("error unknown command", verb, flush=True)
        else:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                print("eof", flush=True)
                selector.unregister(sock)
                continue
            print("got", data.hex(), flush=True)

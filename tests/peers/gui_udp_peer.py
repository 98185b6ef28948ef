#!/usr/bin/env python3
"""UDP peer for the widget tests.

Binds 127.0.0.1 (or --host) port 0 and prints 'port N'. For every datagram it
prints 'rx ADDRESS PORT HEX' ('-' for an empty payload) and answers the
sender with b'pong:' + the payload. Commands on stdin, one per line:
  send PORT HEX   send a datagram to --host:PORT
Exits at the end of stdin or after --timeout seconds ('timeout', status 1)."""
import argparse
import os
import selectors
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((args.host, 0))
print("port", sock.getsockname()[1], flush=True)

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
                    port, _, payload = rest.partition(" ")
                    sock.sendto(bytes.fromhex(payload), (args.host, int(port)))
                    print("sent", flush=True)
                else:
                    print("error unknown command", verb, flush=True)
        else:
            try:
                data, source = sock.recvfrom(65535)
            except ConnectionRefusedError:
                continue  # an ICMP answer to an earlier send
            print("rx", source[0], source[1], data.hex() or "-", flush=True)
            sock.sendto(b"pong:" + data, source)

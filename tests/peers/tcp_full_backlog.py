#!/usr/bin/env python3
"""A TCP listener whose SYNs go unanswered, for connect-timeout tests.

Listens on 127.0.0.1 port 0 with a backlog of 0 and never accepts; two idle
connections made by this script fill the accept queue, after which the kernel
drops further SYNs (a connect stays in SYN-SENT). Prints 'port N', then
'filled' once the first filler is established. Exits at end of stdin or after
--timeout seconds."""
import argparse
import selectors
import socket
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--timeout", type=float, default=30.0)
args = parser.parse_args()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(0)
address = listener.getsockname()

fillers = []
for _ in range(2):
    filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    filler.setblocking(False)
    filler.connect_ex(address)
    fillers.append(filler)

deadline = time.monotonic() + args.timeout
waiter = selectors.DefaultSelector()
waiter.register(fillers[0], selectors.EVENT_WRITE)
if not waiter.select(min(5.0, args.timeout)):
    print("error first filler did not connect", flush=True)
    sys.exit(1)
waiter.close()
print("port", address[1], flush=True)
print("filled", flush=True)

stdin = selectors.DefaultSelector()
stdin.register(sys.stdin.fileno(), selectors.EVENT_READ)
while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        sys.exit(0)
    if stdin.select(remaining) and not sys.stdin.buffer.read1(4096):
        sys.exit(0)

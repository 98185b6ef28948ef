#!/usr/bin/env python3
"""A TCP listener whose SYNs go unanswered, for connect-timeout tests.

Listens on 127.0.0.1 port 0 with a backlog of 0 and never accepts; two idle
connections made by this script fill the accept queue, after which the kernel
drops further SYNs (a connect stays in SYN-SENT). Prints 'port N', then
'filled' once the first filler is established. Exits at end of stdin or after
--timeout seconds."""
import selectors
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

args = peerlib.arguments(host=False, timeout=30.0).parse_args()

deadline = peerlib.Deadline(args.timeout, lambda: sys.exit(0))
listener = peerlib.bound("127.0.0.1", socket.SOCK_STREAM, backlog=0, report=False)
address = listener.getsockname()

fillers = []
for _ in range(2):
    filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    filler.setblocking(False)
    filler.connect_ex(address)
    fillers.append(filler)

waiter = selectors.DefaultSelector()
waiter.register(fillers[0], selectors.EVENT_WRITE)
if not waiter.select(min(5.0, args.timeout)):
    peerlib.say("error first filler did not connect")
    sys.exit(1)
waiter.close()
peerlib.report_port(listener)
peerlib.say("filled")
peerlib.wait_for_input(deadline)

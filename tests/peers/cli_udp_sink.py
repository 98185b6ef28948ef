#!/usr/bin/env python3
"""UDP receiver for CLI tests: prints 'port N', then 'got <hex> from <port>'
for each datagram; exits after --count datagrams or --timeout seconds."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=10.0)
parser.add_argument("--count", type=int, default=1)
args = parser.parse_args()

sock = peerlib.bound(args.host, socket.SOCK_DGRAM)
deadline = peerlib.Deadline(args.timeout)
for _ in range(args.count):
    sock.settimeout(deadline.left())
    try:
        data, source = sock.recvfrom(65535)
    except socket.timeout:
        peerlib.give_up()
    peerlib.say("got", data.hex(), "from", source[1])

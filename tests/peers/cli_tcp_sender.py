#!/usr/bin/env python3
"""TCP server for CLI tests: prints 'port N', accepts one client, sends the
given hex payload in pieces (a pause between them, so each is its own
segment), then closes."""
import socket
import sys
import time

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(host=False, timeout=10.0)
parser.add_argument("pieces", nargs="+", help="hex of each piece")
args = parser.parse_args()

server = peerlib.bound("127.0.0.1", socket.SOCK_STREAM, backlog=1)
server.settimeout(args.timeout)
client, _ = server.accept()
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for piece in args.pieces:
    client.sendall(bytes.fromhex(piece))
    time.sleep(0.15)
client.close()
peerlib.say("done")

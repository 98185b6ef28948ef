#!/usr/bin/env python3
"""TCP server for CLI tests: prints 'port N', accepts one client, sends the
given hex payload in pieces (a pause between them, so each is its own
segment), then closes."""
import argparse
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("pieces", nargs="+", help="hex of each piece")
parser.add_argument("--timeout", type=float, default=10.0)
args = parser.parse_args()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
server.settimeout(args.timeout)
print("port", server.getsockname()[1], flush=True)
client, _ = server.accept()
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for piece in args.pieces:
    client.sendall(bytes.fromhex(piece))
    time.sleep(0.15)
client.close()
print("done", flush=True)

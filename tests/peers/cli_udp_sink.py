#!/usr/bin/env python3
"""UDP receiver for CLI tests: prints 'port N', then 'got <hex> from <port>'
for each datagram; exits after --count datagrams or --timeout seconds."""
import argparse
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--timeout", type=float, default=10.0)
args = parser.parse_args()

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM)
sock.bind((args.host, 0))
sock.settimeout(args.timeout)
print("port", sock.getsockname()[1], flush=True)
try:
    for _ in range(args.count):
        data, source = sock.recvfrom(65535)
        print("got", data.hex(), "from", source[1], flush=True)
except socket.timeout:
    print("timeout", flush=True)
    sys.exit(1)

#!/usr/bin/env python3
"""TCP echo server peer for the widget tests.

Listens on 127.0.0.1 (or --host) port 0, prints 'port N', and sends every
chunk it receives back to the client that sent it, printing 'echo HEX'.
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

listener = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
listener.bind((args.host, 0))
listener.listen(8)
print("port", listener.getsockname()[1], flush=True)

selector = selectors.DefaultSelector()
selector.register(listener, selectors.EVENT_READ, "listener")
selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
deadline = time.monotonic() + args.timeout

while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        print("timeout", flush=True)
        sys.exit(1)
    for key, _ in selector.select(remaining):
        if key.data == "listener":
            conn, address = listener.accept()
            selector.register(conn, selectors.EVENT_READ, "conn")
            print("accepted", address[0], address[1], flush=True)
        elif key.data == "stdin":
            if not os.read(sys.stdin.fileno(), 4096):
                sys.exit(0)
        else:
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                selector.unregister(conn)
                conn.close()
                print("closed", flush=True)
                continue
            conn.sendall(data)
            print("echo", data.hex(), flush=True)

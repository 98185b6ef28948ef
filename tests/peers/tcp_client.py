#!/usr/bin/env python3
"""TCP client peer for the TCP session tests.

Connects to HOST PORT with TCP_NODELAY and prints 'local PORT' (its own port),
or 'error NAME' and exits 1 when the connection fails. Then one line per event:
  got HEX     bytes from the server, as they arrive
  eof         the server closed its side
  reset       the server reset the connection
Commands on stdin, one per line:
  send HEX       send these bytes (one segment: TCP_NODELAY is on)
  sendclose HEX  send the bytes and close at once (they travel with the FIN),
                 print 'closed', exit
  pause          stop reading (the server's data piles up); prints 'paused'
  close          close cleanly (FIN), print 'closed', exit
  reset          close with SO_LINGER 0 (RST), print 'closed', exit
Exits on end of stdin, or after --timeout seconds ('timeout', exit status 1)."""
import argparse
import errno
import os
import selectors
import socket
import struct
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--timeout", type=float, default=30.0)
args = parser.parse_args()

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
sock = socket.socket(family, socket.SOCK_STREAM)
sock.settimeout(min(args.timeout, 10.0))
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
stdin_buffer = b""
deadline = time.monotonic() + args.timeout


def finish(linger_zero):
    if linger_zero:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    print("closed", flush=True)
    sys.exit(0)


def command(line):
    verb, _, rest = line.partition(" ")
    if verb == "send":
        sock.sendall(bytes.fromhex(rest))
    elif verb == "sendclose":
        sock.sendall(bytes.fromhex(rest))
        finish(False)
    elif verb == "pause":
        selector.unregister(sock)
        print("paused", flush=True)
    elif verb == "close":
        finish(False)
    elif verb == "reset":
        finish(True)
    else:
        print("error unknown command", verb, flush=True)


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
            stdin_buffer += chunk
            while b"\n" in stdin_buffer:
                line, stdin_buffer = stdin_buffer.split(b"\n", 1)
                command(line.decode().strip())
        else:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                print("reset", flush=True)
                selector.unregister(sock)
                continue
            if not data:
                print("eof", flush=True)
                selector.unregister(sock)
                continue
            print("got", data.hex(), flush=True)

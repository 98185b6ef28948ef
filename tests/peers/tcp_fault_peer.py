#!/usr/bin/env python3
"""A TCP peer that misbehaves the way broken devices do, for the fault tests
(stdlib only). It listens on --host port 0 and prints 'port N', then
'accepted PORT' for its one client; or with --connect HOST:PORT it connects
and prints 'connected PORT' (its own port). Then, by --mode:

  reset       reads until --after bytes have come, then closes with
              SO_LINGER 0 (an RST, while the other side is still sending)
              and prints 'reset after BYTES'
  half-close  sends --request TEXT (if any) and then --request-size bytes
              of 'y' (if any), shuts its sending side
              (shutdown(SHUT_WR): a FIN) and prints 'half-closed'; then
              still reads, until --bytes B have come or the other side
              closes
  stall       reads nothing, with a small receive buffer (--rcvbuf), until
              a line 'read' comes on standard input (or it ends); prints
              'reading' and reads until --bytes B have come or the other
              side closes

After reading it prints
  total BYTES SHA256
  end REASON               bytes, eof or reset
and exits 0; after --timeout seconds it prints 'timeout' and exits 1.
"""
import argparse
import hashlib
import selectors
import socket
import struct
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--mode", required=True, choices=("reset", "half-close", "stall"))
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--connect", help="HOST:PORT to connect to instead of listening")
parser.add_argument("--after", type=int, default=0, help="reset: bytes to read first")
parser.add_argument("--request", default="", help="half-close: text sent before the FIN")
parser.add_argument("--request-size", type=int, default=0, help="half-close: and this many 'y'")
parser.add_argument("--bytes", type=int, default=0, help="stop reading after this many")
parser.add_argument("--rcvbuf", type=int, default=64 * 1024, help="stall: receive buffer")
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

deadline = time.monotonic() + args.timeout


def say(*words):
    print(*words, flush=True)


def left():
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        say("timeout")
        sys.exit(1)
    return remaining


if args.connect:
    host, _, port = args.connect.rpartition(":")
    host = host.strip("[]")
    conn = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    if args.mode == "stall":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    conn.settimeout(left())
    conn.connect((host, int(port)))
    say("connected", conn.getsockname()[1])
else:
    listener = socket.socket(
        socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM
    )
    if args.mode == "stall":
        # Set before listen() so the accepted socket inherits it.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
    listener.bind((args.host, 0))
    listener.listen(1)
    say("port", listener.getsockname()[1])
    listener.settimeout(left())
    try:
        conn, source = listener.accept()
    except socket.timeout:
        say("timeout")
        sys.exit(1)
    listener.close()
    say("accepted", source[1])

digest = hashlib.sha256()
received = 0


def read_some(limit=1 << 20):
    """One recv: the bytes, or b'' at the end; 'reset' when the peer reset."""
    global received
    conn.settimeout(left())
    while True:
        try:
            chunk = conn.recv(limit)
            break
        except socket.timeout:
            left()
        except ConnectionResetError:
            return None
    received += len(chunk)
    digest.update(chunk)
    return chunk


def read_to_end():
    reason = "eof"
    while not args.bytes or received < args.bytes:
        chunk = read_some()
        if chunk is None:
            reason = "reset"
            break
        if not chunk:
            break
    else:
        reason = "bytes"
    say("total", received, digest.hexdigest())
    say("end", reason)


if args.mode == "reset":
    while received < args.after:
        chunk = read_some(min(1 << 16, args.after - received))
        if not chunk:
            say("total", received, digest.hexdigest())
            say("end", "eof" if chunk is not None else "reset")
            sys.exit(0)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    say("reset after", received)
elif args.mode == "half-close":
    request = args.request.encode() + b"y" * args.request_size
    if request:
        conn.settimeout(left())
        conn.sendall(request)
    conn.shutdown(socket.SHUT_WR)
    say("half-closed")
    read_to_end()
    conn.close()
else:
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ)
    line = b""
    while not line.endswith(b"\n"):
        if not selector.select(left()):
            continue
        chunk = sys.stdin.buffer.raw.read(64)
        if not chunk:
            break
        line += chunk
    say("reading")
    read_to_end()
    conn.close()

#!/usr/bin/env python3
"""TCP server peer for the TCP session tests.

Listens on HOST port 0 and prints 'port N'. Then one line per event:
  accepted HOST PORT   a client connected (its address and port)
  got HEX              bytes from the newest client
  eof                  the newest client closed its side
  reset                the newest client reset the connection
Commands on stdin, one per line, act on the newest connection:
  send HEX             send these bytes
  close                close cleanly (FIN)
  reset                close with SO_LINGER 0 (RST)
  sendclose HEX        send the bytes and close at once (they travel with the FIN)
  pause                stop reading (the client's data piles up in the kernel);
                       prints 'paused'
  drain                read again, counting instead of printing; at the end
                       print 'drained N' and then 'eof' or 'reset'
  quit                 close the listener and every connection, print 'bye', exit
With --echo every received chunk is sent back. Exits on 'quit', on end of
stdin, or after --timeout seconds (printing 'timeout', exit status 1)."""
import argparse
import os
import selectors
import socket
import struct
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--echo", action="store_true")
parser.add_argument("--timeout", type=float, default=30.0)
args = parser.parse_args()

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
listener = socket.socket(family, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((args.host, 0))
listener.listen(16)
listener.setblocking(False)
print("port", listener.getsockname()[1], flush=True)

selector = selectors.DefaultSelector()
selector.register(listener, selectors.EVENT_READ, "listener")
selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
connections = []  # newest last
draining = {}  # connection -> bytes read since 'drain'
stdin_buffer = b""
deadline = time.monotonic() + args.timeout


def newest():
    return connections[-1] if connections else None


def drop(conn, linger_zero=False):
    if linger_zero:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    try:
        selector.unregister(conn)
    except (KeyError, ValueError):
        pass
    conn.close()
    if conn in connections:
        connections.remove(conn)


def command(line):
    verb, _, rest = line.partition(" ")
    conn = newest()
    if verb == "quit":
        for c in list(connections):
            drop(c)
        selector.unregister(listener)
        listener.close()
        print("bye", flush=True)
        sys.exit(0)
    if conn is None:
        print("error no connection", flush=True)
        return
    if verb == "send":
        conn.sendall(bytes.fromhex(rest))
    elif verb == "close":
        drop(conn)
    elif verb == "reset":
        drop(conn, linger_zero=True)
    elif verb == "sendclose":
        conn.sendall(bytes.fromhex(rest))
        drop(conn)
    elif verb == "pause":
        selector.unregister(conn)
        print("paused", flush=True)
    elif verb == "drain":
        draining[conn] = 0
        selector.register(conn, selectors.EVENT_READ, "conn")
    else:
        print("error unknown command", verb, flush=True)


while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        print("timeout", flush=True)
        sys.exit(1)
    for key, _ in selector.select(remaining):
        if key.data == "listener":
            try:
                conn, address = listener.accept()
            except BlockingIOError:
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.setblocking(True)
            connections.append(conn)
            selector.register(conn, selectors.EVENT_READ, "conn")
            print("accepted", address[0], address[1], flush=True)
        elif key.data == "stdin":
            chunk = os.read(sys.stdin.fileno(), 4096)
            if not chunk:
                sys.exit(0)
            stdin_buffer += chunk
            while b"\n" in stdin_buffer:
                line, stdin_buffer = stdin_buffer.split(b"\n", 1)
                command(line.decode().strip())
        else:
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                if conn in draining:
                    print("drained", draining.pop(conn), flush=True)
                if conn is newest():
                    print("reset", flush=True)
                drop(conn)
                continue
            if not data:
                if conn in draining:
                    print("drained", draining.pop(conn), flush=True)
                if conn is newest():
                    print("eof", flush=True)
                selector.unregister(conn)
                continue
            if conn in draining:
                draining[conn] += len(data)
                continue
            if conn is newest():
                print("got", data.hex(), flush=True)
            if args.echo:
                conn.sendall(data)

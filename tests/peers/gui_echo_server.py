#!/usr/bin/env python3
"""TCP echo server peer for the widget tests.

Listens on 127.0.0.1 (or --host) port 0, prints 'port N', and sends every
chunk it receives back to the client that sent it, printing 'echo HEX'.
Exits at the end of stdin or after --timeout seconds ('timeout', status 1)."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

args = peerlib.arguments(timeout=60.0).parse_args()

listener = peerlib.bound(args.host, socket.SOCK_STREAM, backlog=8)
loop = peerlib.Loop(peerlib.Deadline(args.timeout))


def on_listener(_):
    conn, address = listener.accept()
    loop.watch(conn, on_conn)
    peerlib.say("accepted", address[0], address[1])


def on_conn(conn):
    data = peerlib.receive(conn)
    if not data:
        loop.forget(conn)
        conn.close()
        peerlib.say("closed")
        return
    conn.sendall(data)
    peerlib.say("echo", data.hex())


loop.watch(listener, on_listener)
loop.run()

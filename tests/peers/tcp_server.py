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
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=30.0)
parser.add_argument("--echo", action="store_true")
args = parser.parse_args()

listener = peerlib.bound(args.host, socket.SOCK_STREAM,
                         options=[(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)], backlog=16)
listener.setblocking(False)
connections = []  # newest last
draining = {}  # connection -> bytes read since 'drain'


def newest():
    return connections[-1] if connections else None


def drop(conn, linger_zero=False):
    if linger_zero:
        peerlib.linger_zero(conn)
    loop.forget(conn)
    conn.close()
    if conn in connections:
        connections.remove(conn)


def command(line):
    verb = line.partition(" ")[0]
    conn = newest()
    if verb == "quit":
        for c in list(connections):
            drop(c)
        loop.forget(listener)
        listener.close()
        peerlib.say("bye")
        sys.exit(0)
    if conn is None:
        peerlib.say("error no connection")
        return
    if verb == "drain":
        draining[conn] = 0
        loop.watch(conn, on_conn)
    elif not loop.connection_command(line, conn, lambda linger_zero: drop(conn, linger_zero)):
        peerlib.say("error unknown command", verb)


def on_listener(_):
    try:
        conn, address = listener.accept()
    except BlockingIOError:
        return
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.setblocking(True)
    connections.append(conn)
    loop.watch(conn, on_conn)
    peerlib.say("accepted", address[0], address[1])


def on_conn(conn):
    data = peerlib.receive(conn)
    if not data:
        if conn in draining:
            peerlib.say("drained", draining.pop(conn))
        if conn is newest():
            peerlib.say("eof" if data is not None else "reset")
        if data is None:
            drop(conn)
        else:
            loop.forget(conn)
        return
    if conn in draining:
        draining[conn] += len(data)
        return
    if conn is newest():
        peerlib.say("got", data.hex())
    if args.echo:
        conn.sendall(data)


loop = peerlib.Loop(peerlib.Deadline(args.timeout), command)
loop.watch(listener, on_listener)
loop.run()

#!/usr/bin/env python3
"""UDP peer for the widget tests.

Binds 127.0.0.1 (or --host) port 0 and prints 'port N'. For every datagram it
prints 'rx ADDRESS PORT HEX' ('-' for an empty payload) and answers the
sender with b'pong:' + the payload. Commands on stdin, one per line:
  send PORT HEX   send a datagram to --host:PORT
Exits at the end of stdin or after --timeout seconds ('timeout', status 1)."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

args = peerlib.arguments(timeout=60.0).parse_args()

sock = peerlib.bound(args.host, socket.SOCK_DGRAM)


def command(line):
    verb, _, rest = line.partition(" ")
    if verb == "send":
        port, _, payload = rest.partition(" ")
        sock.sendto(bytes.fromhex(payload), (args.host, int(port)))
        peerlib.say("sent")
    else:
        peerlib.say("error unknown command", verb)


def on_sock(_):
    try:
        data, source = sock.recvfrom(65535)
    except ConnectionRefusedError:
        return  # an ICMP answer to an earlier send
    peerlib.say("rx", source[0], source[1], data.hex() or "-")
    sock.sendto(b"pong:" + data, source)


loop = peerlib.Loop(peerlib.Deadline(args.timeout), command)
loop.watch(sock, on_sock)
loop.run()

#!/usr/bin/env python3
"""Holds a port, as another program on the machine would (stdlib only).

Binds a TCP listener (--tcp) or a UDP socket (--udp) to --host port 0,
without SO_REUSEADDR, and prints 'port N'. Holds it until its standard input
ends or --timeout seconds pass, then prints 'released' and exits."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=60.0)
kind = parser.add_mutually_exclusive_group(required=True)
kind.add_argument("--tcp", action="store_true")
kind.add_argument("--udp", action="store_true")
args = parser.parse_args()

sock = peerlib.bound(args.host, socket.SOCK_STREAM if args.tcp else socket.SOCK_DGRAM,
                     backlog=1 if args.tcp else None)


def release():
    sock.close()
    peerlib.say("released")
    sys.exit(0)


peerlib.wait_for_input(peerlib.Deadline(args.timeout, release))
release()

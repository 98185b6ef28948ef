#!/usr/bin/env python3
"""Holds a port, as another program on the machine would (stdlib only).

Binds a TCP listener (--tcp) or a UDP socket (--udp) to --host port 0,
without SO_REUSEADDR, and prints 'port N'. Holds it until its standard input
ends or --timeout seconds pass, then prints 'released' and exits."""
import argparse
import select
import socket
import sys

parser = argparse.ArgumentParser()
kind = parser.add_mutually_exclusive_group(required=True)
kind.add_argument("--tcp", action="store_true")
kind.add_argument("--udp", action="store_true")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
sock = socket.socket(family, socket.SOCK_STREAM if args.tcp else socket.SOCK_DGRAM)
sock.bind((args.host, 0))
if args.tcp:
    sock.listen(1)
print("port", sock.getsockname()[1], flush=True)
select.select([sys.stdin], [], [], args.timeout)
sock.close()
print("released", flush=True)

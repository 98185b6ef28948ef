#!/usr/bin/env python3
"""Holds --count TCP connections to HOST PORT (stdlib only). The server's
kernel completes each connection whether or not the server has accepted it
yet, so this works against a server that cannot accept. Prints
'connected N', then takes commands on standard input:

  close K     closes the K oldest connections still open, prints 'closed K'

and at the end of input closes the rest and exits 0."""
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(host=False)
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--count", type=int, required=True)
args = parser.parse_args()

held = []
for _ in range(args.count):
    conn = socket.socket(peerlib.family_of(args.host), socket.SOCK_STREAM)
    conn.settimeout(10)
    conn.connect((args.host, args.port))
    held.append(conn)
peerlib.say("connected", len(held))


def command(line):
    words = line.split()
    if len(words) == 2 and words[0] == "close":
        count = min(int(words[1]), len(held))
        for conn in held[:count]:
            conn.close()
        del held[:count]
        peerlib.say("closed", count)


# At the end of input the peer exits, and its exit closes the rest.
peerlib.Loop(on_line=command).run()

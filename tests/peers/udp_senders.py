#!/usr/bin/env python3
"""UDP sender peer: several source sockets sending to one destination.

Opens --sockets N sockets bound to --bind (default: the loopback address of
the destination's family) port 0 and prints 'src I PORT' for each. Then sends,
back to back, round by round: in each round every socket sends one datagram.
The payloads are the --payload HEX values in order ('-' is an empty datagram;
the same for every socket) or, without --payload, 's<I>-<ROUND>' for --count
rounds. Prints 'sent N' when all are out.
With --replies K each socket then waits for K datagrams and prints
  reply I PORT HEX        socket I got HEX ('-' if empty) from port PORT
and finally 'done', or 'timeout' (exit status 1) when --timeout seconds pass
first. --interface NAME and --ttl T set the multicast interface and TTL;
--broadcast allows sending to a broadcast address."""
import selectors
import socket
import struct
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=10.0)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--bind", default=None)
parser.add_argument("--sockets", type=int, default=1)
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--payload", action="append", default=None)
parser.add_argument("--replies", type=int, default=0)
parser.add_argument("--interface", default=None)
parser.add_argument("--ttl", type=int, default=None)
parser.add_argument("--broadcast", action="store_true")
args = parser.parse_args()

family = peerlib.family_of(args.host)
bind = args.bind or ("::1" if family == socket.AF_INET6 else "127.0.0.1")
sockets = []
for i in range(args.sockets):
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if args.broadcast:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    if args.interface:
        index = socket.if_nametoindex(args.interface)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        else:
            # struct ip_mreqn: group (unused), local address (any), interface index
            request = socket.inet_aton("0.0.0.0") * 2 + struct.pack("@i", index)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, request)
    if args.ttl is not None:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, args.ttl)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, args.ttl)
    sock.bind((bind, 0))
    sockets.append(sock)
    peerlib.say("src", i, sock.getsockname()[1])


def payload(i, r):
    if args.payload is None:
        return b"s%d-%d" % (i, r)
    text = args.payload[r]
    return b"" if text == "-" else bytes.fromhex(text)


rounds = args.count if args.payload is None else len(args.payload)
destination = (args.host, args.port)
sent = 0
for r in range(rounds):
    for i, sock in enumerate(sockets):
        sock.sendto(payload(i, r), destination)
        sent += 1
peerlib.say("sent", sent)

if args.replies:
    selector = selectors.DefaultSelector()
    for i, sock in enumerate(sockets):
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, i)
    missing = {i: args.replies for i in range(len(sockets))}
    deadline = peerlib.Deadline(args.timeout)
    while any(missing.values()):
        for key, _ in selector.select(deadline.left()):
            i = key.data
            data, source = key.fileobj.recvfrom(65535)
            peerlib.say("reply", i, source[1], data.hex() or "-")
            missing[i] = max(missing[i] - 1, 0)
peerlib.say("done")

#!/usr/bin/env python3
"""UDP receiver peer for the UDP session and sender tests.

Binds --host (default 127.0.0.1) port --port (default 0: any free port) and
prints 'port N'. Then one line per datagram (none with --quiet):
  rx ADDRESS PORT LENGTH MS TTL HEX
      the source address and port, the payload length, the milliseconds from
      binding to the datagram's arrival (the kernel's time stamp), the TTL or
      hop limit ('-' without --ttl) and the payload as hex ('-' when empty,
      '*' with --no-hex)
  text HEX
      with --encoding E only: the payload decoded as E, re-encoded as UTF-8
      hex ('-' when empty, 'undecodable' when it is not valid E)
It stops after --count datagrams, at a datagram equal to --until HEX, after
--idle seconds without a datagram (once one has come) or after --timeout
seconds, and then prints
  total BYTES DATAGRAMS SHA256     of everything but the --until marker
  end REASON                       count, until, idle or timeout
and exits (status 1 on timeout, 0 otherwise).
--group G joins a multicast group on --interface NAME (else the system's
choice); --rcvbuf B asks for a receive buffer of B bytes."""
import hashlib
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=20.0)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--count", type=int, default=0)
parser.add_argument("--until", default=None)
parser.add_argument("--idle", type=float, default=0.0)
parser.add_argument("--quiet", action="store_true")
parser.add_argument("--no-hex", action="store_true")
parser.add_argument("--encoding", default=None)
parser.add_argument("--ttl", action="store_true")
parser.add_argument("--group", default=None)
parser.add_argument("--interface", default=None)
parser.add_argument("--rcvbuf", type=int, default=0)
parser.add_argument("--reuse", action="store_true")
args = parser.parse_args()

# Linux's values of names this Python may lack.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # also the control message type
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)

family = peerlib.family_of(args.host)
sock = socket.socket(family, socket.SOCK_DGRAM)
if args.reuse:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if args.rcvbuf:
    try:
        # SO_RCVBUFFORCE (33) goes past net.core.rmem_max when permitted.
        sock.setsockopt(socket.SOL_SOCKET, 33, args.rcvbuf)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
if args.ttl:
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
sock.bind((args.host, args.port))
if args.group:
    index = socket.if_nametoindex(args.interface) if args.interface else 0
    if ":" in args.group:
        request = socket.inet_pton(socket.AF_INET6, args.group) + struct.pack("@I", index)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, request)
    else:
        # struct ip_mreqn: group, local address (any), interface index
        request = socket.inet_aton(args.group) + socket.inet_aton("0.0.0.0") + struct.pack("@i", index)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)

until = bytes.fromhex(args.until) if args.until is not None else None
deadline = peerlib.Deadline(args.timeout)
started_wall = time.time()
peerlib.report_port(sock)

digest = hashlib.sha256()
total_bytes = 0
datagrams = 0
last = None
reason = "timeout"
while True:
    now = time.monotonic()
    wait = deadline.end - now
    if last is not None and args.idle > 0:
        wait = min(wait, last + args.idle - now)
    if wait <= 0:
        reason = "timeout" if now >= deadline.end else "idle"
        break
    sock.settimeout(wait)
    try:
        data, ancillary, _, source = sock.recvmsg(65535, 256)
    except socket.timeout:
        continue
    last = time.monotonic()
    if until is not None and data == until:
        reason = "until"
        break
    datagrams += 1
    total_bytes += len(data)
    digest.update(data)
    if not args.quiet:
        ttl = "-"
        arrival = time.time()
        for level, kind, value in ancillary:
            if (level, kind) in ((socket.IPPROTO_IP, socket.IP_TTL),
                                 (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT)):
                ttl = str(struct.unpack("@i", value[:4])[0] if len(value) >= 4 else value[0])
            elif (level, kind) == (socket.SOL_SOCKET, SO_TIMESTAMPNS):
                seconds, nanoseconds = struct.unpack("@qq", value[:16])
                arrival = seconds + nanoseconds / 1e9
        address = source[0].split("%")[0]
        millis = int((arrival - started_wall) * 1000)
        payload = "*" if args.no_hex else data.hex() or "-"
        peerlib.say("rx", address, source[1], len(data), millis, ttl, payload)
        if args.encoding:
            try:
                text = data.decode(args.encoding).encode("utf-8").hex() or "-"
            except UnicodeDecodeError:
                text = "undecodable"
            peerlib.say("text", text)
    if args.count and datagrams >= args.count:
        reason = "count"
        break

peerlib.say("total", total_bytes, datagrams, digest.hexdigest())
peerlib.say("end", reason)
sys.exit(1 if reason == "timeout" else 0)

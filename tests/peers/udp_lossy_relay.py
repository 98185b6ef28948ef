#!/usr/bin/env python3
"""A lossy UDP relay for fault-injection tests (stdlib only): netem's loss,
duplicate, delay and reorder in user space, driven by a seeded RNG, for
machines where the kernel has no netem or no network namespace can be made.

It listens on --host port 0 and prints 'port N'. Each client (address, port)
sending there gets a socket of its own towards --server; every port the
server answers from (a TFTP server answers from a new port, its transfer ID)
gets a socket of its own towards the client, so the client sees the relay
behave as the server does: request to one port, the transfer with another.

Every datagram, in either direction, goes through the same faults:
  --loss P          dropped with probability P (0..1) (--loss-to-client P
                    sets it for the server's datagrams alone) ...
  --max-drops K     ... but an identical datagram (same bytes, same
                    direction) is never dropped more than K times in a row,
                    so the sender's retransmissions get through in the end
                    (real servers give up after a handful: in.tftpd sends a
                    block 6 times, then exits)
  --duplicate P     sent twice with probability P
  --delay MS        held MS milliseconds ...
  --reorder P       ... except a fraction P sent at once, overtaking those
                    held (netem's "delay MS reorder P")
  --seed N          one generator per direction, seeded from N
  --trace FILE      one line per datagram (direction, opcode, block, drop)
                    appended to FILE, for debugging a failed run

On a line 'stats' on standard input it prints
  stats in=N out=N dropped=N duplicated=N overtaken=N
(datagrams received, sent, dropped, sent twice, and sent ahead of an earlier
one still held) and on 'reset' it zeroes them. It exits at end of input or
on SIGTERM.
"""
import heapq
import random
import socket
import sys
import time

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments()
parser.add_argument("--server", required=True, help="HOST:PORT of the real server")
parser.add_argument("--loss", type=float, default=0.0)
parser.add_argument("--loss-to-client", type=float)
parser.add_argument("--max-drops", type=int, default=1)
parser.add_argument("--duplicate", type=float, default=0.0)
parser.add_argument("--delay", type=float, default=0.0, help="milliseconds")
parser.add_argument("--reorder", type=float, default=0.0)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--trace", help="append one line per datagram to this file (debugging)")
args = parser.parse_args()
trace = open(args.trace, "a", buffering=1) if args.trace else None

SERVER = peerlib.split_address(args.server)

stats = {}


def reset_stats():
    for key in ("in", "out", "dropped", "duplicated", "overtaken"):
        stats[key] = 0


reset_stats()


class Direction:
    """The faults of one direction, with its own generator and queue."""

    def __init__(self, seed, loss):
        self.random = random.Random(seed)
        self.loss = loss
        self.drops = {}  # datagram bytes -> drops in a row
        self.held = []  # heap of (due, sequence, socket, data, target)
        self.sequence = 0

    def send(self, sock, data, target):
        stats["in"] += 1
        roll = self.random.random()
        dropped = roll < self.loss and self.drops.get(data, 0) < args.max_drops
        if trace:
            opcode, block = (data[1], int.from_bytes(data[2:4], "big")) if len(data) >= 4 else (0, 0)
            where = "to-server" if self is to_server else "to-client"
            trace.write(f"{time.monotonic():.3f} {where} op={opcode} block={block} "
                        f"len={len(data)}{' DROPPED' if dropped else ''}\n")
        if dropped:
            self.drops[data] = self.drops.get(data, 0) + 1
            stats["dropped"] += 1
            return
        self.drops.pop(data, None)
        if len(self.drops) > 4096:
            self.drops.clear()
        copies = 2 if self.random.random() < args.duplicate else 1
        if copies == 2:
            stats["duplicated"] += 1
        at_once = args.delay <= 0 or self.random.random() < args.reorder
        for _ in range(copies):
            self.sequence += 1
            if at_once:
                if self.held:
                    stats["overtaken"] += 1
                transmit(sock, data, target)
            else:
                due = time.monotonic() + args.delay / 1000.0
                heapq.heappush(self.held, (due, self.sequence, sock, data, target))

    def flush(self, now):
        while self.held and self.held[0][0] <= now:
            _, _, sock, data, target = heapq.heappop(self.held)
            transmit(sock, data, target)

    def next_due(self):
        return self.held[0][0] if self.held else None


def transmit(sock, data, target):
    try:
        sock.sendto(data, target)
        stats["out"] += 1
    except OSError:
        pass  # a full buffer loses the datagram, as a network would


def udp_socket():
    buffers = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20),
               (socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)]
    sock = peerlib.bound(args.host, socket.SOCK_DGRAM, options=buffers, report=False)
    sock.setblocking(False)
    return sock


to_server = Direction(args.seed * 2 + 1, args.loss)
to_client = Direction(
    args.seed * 2 + 2, args.loss if args.loss_to_client is None else args.loss_to_client
)


def command(line):
    if line == "stats":
        peerlib.say("stats", " ".join(f"{key}={value}" for key, value in stats.items()))
    elif line == "reset":
        reset_stats()
        peerlib.say("reset")


loop = peerlib.Loop(on_line=command)
front = udp_socket()
loop.watch(front, lambda sock: on_front(sock, None, None))
backs = {}  # client address -> socket towards the server
fronts = {}  # (client address, server port) -> socket towards the client


def back_for(client):
    sock = backs.get(client)
    if sock is None:
        sock = udp_socket()
        backs[client] = sock
        loop.watch(sock, lambda sock: on_back(sock, client))
    return sock


def on_front(sock, client, server_port):
    """From the client: to the server's main port or to one of its TIDs."""
    while True:
        try:
            data, source = sock.recvfrom(70000)
        except BlockingIOError:
            return
        if client is None:  # the relay's listening port
            to_server.send(back_for(source[:2]), data, SERVER)
        elif source[:2] == client:
            to_server.send(back_for(client), data, (SERVER[0], server_port))


def on_back(sock, client):
    """From the server: to the client, from the socket that stands for that server port."""
    while True:
        try:
            data, source = sock.recvfrom(70000)
        except BlockingIOError:
            return
        key = (client, source[1])
        out = fronts.get(key)
        if out is None:
            out = udp_socket()
            fronts[key] = out
            loop.watch(out, lambda sock, tid=key: on_front(sock, *tid))
        to_client.send(out, data, client)


peerlib.report_port(front)

while True:
    now = time.monotonic()
    dues = [due for due in (to_server.next_due(), to_client.next_due()) if due is not None]
    loop.run_once(max(0.0, min(dues) - now) if dues else None)
    now = time.monotonic()
    to_server.flush(now)
    to_client.flush(now)

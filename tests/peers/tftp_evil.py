#!/usr/bin/env python3
"""A scripted, misbehaving TFTP server for client tests (stdlib only).

Prints 'port N' once it listens, then serves one transfer (two for
refuse-options) the way --scenario says, printing what it sees:
  request rrq|wrq NAME MODE [opt=value ...] at T   (T: seconds since start)
  client-error CODE MESSAGE                         an ERROR from the client
  stranger-error CODE                               the ERROR our stranger got
  upload sha256 HEX packets N unique M              the end of an upload
  end                                               the server is done
It exits after the transfer, or after --deadline seconds whatever happens.

Scenarios for a download (RRQ):
  normal            plain server: blksize, tsize, timeout, windowsize honoured
  loss              drops the first sending of some blocks and ignores the
                    first ACK of others (the client must recover)
  duplicate         sends every DATA twice
  reorder           swaps blocks within each window; with windowsize 1 it
                    sends the previous block again before each new one
  stranger          a second socket sends DATA to the client mid-transfer
  error             sends ERROR 3 in the middle
  oversized         answers with a DATA block longer than the block size
  truncated         answers with a 3-byte packet
  oack-unrequested  acknowledges an option the client did not ask for
  oack-bigger       answers blksize with more than was asked
  ignore-options    answers a request with options with plain DATA
  refuse-options    answers a request with options with ERROR 8
  stall             sends --stall-after blocks, then nothing
  silent            never answers
Scenarios for an upload (WRQ): normal, loss, dup-ack (every ACK twice),
error (ERROR 3 in the middle).
"""
import hashlib
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
import peerlib  # noqa: E402
from peerlib import ACK, DATA, ERROR, OACK, RRQ, WRQ, data_packet, number_of, opcode_of, say  # noqa: E402

parser = peerlib.arguments()
parser.add_argument("--scenario", required=True)
parser.add_argument("--file", help="content sent for a read request")
parser.add_argument("--retransmit", type=float, default=0.1, help="server timeout, s")
parser.add_argument("--deadline", type=float, default=30.0)
parser.add_argument("--stall-after", type=int, default=3)
args = parser.parse_args()

deadline = peerlib.server_deadline(args.deadline)


def ack_packet(block):
    return struct.pack("!HH", ACK, block & 0xFFFF)


def error_packet(code, message):
    return struct.pack("!HH", ERROR, code) + message.encode() + b"\0"


def oack_packet(options):
    body = b"".join(name.encode() + b"\0" + value.encode() + b"\0" for name, value in options)
    return struct.pack("!H", OACK) + body


def parse_request(packet):
    opcode = struct.unpack("!H", packet[:2])[0]
    fields = packet[2:].split(b"\0")
    name, mode = fields[0].decode(errors="replace"), fields[1].decode(errors="replace").lower()
    options = {}
    rest = fields[2:-1]
    for i in range(0, len(rest) - 1, 2):
        options[rest[i].decode().lower()] = rest[i + 1].decode()
    return opcode, name, mode, options


def receive(sock, timeout):
    """One datagram and its sender, or (None, None) after timeout."""
    _, packet, source = peerlib.next_datagram([sock], timeout, deadline)
    return packet, source


def report_client_error(packet):
    message = packet[4:].split(b"\0")[0].decode(errors="replace")
    say("client-error", number_of(packet), message)


def next_from(sock, peer):
    """The next packet from peer (others are ignored), or None after
    --retransmit seconds; an ERROR from the client is reported."""
    while True:
        packet, source = receive(sock, args.retransmit)
        if packet is None or source == peer:
            break
    if packet is not None and opcode_of(packet) == ERROR:
        report_client_error(packet)
    return packet


def patient(timeouts):
    """Whether to wait on after that many timeouts in a row ('gave-up' when not)."""
    if timeouts > 50:
        say("gave-up")
        return False
    return True


def wait_for_client_error(sock, peer, seconds):
    """After provoking the client: report what it sends back."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        packet, source = receive(sock, end - time.monotonic())
        if packet is None:
            break
        if source == peer and opcode_of(packet) == ERROR:
            report_client_error(packet)
            return


def negotiate(opcode, options, size):
    """The options a willing server acknowledges, in the request's order."""
    accepted = []
    for name, value in options.items():
        if name == "blksize":
            accepted.append((name, str(min(int(value), 65464))))
        elif name == "windowsize":
            accepted.append((name, value))
        elif name == "timeout":
            accepted.append((name, value))
        elif name == "tsize":
            accepted.append((name, str(size) if opcode == RRQ else value))
    if args.scenario == "oack-unrequested":
        accepted.append(("secretsauce", "1"))
    if args.scenario == "oack-bigger":
        accepted = [(n, str(int(v) * 2) if n == "blksize" else v) for n, v in accepted]
        if not any(n == "blksize" for n, _ in accepted):
            accepted.append(("blksize", "1024"))
    return accepted


def send_file(sock, peer, content, blksize, window, oack):
    scenario = args.scenario
    count = len(content) // blksize + 1
    sent_once = set()
    ignored_acks = set()
    stranger = None

    def block_packet(block):
        return data_packet(block, content[(block - 1) * blksize:block * blksize])

    if oack is not None:
        # Wait for ACK 0, resending the OACK on timeout.
        for _ in range(50):
            sock.sendto(oack, peer)
            packet = next_from(sock, peer)
            if packet is None:
                continue
            if opcode_of(packet) == ERROR:
                return False
            if opcode_of(packet) == ACK and number_of(packet) == 0:
                break
        else:
            return False

    base = 1
    timeouts = 0
    while base <= count:
        last = min(base + window - 1, count)
        blocks = list(range(base, last + 1))
        if scenario == "reorder" and window > 1:
            for i in range(0, len(blocks) - 1, 2):
                blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
        for block in blocks:
            first = block not in sent_once
            sent_once.add(block)
            if scenario == "error" and block == 4:
                sock.sendto(error_packet(3, "simulated disk full"), peer)
                say("sent-error 3")
                return False
            if scenario == "stall" and block > args.stall_after:
                say("stalled")
                wait_for_client_error(sock, peer, deadline.remaining())
                return False
            if scenario == "oversized" and block == 1:
                sock.sendto(data_packet(1, b"x" * (blksize + 1)), peer)
                wait_for_client_error(sock, peer, 5)
                return False
            if scenario == "truncated" and block == 1:
                sock.sendto(b"\0\3\0", peer)
                wait_for_client_error(sock, peer, 5)
                return False
            if scenario == "stranger" and block == 6 and first:
                stranger = peerlib.bound(args.host, socket.SOCK_DGRAM, report=False)
                stranger.sendto(data_packet(6, b"evil" * (blksize // 4)), peer)
                reply, _ = receive(stranger, 5)
                if reply is not None and opcode_of(reply) == ERROR:
                    say("stranger-error", number_of(reply))
                else:
                    say("stranger-error none")
            if scenario == "loss" and first and block % 7 == 3:
                continue
            if scenario == "reorder" and window == 1 and block > 1:
                sock.sendto(block_packet(block - 1), peer)
            sock.sendto(block_packet(block), peer)
            if scenario == "duplicate":
                sock.sendto(block_packet(block), peer)
        # Wait for an ACK that moves us on; duplicates are ignored (no
        # Sorcerer's Apprentice here either).
        while True:
            packet = next_from(sock, peer)
            if packet is None:
                timeouts += 1
                if not patient(timeouts):
                    return False
                break  # resend the window from base
            op = opcode_of(packet)
            if op == ERROR:
                return False
            if op != ACK:
                continue
            acked = number_of(packet)
            # Map the 16-bit number onto the blocks in flight.
            distance = (last - acked) & 0xFFFF
            if distance > last - base + 1:
                continue
            full = last - distance
            if full < base:
                continue
            if scenario == "loss" and full % 11 == 5 and full not in ignored_acks:
                ignored_acks.add(full)
                continue
            base = full + 1
            timeouts = 0
            break
    return True


def receive_file(sock, peer, blksize, window, first_reply):
    scenario = args.scenario
    received = bytearray()
    expected = 1
    in_window = 0
    packets = 0
    unique = set()
    dropped = set()
    last_reply = first_reply
    gap_reported = False

    def reply(packet):
        sock.sendto(packet, peer)
        if scenario == "dup-ack":
            sock.sendto(packet, peer)

    reply(first_reply)
    timeouts = 0
    while True:
        packet = next_from(sock, peer)
        if packet is None:
            timeouts += 1
            if not patient(timeouts):
                return
            sock.sendto(last_reply, peer)
            continue
        op = opcode_of(packet)
        if op == ERROR:
            return
        if op != DATA:
            continue
        timeouts = 0
        block = number_of(packet)
        payload = packet[4:]
        full = expected + ((block - expected) & 0xFFFF)
        if (block - expected) & 0xFFFF >= 0x8000:
            full = expected - ((expected - block) & 0xFFFF)
        if scenario == "loss" and full % 7 == 3 and full not in dropped:
            dropped.add(full)
            continue
        packets += 1
        unique.add(full)
        if scenario == "error" and full == 4:
            sock.sendto(error_packet(3, "simulated disk full"), peer)
            say("sent-error 3")
            return
        if full == expected:
            received += payload
            expected += 1
            in_window += 1
            gap_reported = False
            if len(payload) < blksize:
                last_reply = ack_packet(full)
                reply(last_reply)
                break
            if in_window >= window:
                in_window = 0
                last_reply = ack_packet(full)
                reply(last_reply)
        elif not gap_reported or window == 1:
            gap_reported = window > 1
            in_window = 0
            last_reply = ack_packet(expected - 1)
            reply(last_reply)
    say("upload sha256", hashlib.sha256(received).hexdigest(), "packets", packets, "unique", len(unique))


def main():
    listener = peerlib.bound(args.host, socket.SOCK_DGRAM)
    content = b""
    if args.file:
        with open(args.file, "rb") as f:
            content = f.read()

    transfers = 2 if args.scenario == "refuse-options" else 1
    while transfers > 0:
        packet, peer = receive(listener, deadline.remaining())
        if packet is None:
            continue
        opcode = opcode_of(packet)
        if opcode not in (RRQ, WRQ):
            continue
        opcode, name, mode, options = parse_request(packet)
        words = ["%s=%s" % item for item in options.items()]
        say("request", "rrq" if opcode == RRQ else "wrq", name, mode, *words,
            "at", "%.3f" % (time.monotonic() - deadline.start))
        if args.scenario == "silent":
            continue
        sock = peerlib.bound(args.host, socket.SOCK_DGRAM, report=False)
        if args.scenario == "refuse-options" and options:
            sock.sendto(error_packet(8, "no options here"), peer)
            transfers -= 1
            continue
        transfers -= 1
        accepted = [] if args.scenario == "ignore-options" else negotiate(opcode, options, len(content))
        settings = dict(accepted)
        blksize = int(settings.get("blksize", 512)) if args.scenario != "oack-bigger" else 512
        window = int(settings.get("windowsize", 1))
        oack = oack_packet(accepted) if accepted else None
        if args.scenario in ("oack-unrequested", "oack-bigger"):
            sock.sendto(oack, peer)
            wait_for_client_error(sock, peer, 5)
        elif opcode == RRQ:
            send_file(sock, peer, content, blksize, window, oack)
        else:
            receive_file(sock, peer, blksize, window, oack if oack is not None else ack_packet(0))
    say("end")


main()

#!/usr/bin/env python3
"""A TFTP server that answers from an address other than the one asked (stdlib only).

RFC 1350 names a transfer by its ports (TIDs); the server is also the host
the request went to. A server on a multihomed box may answer from another
address; a client must not take that for the server.

Prints 'port N' once it listens on --host, then serves one read request the
way --scenario says, printing what it sees:
  request rrq NAME MODE              the request, with the name exactly as sent
  stranger-error CODE                an ERROR the client sent to the other address
  stranger-ack N                     an ACK the client sent there (it took the DATA)
  end                                the server is done
Scenarios:
  other-address   every DATA comes from --other-host (a port of its own): the
                  client must refuse each (ERROR 5) and give up on the request
  same-port       the transfer runs from --host as usual; in the middle, a
                  socket on --other-host with the SAME port number as the
                  server's transfer socket sends a bogus DATA block: the
                  client must refuse it and finish the file intact
It exits after the transfer, or after --deadline seconds whatever happens.
"""
import argparse
import select
import socket
import struct
import sys
import time

RRQ, DATA, ACK, ERROR = 1, 3, 4, 5
BLOCK = 512

parser = argparse.ArgumentParser()
parser.add_argument("--scenario", required=True, choices=["other-address", "same-port"])
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--other-host", default="127.0.0.2")
parser.add_argument("--file", required=True, help="content sent for the read request")
parser.add_argument("--deadline", type=float, default=30.0)
args = parser.parse_args()

DEADLINE = time.monotonic() + args.deadline


def say(*words):
    print(*words, flush=True)


def data_packet(block, payload):
    return struct.pack("!HH", DATA, block & 0xFFFF) + payload


def opcode_of(packet):
    return struct.unpack("!H", packet[:2])[0] if len(packet) >= 2 else -1


def number_of(packet):
    return struct.unpack("!H", packet[2:4])[0] if len(packet) >= 4 else -1


def receive(sockets, timeout):
    """(socket, packet, source) of the next datagram on any of sockets, or Nones."""
    remaining = min(timeout, DEADLINE - time.monotonic())
    if remaining <= 0:
        say("deadline")
        say("end")
        sys.exit(3)
    ready, _, _ = select.select(sockets, [], [], remaining)
    if not ready:
        return None, None, None
    packet, source = ready[0].recvfrom(70000)
    return ready[0], packet, source


def report(packet):
    if opcode_of(packet) == ERROR:
        say("stranger-error", number_of(packet))
    elif opcode_of(packet) == ACK:
        say("stranger-ack", number_of(packet))


def other_address(listener, peer, content):
    """Every request (the first and each retransmission) is answered from elsewhere."""
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind((args.other_host, 0))
    other.sendto(data_packet(1, content[:BLOCK]), peer)
    while True:
        sock, packet, source = receive([listener, other], DEADLINE - time.monotonic())
        if sock is other:
            report(packet)
        elif sock is listener and opcode_of(packet) == RRQ:
            other.sendto(data_packet(1, content[:BLOCK]), peer)


def same_port(peer, content):
    transfer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    transfer.bind((args.host, 0))
    port = transfer.getsockname()[1]
    impostor = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    impostor.bind((args.other_host, port))
    count = len(content) // BLOCK + 1
    block = 1
    impersonated = False
    while block <= count:
        if block == 3 and not impersonated:
            # Before the real block 3: the same block number, same port, other host.
            impostor.sendto(data_packet(3, b"evil" * (BLOCK // 4)), peer)
            impersonated = True
        transfer.sendto(data_packet(block, content[(block - 1) * BLOCK:block * BLOCK]), peer)
        while True:
            sock, packet, source = receive([transfer, impostor], 1.0)
            if sock is None:
                break  # resend
            if sock is impostor:
                report(packet)
                continue
            if source != peer:
                continue
            if opcode_of(packet) == ERROR:
                say("client-error", number_of(packet))
                return
            if opcode_of(packet) == ACK and number_of(packet) == block:
                block += 1
                break
    # The ERROR for the impostor may come after the last ACK.
    while True:
        sock, packet, _ = receive([impostor], 2.0)
        if sock is None:
            return
        report(packet)


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind((args.host, 0))
    say("port", listener.getsockname()[1])
    with open(args.file, "rb") as f:
        content = f.read()
    while True:
        _, packet, peer = receive([listener], DEADLINE - time.monotonic())
        if packet is not None and opcode_of(packet) == RRQ:
            break
    fields = packet[2:].split(b"\0")
    say("request", "rrq", fields[0].decode(errors="replace"), fields[1].decode(errors="replace"))
    if args.scenario == "other-address":
        other_address(listener, peer, content)
    else:
        same_port(peer, content)
    say("end")


main()

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
import socket
import sys

sys.dont_write_bytecode = True
import peerlib  # noqa: E402
from peerlib import ACK, ERROR, RRQ, data_packet, number_of, opcode_of, say  # noqa: E402

BLOCK = 512

parser = peerlib.arguments()
parser.add_argument("--scenario", required=True, choices=["other-address", "same-port"])
parser.add_argument("--other-host", default="127.0.0.2")
parser.add_argument("--file", required=True, help="content sent for the read request")
parser.add_argument("--deadline", type=float, default=30.0)
args = parser.parse_args()

deadline = peerlib.server_deadline(args.deadline)


def receive(sockets, timeout):
    """(socket, packet, source) of the next datagram on any of sockets, or Nones."""
    return peerlib.next_datagram(sockets, timeout, deadline)


def report(packet):
    if opcode_of(packet) == ERROR:
        say("stranger-error", number_of(packet))
    elif opcode_of(packet) == ACK:
        say("stranger-ack", number_of(packet))


def other_address(listener, peer, content):
    """Every request (the first and each retransmission) is answered from elsewhere."""
    other = peerlib.bound(args.other_host, socket.SOCK_DGRAM, report=False)
    other.sendto(data_packet(1, content[:BLOCK]), peer)
    while True:
        sock, packet, source = receive([listener, other], deadline.remaining())
        if sock is other:
            report(packet)
        elif sock is listener and opcode_of(packet) == RRQ:
            other.sendto(data_packet(1, content[:BLOCK]), peer)


def same_port(peer, content):
    transfer = peerlib.bound(args.host, socket.SOCK_DGRAM, report=False)
    port = transfer.getsockname()[1]
    impostor = peerlib.bound(args.other_host, socket.SOCK_DGRAM, port=port, report=False)
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
    listener = peerlib.bound(args.host, socket.SOCK_DGRAM)
    with open(args.file, "rb") as f:
        content = f.read()
    while True:
        _, packet, peer = receive([listener], deadline.remaining())
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

"""What every peer script in tests/peers/ shares (stdlib only).

The C++ tests start these scripts as real peers on loopback and parse their
standard output line by line, so every line goes out whole and at once
(say()). A peer binds port 0 and prints 'port N' for the test to read back
(bound()); it gives up after its --timeout with 'timeout' and exit status 1
(Deadline); it takes commands on standard input, one a line, and ends when
that input ends (Loop, wait_for_input).

The tests stop a peer that is still running with SIGTERM. Importing this
module makes SIGTERM end the peer at once with status 0: os._exit, because a
plain exit would wait for threads still working (tcp_storm.py's) and could
run into a print the signal interrupted.

A script imports it from its own folder, without writing bytecode there:
    import sys
    sys.dont_write_bytecode = True
    import peerlib  # noqa: E402
"""
import argparse
import errno
import hashlib
import os
import select
import selectors
import signal
import socket
import struct
import sys
import time

# Standard input is read by its descriptor: lines that Python's buffer held
# would never wake a selector.
STDIN = 0


def say(*words):
    """One line of output, flushed: the tests wait for whole lines."""
    print(*words, flush=True)


def _stop(_signum, _frame):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, RuntimeError, ValueError):
            pass  # interrupted mid-write, or already closed: nothing more to save
    os._exit(0)


signal.signal(signal.SIGTERM, _stop)


def arguments(host=True, timeout=None):
    """An argument parser with the options most peers take: --host (default
    127.0.0.1, unless host is False) and --timeout seconds (when a default is
    given)."""
    parser = argparse.ArgumentParser()
    if host:
        parser.add_argument("--host", default="127.0.0.1")
    if timeout is not None:
        parser.add_argument("--timeout", type=float, default=timeout)
    return parser


def family_of(host):
    """IPv6 for an address with a colon in it, else IPv4."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def split_address(text):
    """'HOST:PORT' or '[HOST]:PORT' as (host, port)."""
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def bound(host, kind, port=0, options=(), backlog=None, report=True):
    """A socket of kind (SOCK_STREAM or SOCK_DGRAM) in host's family, given
    options ((level, name, value) each, set before bind: an accepted socket
    inherits them from its listener) and bound to host:port, port 0 being any
    free one. It listens when backlog is given, and prints 'port N' unless
    report is False."""
    sock = socket.socket(family_of(host), kind)
    for level, name, value in options:
        sock.setsockopt(level, name, value)
    sock.bind((host, port))
    if backlog is not None:
        sock.listen(backlog)
    if report:
        report_port(sock)
    return sock


def connect(host, port, timeout):
    """A TCP connection to host:port, blocking, with TCP_NODELAY (each send
    leaves as its own segment). Prints 'local PORT' (its own port), or
    'error NAME' (ECONNREFUSED, ...) and exits 1 when it cannot be made within
    timeout seconds."""
    sock = socket.socket(family_of(host), socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((host, port))
    except OSError as error:
        say("error", errno.errorcode.get(error.errno or 0, str(error)))
        sys.exit(1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(None)
    say("local", sock.getsockname()[1])
    return sock


def accept_one(listener, deadline):
    """The one connection a listener is there for; closes the listener and
    prints 'accepted PORT' (the client's port)."""
    listener.settimeout(deadline.left())
    try:
        conn, source = listener.accept()
    except socket.timeout:
        deadline.give_up()
    listener.close()
    say("accepted", source[1])
    return conn


def receive(sock, size=65536):
    """sock's next bytes: b'' at the end, None when the peer reset."""
    try:
        return sock.recv(size)
    except ConnectionResetError:
        return None


def linger_zero(sock):
    """Makes the next close of sock a reset (RST), not a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def report_port(sock):
    say("port", sock.getsockname()[1])


def give_up():
    say("timeout")
    sys.exit(1)


class Deadline:
    """The end of a peer's time. left() is the time left, and when none is,
    it calls expire (by default: print 'timeout', exit status 1)."""

    def __init__(self, seconds, expire=give_up):
        self.start = time.monotonic()
        self.end = self.start + seconds
        self.expire = expire

    def remaining(self):
        return self.end - time.monotonic()

    def left(self):
        remaining = self.remaining()
        if remaining <= 0:
            self.give_up()
        return remaining

    def give_up(self):
        self.expire()
        sys.exit(1)  # an expire that returns still ends the peer


class Loop:
    """One selector: the peer's sockets, each with its handler, and standard
    input split into command lines (stripped, each given to on_line). The end
    of standard input ends the peer with status 0; run() ends it at the
    deadline."""

    def __init__(self, deadline=None, on_line=None):
        self.deadline = deadline
        self.on_line = on_line
        self.selector = selectors.DefaultSelector()
        self.selector.register(STDIN, selectors.EVENT_READ, self._read_stdin)
        self._pending = b""

    def watch(self, sock, handler):
        """handler(sock) runs whenever sock is readable."""
        self.selector.register(sock, selectors.EVENT_READ, handler)

    def forget(self, sock):
        """Stops watching sock; one that is not watched is fine."""
        try:
            self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass

    def run_once(self, timeout):
        for key, _ in self.selector.select(timeout):
            key.data(key.fileobj)

    def run(self):
        while True:
            self.run_once(self.deadline.left() if self.deadline else None)

    def connection_command(self, line, conn, close):
        """The commands both scripted TCP ends take for a connection:
          send HEX        send these bytes
          sendclose HEX   send them and close at once (they travel with the FIN)
          pause           stop reading (the other side's data piles up in the
                          kernel); prints 'paused'
          close           close cleanly (FIN)
          reset           close with SO_LINGER 0 (RST)
        close(linger_zero) closes conn. False for a command not among these."""
        verb, _, rest = line.partition(" ")
        if verb not in ("send", "sendclose", "pause", "close", "reset"):
            return False
        if verb in ("send", "sendclose"):
            conn.sendall(bytes.fromhex(rest))
        if verb == "pause":
            self.forget(conn)
            say("paused")
        elif verb != "send":
            close(verb == "reset")
        return True

    def _read_stdin(self, _fd):
        chunk = os.read(STDIN, 4096)
        if not chunk:
            sys.exit(0)
        self._pending += chunk
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            if self.on_line:
                self.on_line(line.decode().strip())


def wait_for_input(deadline, until=lambda data: False):
    """Reads standard input until until(everything read so far) holds or the
    input ends; returns what it read. The deadline bounds the wait."""
    selector = selectors.DefaultSelector()
    selector.register(STDIN, selectors.EVENT_READ)
    data = b""
    while not until(data):
        if not selector.select(deadline.left()):
            continue
        chunk = os.read(STDIN, 4096)
        if not chunk:
            break
        data += chunk
    selector.close()
    return data


def wait_for_line(deadline):
    """Waits for a line on standard input (or its end)."""
    return wait_for_input(deadline, lambda data: b"\n" in data)


class Reader:
    """Reads a TCP connection, counting and hashing what comes (and keeping
    it, with keep), within the deadline."""

    def __init__(self, conn, deadline, keep=False):
        self.conn = conn
        self.deadline = deadline
        self.received = 0
        self.digest = hashlib.sha256()
        self.kept = bytearray() if keep else None

    def read_some(self, limit=1 << 20):
        """One recv: the bytes, b'' at the end, or None when the peer reset."""
        while True:
            self.conn.settimeout(self.deadline.left())
            try:
                chunk = receive(self.conn, limit)
                break
            except socket.timeout:
                continue
        if chunk is None:
            return None
        self.received += len(chunk)
        self.digest.update(chunk)
        if self.kept is not None:
            self.kept += chunk
        return chunk

    def read_to_end(self, count=0):
        """Reads until count bytes have come (0: no limit) or the other side
        ends; returns why it stopped: bytes, eof or reset."""
        while not count or self.received < count:
            chunk = self.read_some()
            if chunk is None:
                return "reset"
            if not chunk:
                return "eof"
        return "bytes"

    def say_total(self):
        say("total", self.received, self.digest.hexdigest())


def next_datagram(sockets, timeout, deadline):
    """(socket, datagram, source) of the next datagram on any of sockets
    within timeout seconds, or (None, None, None); the deadline bounds the
    wait."""
    ready, _, _ = select.select(sockets, [], [], max(0.0, min(timeout, deadline.left())))
    if not ready:
        return None, None, None
    datagram, source = ready[0].recvfrom(70000)
    return ready[0], datagram, source


# TFTP (RFC 1350): the opcodes and the packets both scripted servers send.
RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6


def server_deadline(seconds):
    """A scripted TFTP server's --deadline: when it passes, whatever the
    transfer is doing, it prints 'deadline' and 'end' and exits 3."""

    def out_of_time():
        say("deadline")
        say("end")
        sys.exit(3)

    return Deadline(seconds, out_of_time)


def data_packet(block, payload):
    return struct.pack("!HH", DATA, block & 0xFFFF) + payload


def opcode_of(packet):
    return struct.unpack("!H", packet[:2])[0] if len(packet) >= 2 else -1


def number_of(packet):
    """The block number of a DATA or ACK, the code of an ERROR."""
    return struct.unpack("!H", packet[2:4])[0] if len(packet) >= 4 else -1

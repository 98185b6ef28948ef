"""Processes and what /proc says about them: every process the bench starts
goes through start() and is stopped by stop_all() (on exit, Ctrl-C or
SIGTERM), ports are found by reading the kernel's socket tables, memory from
/proc/PID/status. Loopback only: nothing here opens a non-loopback socket."""
import atexit
import os
import signal
import socket
import subprocess
import time

_started = []  # Popen objects, each the leader of its own process group


def start(args, env=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs):
    """Starts a process in a group of its own (so its children go with it)."""
    proc = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr,
                            start_new_session=True, **kwargs)
    _started.append(proc)
    return proc


def stop(proc, timeout=10.0):
    """SIGTERM to the process's group, SIGKILL if it lingers."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    else:
        # The leader is gone; children it forked (socat fork) may not be.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if proc in _started:
        _started.remove(proc)


def stop_all():
    for proc in list(reversed(_started)):
        stop(proc, timeout=5.0)


def _on_signal(signum, _frame):
    stop_all()
    raise SystemExit(128 + signum)


def install_cleanup():
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)


def free_port(kind=socket.SOCK_STREAM):
    """A port that was free on 127.0.0.1 a moment ago (for peers that cannot
    be told port 0)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def monotonic_ms():
    """CLOCK_MONOTONIC in ms, the clock the C drivers and the stall trace use."""
    return time.monotonic() * 1e3


def _socket_inodes(pid):
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return inodes


def _table_rows(kind):
    for table in (f"/proc/net/{kind}", f"/proc/net/{kind}6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                yield line.split()


def tcp_listening_port(pid, timeout=15.0):
    """The TCP port process pid listens on (it was told port 0), or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inodes = _socket_inodes(pid)
        for fields in _table_rows("tcp"):
            if fields[3] == "0A" and fields[9] in inodes:
                return int(fields[1].rsplit(":", 1)[1], 16)
        time.sleep(0.02)
    return None


def tcp_is_listening(port):
    """Whether anything listens on TCP port (read from /proc/net/tcp*)."""
    suffix = ":%04X" % port
    return any(f[3] == "0A" and f[1].endswith(suffix) for f in _table_rows("tcp"))


def udp_socket(pid, port=None, timeout=15.0):
    """(port, inode) of a UDP socket of process pid (on port, if given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inodes = _socket_inodes(pid)
        for fields in _table_rows("udp"):
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[9] in inodes and (port is None or local_port == port):
                return local_port, fields[9]
        time.sleep(0.02)
    return None


def udp_counters(inode):
    """(bytes waiting in the receive queue, datagrams dropped) of a UDP socket."""
    for fields in _table_rows("udp"):
        if fields[9] == inode:
            queue = int(fields[4].split(":")[1], 16)
            return queue, int(fields[12])
    return None


def status_kib(pid, key):
    """A value from /proc/PID/status in KiB (VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def tree_pids(pid):
    """pid and all its descendants (Packet Sender's threads are one process,
    socat forks children)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def wait_until(predicate, timeout, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


class StallTrace:
    """The window's late event-loop ticks (SOCKLAB_STALL_TRACE): lines of
    'MONOTONIC_MS LATE_MS'. longest(a, b) is the longest stall that ended in
    [a, b] (ms, CLOCK_MONOTONIC)."""

    def __init__(self, path):
        self.path = path

    def entries(self):
        try:
            with open(self.path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2:
                        yield float(parts[0]), float(parts[1])
        except FileNotFoundError:
            return

    def longest(self, begin=float("-inf"), end=float("inf")):
        # A stall of LATE ms reported at T covered [T - LATE, T]: it counts
        # if that overlaps the window.
        worst = 0.0
        for at, late in self.entries():
            if at >= begin and at - late <= end:
                worst = max(worst, late)
        return worst

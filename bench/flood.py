#!/usr/bin/env python3
"""One TCP connection pushes SIZE bytes into a server; compare Socklab (the
window, log on; and socklab-cli --quiet) with `nc -l > /dev/null` measured in
the same run. Prints a table of rates, peak memory and the longest
event-loop stall of the window. Loopback only."""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_port(pid, timeout=10.0):
    """The TCP port process pid listens on, from /proc (it was told port 0)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        inodes = set()
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except FileNotFoundError:
            return None
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if fields[3] == "0A" and fields[9] in inodes:
                        return int(fields[1].rsplit(":", 1)[1], 16)
        time.sleep(0.05)
    return None


def push(port, size):
    """Sends size bytes of zeros in one connection; returns seconds."""
    chunk = bytes(1 << 20)
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        left = size
        while left > 0:
            n = min(left, len(chunk))
            s.sendall(chunk[:n])
            left -= n
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # wait until the server has read it all and closed, or we close
    return time.perf_counter() - start


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def run_nc(size):
    port = free_port()
    nc = subprocess.Popen(["nc", "-l", "127.0.0.1", str(port)], stdout=subprocess.DEVNULL)
    deadline = time.time() + 5
    while listening_port(nc.pid, 0.1) is None and time.time() < deadline:
        pass
    try:
        # nc -l closes when the sender is done, so recv(1) returns.
        seconds = push(port, size)
    finally:
        nc.wait(timeout=30)
    return seconds, float("nan"), None


def run_socklab(binary, size, gui, env):
    stall_file = tempfile.mktemp(prefix="socklab-stall-")
    args = [binary, "tcp-server", "--listen", "127.0.0.1:0"]
    if not gui:
        args.append("--quiet")
    child_env = dict(env)
    child_env["SOCKLAB_STALL_REPORT"] = stall_file
    proc = subprocess.Popen(args, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = listening_port(proc.pid)
        if port is None:
            raise RuntimeError(f"{binary} did not listen")
        # The server does not close by itself: measure until everything is
        # handed over and counted (the client closes after sending).
        seconds = push_until_read(port, size, proc.pid)
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    stall = None
    if gui and os.path.exists(stall_file):
        with open(stall_file) as f:
            stall = int(f.read().strip() or 0)
        os.unlink(stall_file)
    return seconds, rss, stall


def push_until_read(port, size, pid):
    """Sends size bytes and waits until the server's socket buffer is drained."""
    chunk = bytes(1 << 20)
    start = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    left = size
    while left > 0:
        n = min(left, len(chunk))
        s.sendall(chunk[:n])
        left -= n
    # Wait until our send queue is empty: the server has read everything.
    while True:
        out = int.from_bytes(__import__("fcntl").ioctl(s.fileno(), 0x5411, b"\0\0\0\0"), "little")  # TIOCOUTQ
        if out == 0:
            break
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    s.close()
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    args = parser.parse_args()
    size = args.size_mib << 20

    env = dict(os.environ)
    xvfb = None
    if not env.get("DISPLAY"):
        display = ":%d" % (90 + os.getpid() % 9)
        xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1400x900x24"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["DISPLAY"] = display
        time.sleep(1)
    gui = os.path.join(args.build, "app", "socklab")
    cli = os.path.join(args.build, "app", "socklab-cli")
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="socklab-bench-")
    rows = {"nc -l > /dev/null": [], "socklab window (log on)": [], "socklab-cli --quiet": []}
    try:
        for _ in range(args.runs):
            rows["nc -l > /dev/null"].append(run_nc(size))
            rows["socklab window (log on)"].append(run_socklab(gui, size, True, env))
            rows["socklab-cli --quiet"].append(run_socklab(cli, size, False, env))
    finally:
        if xvfb:
            xvfb.terminate()
        shutil.rmtree(env["XDG_CONFIG_HOME"], ignore_errors=True)

    nc_rate = statistics.median(size / r[0] for r in rows["nc -l > /dev/null"]) / (1 << 20)
    print(f"\nOne TCP connection pushing {args.size_mib} MiB over loopback, median of {args.runs} runs")
    print(f"{'receiver':28} {'MiB/s':>8} {'vs nc':>7} {'peak RSS MiB':>13} {'longest stall ms':>17}")
    for name, results in rows.items():
        rate = statistics.median(size / r[0] for r in results) / (1 << 20)
        rss = max(r[1] for r in results)
        stalls = [r[2] for r in results if r[2] is not None]
        stall = str(max(stalls)) if stalls else "-"
        rss_text = "-" if rss != rss else f"{rss:.0f}"
        print(f"{name:28} {rate:8.0f} {rate / nc_rate:7.2f} {rss_text:>13} {stall:>17}")


if __name__ == "__main__":
    sys.exit(main())

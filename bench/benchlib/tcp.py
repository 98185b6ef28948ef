"""TCP figures against a server tab:
- churn: connections a second doing connect, send "ping", wait for the
  answer, close (bench/tcpchurn.c, one client at a time and 32 at a time);
- hold: 10,000 clients connected at once, each echoed, and how the window
  copes (bench/tcphold.c, the window's stall trace);
- flood: one connection pushing 1 GiB (rate, peak RSS, longest stall),
  with iperf3's rate as the loopback ceiling."""
import fcntl
import json
import socket
import subprocess
import time

from . import peers, procs
from .context import each_run, fields, stop_all
from .table import Row, fmt, median, met, ratio

# One client at a time (latency-bound: what a device polling a server sees),
# and 32 at a time (throughput: many devices at once).
CHURN_CONCURRENCY = (1, 32)


def _churn_once(ctx, server, seconds, concurrency):
    begin = procs.monotonic_ms()
    out = fields(ctx.tool("tcpchurn", "127.0.0.1", server.port, seconds, concurrency))
    stall = server.trace.longest(begin, procs.monotonic_ms()) if server.trace else None
    return out["rate"], out["failed"], stall


def _churn_rows(results, servers, concurrency):
    def rate(values):
        r = median([v[0] for v in values])
        failed = sum(v[1] for v in values)
        return fmt(r) + (f" ({failed:.0f} failed)" if failed else ""), r

    (gui_text, g), (cli_text, _), (ps_text, p), (socat_text, s) = (
        rate(results[server.name]) for server in servers)
    stall = max(v[2] for v in results[servers[0].name])
    clients = "1 client at a time" if concurrency == 1 else f"{concurrency} at a time"
    return [
        Row(f"TCP connect-send-reply-close, {clients}, conn/s", gui_text, cli_text,
            "Packet Sender", ps_text, ratio(g, p), ">= 2,000" if concurrency > 1 else "-",
            met(g is not None and g >= 2000) if concurrency > 1 else "-"),
        Row("  same, non-GUI reference", peer="socat fork PIPE", peer_value=socat_text,
            ratio=ratio(g, s)),
        Row("  longest window stall during it, ms", fmt(stall)),
    ]


def churn(ctx):
    seconds = 2 if ctx.quick else 5
    ctx.say(f"TCP churn: {ctx.runs} x {seconds} s against each server, "
            f"{' and '.join(map(str, CHURN_CONCURRENCY))} at a time")
    servers = []
    rows = []
    try:
        servers = [
            peers.start_socklab(ctx.paths, ctx.env, "tcp-server", True, ["--echo"]),
            peers.start_socklab(ctx.paths, ctx.env, "tcp-server", False, ["--echo"]),
            peers.start_packetsender(ctx.env, tcp=True, reply=b"ping"),
            peers.start_socat_tcp_echo(ctx.env),
        ]
        time.sleep(0.5)
        for concurrency in CHURN_CONCURRENCY:
            results = each_run(ctx, servers,
                               lambda s, c=concurrency: _churn_once(ctx, s, seconds, c))
            rows += _churn_rows(results, servers, concurrency)
    finally:
        stop_all(servers)
    return rows


def _hold_once(ctx, server_factory, clients, timeout):
    server = server_factory()
    try:
        out = json.loads(ctx.tool("tcphold", "127.0.0.1", server.port, clients, timeout, 3,
                                  timeout=timeout * 6 + 60))
        if server.trace:
            out["stall_echo"] = server.trace.longest(out["t_echo"], out["t_echoed"])
            out["stall_connect"] = server.trace.longest(out["t_connect"], out["t_connected"])
        out["rss_mib"] = (procs.status_kib(server.pid, "VmRSS") or 0) / 1024
        return out
    finally:
        server.stop()


def hold(ctx):
    clients = 2000 if ctx.quick else 10000
    ps_clients = min(clients, 2000)  # a thread per client: keep the machine alive
    timeout = 20 if ctx.quick else 60
    ctx.say(f"TCP hold: {clients} clients, {ctx.runs} runs")
    factories = {
        "gui": lambda: peers.start_socklab(ctx.paths, ctx.env, "tcp-server", True, ["--echo"]),
        "cli": lambda: peers.start_socklab(ctx.paths, ctx.env, "tcp-server", False, ["--echo"]),
        # Its only mode that keeps clients open: a window and a thread each.
        "ps": lambda: peers.start_packetsender(ctx.env, tcp=True, reply=b"ping", persistent=True),
    }
    sizes = {"gui": clients, "cli": clients, "ps": ps_clients}
    results = {k: [] for k in factories}
    for _ in range(ctx.runs):
        for key, factory in factories.items():
            results[key].append(_hold_once(ctx, factory, sizes[key], timeout))

    def pick(key, what):
        return median([what(r) for r in results[key]])

    held = {k: pick(k, lambda r: r["held"]) for k in results}
    connect = {k: pick(k, lambda r: r["connect_ms"]) for k in results}
    last_round = {k: pick(k, lambda r: r["rounds"][-1]["ms"]) for k in results}
    stall = max(r["stall_echo"] for r in results["gui"])
    stall_connect = max(r["stall_connect"] for r in results["gui"])
    rss = {k: pick(k, lambda r: r["rss_mib"]) for k in results}
    ps_name = f"Packet Sender ({ps_clients} tried)"
    return [
        Row(f"concurrent clients held, each echoed (of {clients:,})", fmt(held["gui"]),
            fmt(held["cli"]), ps_name, fmt(held["ps"]), ratio(held["gui"], held["ps"]),
            f">= {clients:,}", met(held["gui"] >= clients and held["cli"] >= clients)),
        Row("  time to connect them all, ms", fmt(connect["gui"]), fmt(connect["cli"]), ps_name,
            fmt(connect["ps"]), ratio(connect["gui"], connect["ps"])),
        Row("  one echo round over all of them, ms", fmt(last_round["gui"]),
            fmt(last_round["cli"]), ps_name, fmt(last_round["ps"]),
            ratio(last_round["gui"], last_round["ps"])),
        Row("  longest window stall while they echo, ms", fmt(stall), target="<= 100",
            met=met(stall <= 100)),
        Row("  longest window stall while they connect, ms", fmt(stall_connect)),
        Row("  RSS holding them, MiB", fmt(rss["gui"]), fmt(rss["cli"]), ps_name,
            fmt(rss["ps"]), ratio(rss["gui"], rss["ps"])),
    ]


def _push(port, size, server_pid=None, limit_s=300):
    """Sends size zero bytes through one connection and waits until the
    receiver has read them (our send queue is empty: TIOCOUTQ). Returns
    (seconds, bytes sent, error or None)."""
    chunk = memoryview(bytes(1 << 20))
    sent = 0
    start = time.perf_counter()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=limit_s)
    except OSError as e:
        return None, 0, str(e)
    try:
        while sent < size:
            n = min(size - sent, len(chunk))
            s.sendall(chunk[:n])
            sent += n
        while True:
            queued = int.from_bytes(fcntl.ioctl(s.fileno(), 0x5411, b"\0\0\0\0"), "little")
            if queued == 0:
                break
            if time.perf_counter() - start > limit_s:
                return None, sent, "timed out"
            time.sleep(0.001)
        return time.perf_counter() - start, sent, None
    except OSError as e:
        return None, sent, e.strerror or str(e)
    finally:
        s.close()


def _flood_once(ctx, start_server, size):
    server = start_server()
    try:
        begin = procs.monotonic_ms()
        seconds, _, error = _push(server.port, size)
        if error:
            raise RuntimeError(f"{server.name}: {error}")
        rate = size / seconds / (1 << 20)
        peak = (procs.status_kib(server.pid, "VmHWM") or 0) / 1024
        stall = server.trace.longest(begin, procs.monotonic_ms()) if server.trace else None
        return rate, peak, stall
    finally:
        server.stop()


def _packetsender_flood(ctx, size):
    """Packet Sender's server reads once and closes: how much it takes first."""
    server = peers.start_packetsender(ctx.env, tcp=True)
    try:
        _, sent, error = _push(server.port, min(size, 64 << 20), limit_s=20)
        return sent, error
    finally:
        server.stop()


def _iperf3(ctx, size):
    """The loopback ceiling: iperf3 moving size bytes, in MiB/s."""
    port = procs.free_port()
    server = procs.start(["iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", str(port)], env=ctx.env)
    try:
        if not procs.wait_until(lambda: procs.tcp_is_listening(port), 10):
            return None
        out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-n", str(size), "-J"],
                             capture_output=True, text=True, timeout=120, check=False).stdout
        return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 8 / (1 << 20)
    except (ValueError, KeyError):
        return None
    finally:
        procs.stop(server)


def flood(ctx):
    size = (256 if ctx.quick else 1024) << 20
    ctx.say(f"TCP flood: {size >> 20} MiB into one connection, {ctx.runs} runs")
    starters = {
        "nc": lambda: peers.start_nc_sink(ctx.env),
        "gui": lambda: peers.start_socklab(ctx.paths, ctx.env, "tcp-server", True),
        "cli": lambda: peers.start_socklab(ctx.paths, ctx.env, "tcp-server", False),
    }
    results = {k: [] for k in starters}
    for _ in range(ctx.runs):
        for key, starter in starters.items():
            results[key].append(_flood_once(ctx, starter, size))
    ps_sent, ps_error = _packetsender_flood(ctx, size)
    ceiling = median([_iperf3(ctx, size) for _ in range(ctx.runs)])

    nc = median([r[0] for r in results["nc"]])
    gui = median([r[0] for r in results["gui"]])
    cli = median([r[0] for r in results["cli"]])
    gui_rss = max(r[1] for r in results["gui"])
    cli_rss = max(r[1] for r in results["cli"])
    stall = max(r[2] for r in results["gui"])
    ok = gui / nc >= 0.5 and cli / nc >= 0.8 if nc else None
    ps_text = (f"reset after {ps_sent / 1e6:.1f} MB ({ps_error})" if ps_error
               else f"took {ps_sent / 1e6:.0f} MB")
    return [
        Row(f"{size >> 20} MiB through one TCP connection, MiB/s", fmt(gui), fmt(cli),
            "nc -l > /dev/null", fmt(nc), f"{ratio(gui, nc)} / {ratio(cli, nc)}",
            ">= 0.50 / 0.80 of nc", met(ok)),
        Row("  same into Packet Sender", peer="Packet Sender", peer_value=ps_text),
        Row("  loopback ceiling, MiB/s", peer="iperf3", peer_value=fmt(ceiling),
            ratio=ratio(gui, ceiling)),
        Row("  peak RSS during it (VmHWM), MiB", fmt(gui_rss), fmt(cli_rss), target="< 250",
            met=met(gui_rss < 250)),
        Row("  longest window stall during it, ms", fmt(stall)),
    ]

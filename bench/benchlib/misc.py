"""Figures that are not about a live stream of traffic:
- startup: from exec to the window being mapped (bench/xmapwait.c, the X
  server's MapNotify, the same way for every program) and to the port
  listening (/proc/net/tcp polled every millisecond), then resident memory
  after 1.5 s idle; for Socklab also its own report of the first frame
  painted (SOCKLAB_STARTUP_REPORT); one warm-up start of each program is
  not counted;
- log: bench/logbench.cpp (a million rows in the window's log view);
- tftp: bench/tftp-bench.sh, its rows summarised."""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

from . import peers, procs
from .table import Row, fmt, median, met, ratio

IDLE_S = 1.5


def _launch(ctx, kind, port):
    """Starts one program listening on port; returns (proc, cleanup dirs,
    the window's own startup report file or None)."""
    if kind == "ps":
        server = peers.start_packetsender(ctx.env, tcp=True, wait=False, port=port)
        return server.proc, server.dirs, None
    child_env, config = peers.socklab_env(ctx.env)
    report = os.path.join(config, "startup-report")
    child_env["SOCKLAB_STARTUP_REPORT"] = report
    binary = ctx.paths.gui if kind == "gui" else ctx.paths.cli
    args = [binary, "tcp-server", "--listen", f"127.0.0.1:{port}"]
    if kind == "cli":
        args.append("--quiet")
    return procs.start(args, env=child_env), [config], report if kind == "gui" else None


def _first_painted(report):
    """CLOCK_MONOTONIC ms of the window's first frame, from its own report."""
    try:
        with open(report) as f:
            for line in f:
                words = line.split()
                if len(words) == 3 and words[0] == "window-exposed":
                    return float(words[2])
    except (FileNotFoundError, TypeError):
        pass
    return None


def _start_once(ctx, kind):
    """Milliseconds from exec to window mapped and to listening, and idle RSS."""
    watcher = procs.start([ctx.paths.tool("xmapwait"), "30000"], env=ctx.env,
                          stdout=subprocess.PIPE, text=True)
    dirs = []
    proc = None
    try:
        if watcher.stdout.readline().strip() != "ready":
            raise RuntimeError("xmapwait did not start")
        port = procs.free_port()
        begin = procs.monotonic_ms()
        proc, dirs, report = _launch(ctx, kind, port)
        shown = None if kind != "cli" else begin
        listening = None
        deadline = time.monotonic() + 20
        while (shown is None or listening is None) and time.monotonic() < deadline:
            if listening is None and procs.tcp_is_listening(port):
                listening = procs.monotonic_ms()
            while shown is None and select.select([watcher.stdout], [], [], 0)[0]:
                words = watcher.stdout.readline().split()
                if len(words) == 3 and words[0] == "map" and int(words[2]) in (proc.pid, 0):
                    shown = float(words[1])
            time.sleep(0.001)
        time.sleep(IDLE_S)
        rss = (procs.status_kib(proc.pid, "VmRSS") or 0) / 1024
        painted = _first_painted(report)
        return (shown - begin if shown and kind != "cli" else None,
                listening - begin if listening else None, rss,
                painted - begin if painted else None)
    finally:
        if proc:
            procs.stop(proc)
        procs.stop(watcher)
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def startup(ctx):
    ctx.say(f"startup: {ctx.runs} runs (after one warm-up each)")
    kinds = ("gui", "cli", "ps")
    for kind in kinds:
        _start_once(ctx, kind)  # warm-up: files in the page cache, fonts cached
    results = {k: [] for k in kinds}
    for _ in range(ctx.runs):
        for kind in kinds:
            results[kind].append(_start_once(ctx, kind))
    shown = {k: median([r[0] for r in results[k]]) for k in kinds}
    listening = {k: median([r[1] for r in results[k]]) for k in kinds}
    rss = {k: median([r[2] for r in results[k]]) for k in kinds}
    painted = median([r[3] for r in results["gui"]])
    return [
        Row("start to window shown (mapped), ms", fmt(shown["gui"]), "-", "Packet Sender",
            fmt(shown["ps"]), ratio(shown["gui"], shown["ps"]), "<= 150",
            met(shown["gui"] is not None and shown["gui"] <= 150)),
        Row("  start to first frame painted (its SOCKLAB_STARTUP_REPORT), ms", fmt(painted)),
        Row("  start to port listening, ms", fmt(listening["gui"]), fmt(listening["cli"]),
            "Packet Sender", fmt(listening["ps"]), ratio(listening["gui"], listening["ps"])),
        Row("  idle RSS, MiB", fmt(rss["gui"], 1), fmt(rss["cli"], 1), "Packet Sender",
            fmt(rss["ps"], 1), ratio(rss["gui"], rss["ps"]), "<= 60", met(rss["gui"] <= 60)),
    ]


def log(ctx):
    rows = 200_000 if ctx.quick else 1_000_000
    ctx.say(f"log: {rows:,} rows, {ctx.runs} filter runs")
    result = subprocess.run([ctx.paths.logbench, "--rows", str(rows), "--runs", str(ctx.runs)],
                            env=ctx.env, capture_output=True, text=True, timeout=1800,
                            check=True)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    cap = "keeps 10,000 rows at most"
    return [
        Row(f"{rows:,}-row log: filter by text (1% match), ms", fmt(out["filter_ms"]),
            peer="Packet Sender", peer_value=cap, target="< 200",
            met=met(out["filter_ms"] >= 0 and out["filter_ms"] < 200)),
        Row("  clear the filter again, ms", fmt(out["clear_ms"])),
        Row("  RSS holding them (log, model, view), MiB", fmt(out["rss_mib"])),
        Row("  fill them (log, model, view), ms", fmt(out["fill_ms"])),
    ]


def tftp(ctx):
    ctx.say("TFTP: bench/tftp-bench.sh")
    results = tempfile.mktemp(prefix="socklab-bench-tftp-")
    args = [os.path.join(ctx.root, "bench", "tftp-bench.sh"), "--cli", ctx.paths.cli,
            "--runs", str(ctx.runs), "--results", results]
    if ctx.quick:
        args += ["--size", "4", "--big-size", "32"]
    try:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, timeout=3600)
        with open(results) as f:
            lines = [line.split("\t") for line in f.read().splitlines() if line]
    finally:
        if os.path.exists(results):
            os.unlink(results)
    rows = []
    for op, server, blksize, window, ours, best_name, best in lines:
        figure = f"TFTP {op} {server} blksize {blksize} window {window}, MiB/s"
        numeric = all(v.replace(".", "", 1).isdigit() for v in (ours, best))
        rows.append(Row(figure if not rows else "  " + figure.replace("TFTP ", ""), "-", ours,
                        best_name, best, ratio(float(ours), float(best)) if numeric else "-"))
    return rows

"""UDP figures:
- rate: the highest send rate a receiver takes with < 0.1% loss. A paced
  sender (bench/udpflood.c, 64-byte datagrams) steps up the rate, one second
  a step; the loss is read from the kernel's own per-socket counter of
  datagrams dropped because the receiver's queue was full (/proc/net/udp
  "drops"), after waiting for the queue to drain (what is still queued two
  seconds after the last send counts as lost). The same for every receiver,
  so no receiver's own counting is trusted; socklab-cli's counters (printed
  at SIGTERM) are checked against it.
- rtt: ping-pong round trip to an echo (or fixed-reply) responder
  (bench/udpping.c), p50 and p99."""
import re

from . import peers, procs
from .context import each_run, fields, stop_all
from .table import Row, fmt, median, met, ratio

LOSS_LIMIT = 0.001
DATAGRAM = 64


def _loss_at(ctx, server, rate, seconds):
    """Sends at rate for seconds; returns (rate reached, fraction lost)."""
    _, drops_before = procs.udp_counters(server.inode)
    out = fields(ctx.tool("udpflood", "127.0.0.1", server.port, rate, seconds, DATAGRAM))
    drained = procs.wait_until(lambda: procs.udp_counters(server.inode)[0] == 0, 2.0, 0.005)
    queued, drops_after = procs.udp_counters(server.inode)
    lost = drops_after - drops_before
    server.stats["sent"] = server.stats.get("sent", 0) + int(out["sent"])
    server.stats["lost"] = server.stats.get("lost", 0) + lost
    if not drained:
        lost += max(1, queued // 768)  # about one queued datagram's truesize each
    return out["rate"], lost / max(out["sent"], 1)


def _highest_lossless(ctx, server, steps, seconds):
    best = 0
    for rate in steps:
        reached, loss = _loss_at(ctx, server, rate, seconds)
        if loss >= LOSS_LIMIT:
            # One retry: a single burst of load elsewhere should not decide it.
            reached, loss = _loss_at(ctx, server, rate, seconds)
        if loss >= LOSS_LIMIT:
            break
        best = reached
    return best


def _check_cli_counters(ctx, server):
    """socklab-cli prints its counters when stopped: they must match what
    the kernel says was delivered to it."""
    procs.stop(server.proc)
    with open(server.output) as f:
        said = re.search(r"rx \d+ bytes in (\d+) packets", f.read())
    delivered = server.stats.get("sent", 0) - server.stats.get("lost", 0)
    if not said or int(said.group(1)) != delivered:
        ctx.say(f"warning: socklab-cli counted {said.group(1) if said else '?'} datagrams, "
                f"the kernel delivered {delivered}")


def rate(ctx):
    steps = ([10_000, 50_000, 100_000, 200_000] if ctx.quick
             else [10_000, 25_000, 50_000, 100_000, 150_000, 200_000, 300_000, 400_000, 600_000])
    seconds = 0.5 if ctx.quick else 1.0
    ctx.say(f"UDP rate: steps {steps[0]:,}..{steps[-1]:,}/s, {ctx.runs} runs")
    servers = []
    try:
        servers = [
            peers.start_socklab(ctx.paths, ctx.env, "udp", True),
            peers.start_socklab(ctx.paths, ctx.env, "udp", False),
            peers.start_packetsender(ctx.env, udp=True),
            peers.start_socat_udp_sink(ctx.env),
        ]
        results = each_run(ctx, servers, lambda s: _highest_lossless(ctx, s, steps, seconds))
        _check_cli_counters(ctx, servers[1])
    finally:
        stop_all(servers)
    gui, cli, ps, socat = (median(results[s.name]) for s in servers)
    return [
        Row(f"UDP datagrams/s received with < 0.1% loss ({DATAGRAM} B)", fmt(gui), fmt(cli),
            "Packet Sender", fmt(ps), ratio(gui, ps), ">= 100,000",
            met(gui >= 100_000 and cli >= 100_000)),
        Row("  same, non-GUI reference", peer="socat UDP-RECV", peer_value=fmt(socat),
            ratio=ratio(gui, socat)),
    ]


def _ping(ctx, server, count):
    out = fields(ctx.tool("udpping", "127.0.0.1", server.port, count, 500))
    return out["p50"], out["p99"], out["lost"]


def rtt(ctx):
    count = 300 if ctx.quick else 2000
    ctx.say(f"UDP round trip: {count} exchanges, {ctx.runs} runs")
    servers = []
    try:
        servers = [
            peers.start_socklab(ctx.paths, ctx.env, "udp", True, ["--echo"]),
            peers.start_socklab(ctx.paths, ctx.env, "udp", False, ["--echo"]),
            peers.start_packetsender(ctx.env, udp=True, reply=b"pong"),
            peers.start_socat_udp_echo(ctx.env),
        ]
        results = each_run(ctx, servers, lambda s: _ping(ctx, s, count))
    finally:
        stop_all(servers)
    p50 = {s.name: median([r[0] for r in results[s.name]]) for s in servers}
    p99 = {s.name: median([r[1] for r in results[s.name]]) for s in servers}
    gui, cli, ps, socat = (s.name for s in servers)
    return [
        Row("UDP echo round trip p50, ms (lower is better)", fmt(p50[gui], 3), fmt(p50[cli], 3),
            "Packet Sender", fmt(p50[ps], 3), ratio(p50[gui], p50[ps]), "<= 0.2",
            met(p50[gui] <= 0.2 and p50[cli] <= 0.2)),
        Row("  p99, ms", fmt(p99[gui], 3), fmt(p99[cli], 3), "Packet Sender", fmt(p99[ps], 3),
            ratio(p99[gui], p99[ps])),
        Row("  p50 / p99, non-GUI reference", peer="socat PIPE",
            peer_value=f"{fmt(p50[socat], 3)} / {fmt(p99[socat], 3)}",
            ratio=ratio(p50[gui], p50[socat])),
    ]


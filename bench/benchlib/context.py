"""What every figure needs: where the binaries are, the environment (with a
display), how many runs, and a way to say what is going on."""
import re
import subprocess
import sys
from dataclasses import dataclass

from . import procs


@dataclass
class Context:
    paths: object  # peers.Paths
    env: dict  # with DISPLAY
    runs: int
    quick: bool
    root: str

    def say(self, message):
        print(f"bench: {message}", file=sys.stderr, flush=True)

    def tool(self, name, *args, timeout=600):
        """Runs one of the bench's C drivers; returns its stdout."""
        result = subprocess.run([self.paths.tool(name), *map(str, args)], capture_output=True,
                                text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed: {result.stderr.strip()}")
        return result.stdout


def fields(text):
    """'key 1 other 2.5' -> {'key': 1.0, 'other': 2.5}"""
    words = text.split()
    return {k: float(v) for k, v in zip(words[::2], words[1::2]) if re.match(r"^-?[\d.]+$", v)}


def each_run(ctx, servers, measure):
    """Runs measure(server) for every server, run after run (so a burst of
    load from elsewhere hits every program alike); returns {name: [values]}."""
    results = {s.name: [] for s in servers}
    for run in range(ctx.runs):
        for server in servers:
            results[server.name].append(measure(server))
    return results


def stop_all(servers):
    for server in servers:
        if server is not None:
            server.stop()


__all__ = ["Context", "fields", "each_run", "stop_all", "procs"]

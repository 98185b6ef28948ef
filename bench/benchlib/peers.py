"""Starting the programs under test on loopback: Socklab's window and
socklab-cli, Packet Sender's window (its servers configured in its settings
file before launch), socat and nc. Each start_* returns a Server whose port
is the real one (port 0 read back from /proc, or a free port handed to
programs that cannot be told port 0). Xvfb is started here when there is no
display."""
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from . import procs


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    inode: str = ""  # UDP: the socket's inode, for its drop counter
    trace: procs.StallTrace = None  # the window's stall trace, if any
    output: str = ""  # socklab-cli's standard output (its counters at the end)
    dirs: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # what a figure counted against it

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        procs.stop(self.proc)
        for d in self.dirs:
            if os.path.isdir(d):
                shutil.rmtree(d, ignore_errors=True)
            elif os.path.exists(d):
                os.unlink(d)


class Paths:
    def __init__(self, build):
        self.gui = os.path.join(build, "app", "socklab")
        self.cli = os.path.join(build, "app", "socklab-cli")
        self.logbench = os.path.join(build, "bench", "socklab-logbench")
        self.tools = os.path.join(build, "bench-tools")

    def tool(self, name):
        return os.path.join(self.tools, name)


def start_xvfb():
    """Starts Xvfb on a free display number; returns (proc, ':N')."""
    for number in range(90, 140):
        if os.path.exists(f"/tmp/.X{number}-lock") or os.path.exists(f"/tmp/.X11-unix/X{number}"):
            continue
        display = f":{number}"
        proc = procs.start(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        if procs.wait_until(lambda: os.path.exists(f"/tmp/.X11-unix/X{number}"), 10):
            time.sleep(0.2)
            return proc, display
        procs.stop(proc)
    raise RuntimeError("no free X display number for Xvfb")


def _fresh_dir(prefix):
    return tempfile.mkdtemp(prefix=f"socklab-bench-{prefix}-")


def socklab_env(env, trace_path=None):
    """Default settings: an empty config and data directory of its own."""
    config = _fresh_dir("config")
    child = dict(env)
    child["XDG_CONFIG_HOME"] = config
    child["XDG_DATA_HOME"] = config
    if trace_path:
        child["SOCKLAB_STALL_TRACE"] = trace_path
    return child, config


def start_socklab(paths, env, command, gui, extra=(), listen="127.0.0.1:0"):
    """socklab (window, log on, stall trace) or socklab-cli --quiet, running
    `command` (tcp-server or udp) on an ephemeral loopback port."""
    trace_path = tempfile.mktemp(prefix="socklab-bench-stall-") if gui else None
    child_env, config = socklab_env(env, trace_path)
    where = "--listen" if command == "tcp-server" else "--bind"
    args = [paths.gui if gui else paths.cli, command, where, listen, *extra]
    if not gui:
        args.append("--quiet")
    output = os.path.join(config, "stdout")
    with open(output, "w") as out:
        proc = procs.start(args, env=child_env, stdout=out)
    name = "socklab window" if gui else "socklab-cli"
    server = Server(name, proc, 0, output=output, dirs=[config])
    if trace_path:
        server.trace = procs.StallTrace(trace_path)
        server.dirs.append(trace_path)
    _find_port(server, command == "udp")
    return server


def _find_port(server, udp, port=None):
    if udp:
        found = procs.udp_socket(server.pid, port)
        if found:
            server.port, server.inode = found
    else:
        server.port = procs.tcp_listening_port(server.pid) or 0
    if not server.port:
        server.stop()
        raise RuntimeError(f"{server.name} did not open its port")


def write_packetsender_settings(home, tcp_port=0, udp_port=0, reply=None, persistent=False):
    """Packet Sender reads its servers from this file at start (NOTES.md).
    persistent: keep each TCP client open (persistentTCPCheck; it then opens
    a window and a thread per client), else it answers once and closes."""
    folder = os.path.join(home, ".local", "share", "PacketSender")
    os.makedirs(folder, exist_ok=True)
    lines = [
        "[General]",
        f"tcpPort={tcp_port or procs.free_port()}",
        f"udpPort={udp_port or procs.free_port()}",
        f"tcpServerEnable={'true' if tcp_port else 'false'}",
        f"udpServerEnable={'true' if udp_port else 'false'}",
        "sslServerEnable=false",
        "ipMode=127.0.0.1",
        f"sendReponse={'true' if reply else 'false'}",
        "responseHex=" + " ".join("%02x" % b for b in (reply or b"")),
        "restoreSessionCheck=false",
        f"persistentTCPCheck={'true' if persistent else 'false'}",
    ]
    with open(os.path.join(folder, "ps_settings.ini"), "w") as f:
        f.write("\n".join(lines) + "\n")


def start_packetsender(env, tcp=False, udp=False, reply=None, wait=True, port=None,
                       persistent=False):
    """Packet Sender's window with a TCP or UDP server on a free port (or on
    port, for TCP)."""
    home = _fresh_dir("packetsender")
    tcp_port = (port or procs.free_port()) if tcp else 0
    udp_port = procs.free_port(procs.socket.SOCK_DGRAM) if udp else 0
    write_packetsender_settings(home, tcp_port, udp_port, reply, persistent)
    child = dict(env)
    child["HOME"] = home
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        child.pop(key, None)
    proc = procs.start(["packetsender"], env=child)
    server = Server("Packet Sender", proc, tcp_port or udp_port, dirs=[home])
    if wait:
        _find_port(server, udp, server.port)
    return server


def start_socat_tcp_echo(env):
    """socat forks a process per connection, each echoing (inetd style)."""
    port = procs.free_port()
    proc = procs.start(["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,backlog=4096",
                        "PIPE"], env=env)
    server = Server("socat fork", proc, port)
    _find_port(server, False)
    return server


def start_socat_udp_echo(env):
    """socat echoing datagrams with PIPE; fork: a child per peer (without it
    socat serves only the first sender, and each run's pinger is a new one)."""
    port = procs.free_port(procs.socket.SOCK_DGRAM)
    proc = procs.start(["socat", f"UDP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", "PIPE"],
                       env=env)
    server = Server("socat", proc, port)
    _find_port(server, True, port)
    return server


def start_socat_udp_sink(env):
    """socat reading every datagram into /dev/null."""
    port = procs.free_port(procs.socket.SOCK_DGRAM)
    proc = procs.start(["socat", "-u", f"UDP-RECV:{port},bind=127.0.0.1", "OPEN:/dev/null"],
                       env=env)
    server = Server("socat", proc, port)
    _find_port(server, True, port)
    return server


def start_nc_sink(env):
    """nc -l > /dev/null, for one connection."""
    port = procs.free_port()
    proc = procs.start(["nc", "-l", "127.0.0.1", str(port)], env=env)
    server = Server("nc -l > /dev/null", proc, port)
    _find_port(server, False)
    return server

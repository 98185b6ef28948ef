#!/usr/bin/env python3
"""Takes the README's screenshots: each session tab of the window with live
traffic from real peers on loopback, under Xvfb. Writes docs/*.png.
Needs Xvfb, ImageMagick's import, socat, xdotool and a release build
(SOCKLAB_BUILD_DIR picks another). Arguments choose scenes: tcp-server,
tcp-client, udp, zh_CN, tftp."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SOCKLAB_BUILD_DIR", os.path.join(ROOT, "build", "release"))
GUI = os.path.join(BUILD, "app", "socklab")
CLI = os.path.join(BUILD, "app", "socklab-cli")
DOCS = os.path.join(ROOT, "docs")


def listening_port(pid, kind="tcp", timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        for table in (f"/proc/net/{kind}", f"/proc/net/{kind}6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    state_ok = fields[3] == "0A" if kind == "tcp" else True
                    if state_ok and fields[9] in inodes:
                        return int(fields[1].rsplit(":", 1)[1], 16)
        time.sleep(0.05)
    raise RuntimeError(f"process {pid} is not listening")


class Scene:
    def __init__(self, display, language=""):
        self.display = display
        self.config = tempfile.mkdtemp(prefix="socklab-shot-")
        self.env = dict(os.environ, DISPLAY=display, XDG_CONFIG_HOME=self.config, LANG="C.UTF-8")
        if language:
            os.makedirs(os.path.join(self.config, "Socklab"), exist_ok=True)
            with open(os.path.join(self.config, "Socklab", "socklab.conf"), "w") as f:
                f.write(f"[General]\nlanguage={language}\n")
        self.processes = []

    def start(self, args, **kwargs):
        p = subprocess.Popen(args, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        self.processes.append(p)
        return p

    def shoot(self, name):
        time.sleep(2.5)
        path = os.path.join(DOCS, name)
        subprocess.run(["import", "-window", "root", "-crop", "1280x800+0+0", path], env=self.env, check=True)
        print("wrote", os.path.relpath(path, ROOT))

    def close(self):
        for p in reversed(self.processes):
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.config, ignore_errors=True)


def chat_client(port, lines, pause):
    """A Python client that sends GB2312 lines with pauses and stays connected."""
    code = (
        "import socket,sys,time\n"
        f"s=socket.create_connection(('127.0.0.1',{port}))\n"
        f"for line in {lines!r}:\n"
        "    s.sendall(line.encode('gb2312')); time.sleep(%f)\n"
        "time.sleep(60)\n" % pause
    )
    return ["python3", "-c", code]


def tcp_server(display, name, language=""):
    scene = Scene(display, language)
    try:
        gui = scene.start([GUI, "tcp-server", "--listen", "127.0.0.1:0", "--echo", "-e", "gb2312"])
        port = listening_port(gui.pid)
        scene.start(chat_client(port, ["你好，服务器\r\n", "温度=23.5℃\r\n"], 0.4))
        scene.start(chat_client(port, ["AT+GMR\r\n", "设备 #2 上线\r\n"], 0.5))
        scene.start(chat_client(port, ["ping\r\n"], 0.3))
        scene.shoot(name)
    finally:
        scene.close()


def tcp_client(display):
    scene = Scene(display)
    try:
        server = scene.start([CLI, "tcp-server", "--listen", "127.0.0.1:0", "-e", "gb2312", "--quiet",
                              "--send", "传感器读数 42", "--interval", "400"])
        port = listening_port(server.pid)
        scene.start([GUI, "tcp-client", "--connect", f"127.0.0.1:{port}", "-e", "gb2312",
                     "--reply", "OK\\r\\n", "--escapes"])
        scene.shoot("tcp-client.png")
    finally:
        scene.close()


def udp(display):
    scene = Scene(display)
    try:
        gui = scene.start([GUI, "udp", "--bind", "127.0.0.1:0", "--time-server"])
        port = listening_port(gui.pid, "udp")
        code = (
            "import socket,time\n"
            "a=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); b=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "for i in range(6):\n"
            f"    a.sendto(b'%Y-%m-%d %X', ('127.0.0.1',{port})); time.sleep(0.15)\n"
            f"    b.sendto(b'%H:%M:%S\\n', ('127.0.0.1',{port})); time.sleep(0.15)\n"
            "time.sleep(60)\n"
        )
        scene.start(["python3", "-c", code])
        scene.shoot("udp.png")
    finally:
        scene.close()


def tftp(display):
    """The TFTP tab after a download from in.tftpd (root needed to start it)."""
    if os.geteuid() != 0 or not shutil.which("in.tftpd", path="/usr/sbin:/sbin") or not shutil.which("xdotool"):
        print("skipped tftp.png: needs root, in.tftpd (tftpd-hpa) and xdotool")
        return
    scene = Scene(display)
    served = tempfile.mkdtemp(prefix="socklab-tftp-")
    try:
        with open(os.path.join(served, "firmware-v2.3.bin"), "wb") as f:
            f.write(os.urandom(24 << 20))
        os.chmod(served, 0o755)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        scene.start(["/usr/sbin/in.tftpd", "-L", "-s", "-a", f"127.0.0.1:{port}", "-u", "root", "-B", "65464", served])
        config = os.path.join(scene.config, "Socklab")
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(config, "socklab.conf"), "w") as f:
            f.write("[sessions]\n1\\kind=tftp\nsize=1\n\n"
                    f"[tftp]\nhost=127.0.0.1\nport={port}\nremote=firmware-v2.3.bin\nlocal={served}/downloaded.bin\n"
                    "blockSize=65464\noverwrite=true\n")
        scene.start([GUI])
        time.sleep(2)
        subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Socklab", "windowfocus", "--sync",
                        "key", "alt+d"], env=scene.env, check=False)
        scene.shoot("tftp.png")
    finally:
        scene.close()
        shutil.rmtree(served, ignore_errors=True)


def main():
    for tool in ("Xvfb", "import", "python3"):
        if not shutil.which(tool):
            sys.exit(f"screenshots: {tool} is missing (apt-get install xvfb imagemagick python3)")
    os.makedirs(DOCS, exist_ok=True)
    display = ":%d" % (80 + os.getpid() % 10)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    only = sys.argv[1:]
    scenes = {
        "tcp-server": lambda: tcp_server(display, "tcp-server.png"),
        "tcp-client": lambda: tcp_client(display),
        "udp": lambda: udp(display),
        "zh_CN": lambda: tcp_server(display, "tcp-server-zh_CN.png", language="zh_CN"),
        "tftp": lambda: tftp(display),
    }
    try:
        for name, scene in scenes.items():
            if not only or name in only:
                scene()
    finally:
        xvfb.terminate()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A connect/disconnect storm against a TCP server (stdlib only), for the
leak tests. --connections N connections, --threads T at a time, each doing
one of these in turn (by its index):

  0  connect, close (FIN)
  1  connect, send --payload bytes, close
  2  connect, send, read the echo back whole, close (the server must echo)
  3  connect, reset (SO_LINGER 0)
  4  connect, send, reset

Prints, when all are done:
  done connections=N clean=N echoed=N reset=N failed=N sent=BYTES
(sent counts the bytes of kinds 1 and 2, which the server must have read)
and exits 0 when none failed, 1 otherwise.
"""
import socket
import sys
import threading

sys.dont_write_bytecode = True
import peerlib  # noqa: E402

parser = peerlib.arguments(timeout=30.0)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--connections", type=int, default=1000)
parser.add_argument("--threads", type=int, default=16)
parser.add_argument("--payload", type=int, default=100)
args = parser.parse_args()

lock = threading.Lock()
counts = {"clean": 0, "echoed": 0, "reset": 0, "failed": 0, "sent": 0}
next_index = 0
errors = []


def take():
    global next_index
    with lock:
        if next_index >= args.connections:
            return None
        next_index += 1
        return next_index - 1


def one(index):
    kind = index % 5
    payload = (b"storm %d " % index).ljust(args.payload, b".")
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    try:
        if kind in (1, 2, 4):
            sock.sendall(payload)
        if kind == 2:
            got = b""
            while len(got) < len(payload):
                chunk = sock.recv(len(payload) - len(got))
                if not chunk:
                    raise RuntimeError("connection %d: echo cut short" % index)
                got += chunk
            if got != payload:
                raise RuntimeError("connection %d: wrong echo" % index)
        if kind in (3, 4):
            peerlib.linger_zero(sock)
    finally:
        sock.close()
    with lock:
        if kind in (3, 4):
            counts["reset"] += 1
        else:
            counts["clean"] += 1
        if kind == 2:
            counts["echoed"] += 1
        if kind in (1, 2):
            counts["sent"] += len(payload)


def worker():
    while (index := take()) is not None:
        try:
            one(index)
        except Exception as error:  # noqa: BLE001 - counted and shown
            with lock:
                counts["failed"] += 1
                if len(errors) < 5:
                    errors.append(str(error))


threads = [threading.Thread(target=worker) for _ in range(args.threads)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for error in errors:
    peerlib.say("error", error)
peerlib.say(
    "done connections=%d clean=%d echoed=%d reset=%d failed=%d sent=%d"
    % (args.connections, counts["clean"], counts["echoed"], counts["reset"], counts["failed"],
       counts["sent"])
)
sys.exit(1 if counts["failed"] else 0)

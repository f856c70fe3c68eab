"""SYN flood from the kernel side of the test namespace, with legitimate connections meanwhile.

usage: synflood.py DST PORT COUNT SECONDS

One thread sends COUNT SYNs to DST:PORT from spoofed sources in 198.51.100.0/24 (TEST-NET-2, inside the test
namespace only: nothing routes it anywhere else) and random ports, paced over SECONDS, through a raw socket. The main
thread meanwhile opens a connection every 20 ms, sends a line and expects it echoed. Prints one JSON line:
{"spoofed": n, "tried": n, "ok": n, "flood_seconds": s, "errors": {kind: n}}.
"""
import json
import random
import socket
import struct
import sys
import threading
import time

dst, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
dst_b = socket.inet_aton(dst)
state = {"sent": 0, "done": False, "elapsed": 0.0}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def syn(rnd, src_b, sport, seq):
    opts = struct.pack("!BBH", 2, 4, 1460)
    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + opts
    c = csum(src_b + dst_b + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rnd.getrandbits(16), 0, 64, 6, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def flood():
    rnd = random.Random(20261202)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    while state["sent"] < count:
        for _ in range(min(200, count - state["sent"])):
            src = bytes([198, 51, 100, rnd.randint(1, 254)])
            try:
                s.sendto(syn(rnd, src, rnd.randint(1024, 65535), rnd.getrandbits(32)), (dst, 0))
            except OSError:
                time.sleep(0.001)  # device queue full: wait, count only what left
                continue
            state["sent"] += 1
        delay = start + seconds * state["sent"] / count - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    state["elapsed"] = time.monotonic() - start
    state["done"] = True


t = threading.Thread(target=flood, daemon=True)
t.start()
tried = ok = 0
errors = {}
while not state["done"]:
    tried += 1
    msg = b"hello %d\n" % tried
    try:
        with socket.create_connection((dst, port), timeout=8) as c:
            c.settimeout(8)
            c.sendall(msg)
            data = b""
            while len(data) < len(msg):
                chunk = c.recv(100)
                if not chunk:
                    break
                data += chunk
            if data == msg:
                ok += 1
            else:
                errors["short echo"] = errors.get("short echo", 0) + 1
    except OSError as e:
        errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
    time.sleep(0.02)
t.join()
result = {"spoofed": state["sent"], "tried": tried, "ok": ok, "flood_seconds": round(state["elapsed"], 2)}
result["errors"] = errors
print(json.dumps(result), flush=True)

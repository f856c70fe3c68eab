# Kernel-side TCP peer for the interop tests, run inside the test's network namespace.
# usage: peer.py listen|connect HOST PORT SEND_BYTES send-first|recv-first [rst]
#   listen: prints READY once listening, serves one connection.
#   send-first: send SEND_BYTES random bytes, shutdown(SHUT_WR), then read to EOF.
#   recv-first: read to EOF, then send SEND_BYTES random bytes, then close.
#   rst: after the exchange, close with SO_LINGER {1, 0} (sends RST).
# prints one JSON line: sent/received byte counts and SHA-256, or {"error": "ECONNREFUSED"} etc.
import hashlib, json, os, socket, struct, sys, errno, time

role, host, port, nsend, order = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# multi: ORDER is a connection count; opens them all, then each sends SEND_BYTES, shuts down, and checks the echo.
flags = sys.argv[6:]
rst = "rst" in flags
# nohash (benchmarks): send one constant block over and over, hash nothing; "secs" times the receiving side.
nohash = "nohash" in flags
CHUNK = 256 * 1024

ZEROS = bytes(CHUNK)

def send(s, n):
    if nohash:
        left = n
        view = memoryview(ZEROS)
        while left > 0:
            k = min(CHUNK, left)
            s.sendall(view[:k])
            left -= k
        return ""
    h = hashlib.sha256()
    left = n
    while left > 0:
        b = os.urandom(min(CHUNK, left))
        s.sendall(b)
        h.update(b)
        left -= len(b)
    return h.hexdigest()

def recv(s):
    global secs
    h = hashlib.sha256()
    n = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    t0 = None
    while True:
        k = s.recv_into(buf)
        if t0 is None:
            t0 = time.perf_counter()
        if k == 0:
            secs = time.perf_counter() - t0
            return n, ("" if nohash else h.hexdigest())
        if not nohash:
            h.update(view[:k])
        n += k

secs = 0.0

def multi(count):
    import threading
    socks = [socket.create_connection((host, port), timeout=30) for _ in range(count)]
    ok = []
    def run(s):
        data = os.urandom(nsend)
        def writer():
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        t = threading.Thread(target=writer)
        t.start()
        got = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        t.join()
        s.close()
        if bytes(got) == data:
            ok.append(1)
    threads = [threading.Thread(target=run, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"sent": len(ok)}), flush=True)

try:
    if role == "multi":
        multi(int(order))
        sys.exit(0)
    if role == "listen":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port))
        ls.listen(1)
        print("READY", flush=True)
        s, _ = ls.accept()
        ls.close()
    else:
        s = socket.create_connection((host, port), timeout=30)
        s.settimeout(None)
    out = {}
    if order == "send-first":
        out["sent_sha"] = send(s, nsend)
        out["sent"] = nsend
        if rst:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            print(json.dumps(out), flush=True)
            sys.exit(0)
        s.shutdown(socket.SHUT_WR)
        out["received"], out["received_sha"] = recv(s)
    else:
        out["received"], out["received_sha"] = recv(s)
        out["sent_sha"] = send(s, nsend)
        out["sent"] = nsend
    if rst:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    out["secs"] = secs
    print(json.dumps(out), flush=True)
except OSError as e:
    print(json.dumps({"error": errno.errorcode.get(e.errno, str(e))}), flush=True)

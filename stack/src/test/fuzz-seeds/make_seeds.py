#!/usr/bin/env python3
"""Writes the seed corpus of the Jazzer harnesses (stack/src/test/java/io/modtcp/stack/fuzz) into Jazzer's layout,
src/test/resources/io/modtcp/stack/fuzz/<TestClass>Inputs/<method>/<name>. Run from anywhere; deterministic."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'resources', 'io', 'modtcp', 'stack', 'fuzz')


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def v4(a):
    return bytes(int(x) for x in a.split('.'))


def v6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def ipv4(src, dst, proto, payload, flags_frag=0x4000, ihl_opts=b''):
    ihl = 5 + len(ihl_opts) // 4
    total = ihl * 4 + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, total, 1, flags_frag, 64, proto, 0, v4(src), v4(dst)) + ihl_opts
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nxt, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), nxt, 64, v6(src), v6(dst)) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, win, opts=b'', payload=b'', six=False):
    opts = opts + b'\0' * (-len(opts) % 4)
    off = (20 + len(opts)) // 4
    h = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, off << 4, flags, win, 0, 0) + opts
    seg = h + payload
    if six:
        pseudo = v6(src) + v6(dst) + struct.pack('!IxxxB', len(seg), 6)
    else:
        pseudo = v4(src) + v4(dst) + struct.pack('!xBH', 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]


def icmp(typ, code, rest, body):
    m = struct.pack('!BBH', typ, code, 0) + rest + body
    return m[:2] + struct.pack('!H', csum(m)) + m[4:]


FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32
SYN_OPTS = bytes([2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 3, 232, 0, 0, 0, 0, 1, 3, 3, 7])
SACK = bytes([1, 1, 5, 10]) + struct.pack('!II', 1000, 2000)


def write(cls, method, name, data):
    d = os.path.join(ROOT, cls + 'Inputs', method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


A, B = '192.0.2.2', '192.0.2.1'
A6, B6 = 'fd00::2', 'fd00::1'
packets = {
    'ipv4-tcp-syn-options': ipv4(A, B, 6, tcp(A, B, 40000, 80, 1, 0, SYN, 65535, SYN_OPTS)),
    'ipv4-tcp-data': ipv4(A, B, 6, tcp(A, B, 40000, 80, 2, 77, ACK | PSH, 512, b'', b'hello, world')),
    'ipv4-tcp-sack': ipv4(A, B, 6, tcp(A, B, 40000, 80, 2, 77, ACK, 512, SACK)),
    'ipv4-tcp-rst': ipv4(A, B, 6, tcp(A, B, 40000, 80, 2, 0, RST, 0)),
    'ipv4-header-options': ipv4(A, B, 6, tcp(A, B, 40000, 80, 2, 0, ACK, 1), ihl_opts=bytes([1, 1, 1, 0])),
    'ipv4-fragment': ipv4(A, B, 6, tcp(A, B, 40000, 80, 2, 0, ACK, 1), flags_frag=0x2000),
    'ipv4-land-syn': ipv4(B, B, 6, tcp(B, B, 80, 80, 1, 0, SYN, 65535, SYN_OPTS)),
    'ipv4-icmp-echo': ipv4(A, B, 1, icmp(8, 0, struct.pack('!HH', 7, 1), b'ping')),
    'ipv4-icmp-frag-needed': ipv4(A, B, 1, icmp(3, 4, struct.pack('!HH', 0, 576),
                                              ipv4(B, A, 6, tcp(B, A, 80, 40000, 5, 0, ACK, 1))[:28])),
    'ipv6-tcp-syn': ipv6(A6, B6, 6, tcp(A6, B6, 40000, 80, 1, 0, SYN, 65535, SYN_OPTS, six=True)),
    'ipv6-hop-by-hop': ipv6(A6, B6, 0, bytes([6, 0, 1, 4, 0, 0, 0, 0])
                            + tcp(A6, B6, 40000, 80, 2, 0, ACK, 1, six=True)),
    'ipv6-fragment-header': ipv6(A6, B6, 44, bytes([6, 0, 0, 1, 0, 0, 0, 1])
                                 + tcp(A6, B6, 40000, 80, 2, 0, ACK, 1, six=True)),
    'ipv6-icmp-echo': ipv6(A6, B6, 58, b''),
    'empty': b'',
    'truncated': b'\x45\x00',
}
# ICMPv6 echo with the pseudo header in its checksum.
body = struct.pack('!BBHHH', 128, 0, 0, 9, 1) + b'ping'
pseudo = v6(A6) + v6(B6) + struct.pack('!IxxxB', len(body), 58)
c = csum(pseudo + body)
packets['ipv6-icmp-echo'] = ipv6(A6, B6, 58, body[:2] + struct.pack('!H', c) + body[4:])

for name, pkt in packets.items():
    write('WireFuzzTest', 'ipInput', name, pkt)
    if len(pkt) >= 20 and pkt[0] >> 4 == 4:
        write('WireFuzzTest', 'ipv4Header', name, pkt)
        ihl = (pkt[0] & 15) * 4
        if pkt[9] == 6:
            write('WireFuzzTest', 'tcpHeaderAndOptions', name, pkt[ihl:])
        if pkt[9] == 1:
            write('WireFuzzTest', 'icmp', name, pkt[ihl:])
    elif len(pkt) >= 40 and pkt[0] >> 4 == 6:
        write('WireFuzzTest', 'ipv6Header', name, pkt)
write('WireFuzzTest', 'tcpHeaderAndOptions', 'bad-option-length', tcp(A, B, 1, 2, 3, 4, ACK, 5, bytes([2, 0, 0, 0])))
write('WireFuzzTest', 'tcpHeaderAndOptions', 'wscale-over-14', tcp(A, B, 1, 2, 3, 4, SYN, 5, bytes([3, 3, 200, 1])))

# SegmentFuzzTest programs: op bytes as SegmentFuzzTest.Run.execute decodes them.


def seg(k, flags, mode=0, seq_delta=0, ack_delta=0, win=65535, opts=b'', payload=0):
    return bytes([0, k, flags, mode]) + struct.pack('!hhH', seq_delta, ack_delta, win) + bytes([len(opts)]) + opts \
        + struct.pack('!H', payload)


def advance(ms):
    return bytes([4]) + struct.pack('!H', ms)


def app(k, what, n=0):
    return bytes([5, k, what]) + (struct.pack('!H', n) if what == 1 else b'')


def pmtu(k, mtu, seq_delta=0):
    return bytes([6, k]) + struct.pack('!Hh', mtu, seq_delta)


def ack(k, win):
    return bytes([7, k]) + struct.pack('!H', win)


def raw(pkt):
    return bytes([3]) + struct.pack('!H', len(pkt)) + pkt


programs = {
    'in-order-data-and-read': seg(0, ACK | PSH, payload=1000) + seg(0, ACK | PSH, payload=1000) + app(0, 0),
    'out-of-order-then-fill': seg(1, ACK, mode=1, seq_delta=2, payload=1448) + seg(1, ACK, mode=1, seq_delta=1,
                                                                                  payload=1448)
    + seg(1, ACK, payload=1448) + app(1, 0),
    'tiny-out-of-order-flood': b''.join(seg(0, ACK, seq_delta=2 + 2 * i, payload=1) for i in range(40)) + app(0, 0),
    'sack-and-data-out': app(1, 1, 6000) + seg(1, ACK, opts=SACK, ack_delta=1448) + advance(300) + ack(1, 65535),
    'fin-and-close': seg(0, ACK | FIN, payload=10) + app(0, 0) + app(0, 3) + advance(1000) + ack(0, 1000),
    'rst-in-window': seg(2, RST, mode=1, seq_delta=1) + seg(2, RST) + app(2, 0),
    'syn-on-established': seg(1, SYN, mode=1, seq_delta=5) + seg(1, SYN | ACK),
    'new-peer-handshake': seg(3, SYN, opts=SYN_OPTS) + seg(3, ACK, ack_delta=1) + advance(2000),
    'ipv6-new-peer': seg(3, SYN, mode=0x10) + advance(65000) + advance(10000),
    'zero-window-and-persist': app(0, 1, 8000) + ack(0, 0) + advance(5000) + advance(60000) + ack(0, 65535),
    'retransmission-timeouts': app(2, 1, 3000) + advance(1000) + advance(3000) + advance(65000),
    'path-mtu': app(0, 1, 4000) + pmtu(0, 576) + pmtu(2, 1280) + pmtu(1, 68, -5) + advance(500),
    'urgent-and-bad-checksum': seg(0, ACK | URG, payload=5) + seg(0, ACK, mode=0x80, payload=5),
    'raw-garbage': raw(b'\x45' + b'\x00' * 30) + raw(b'\x60' + b'\xff' * 50),
    'shutdown-write-abort': app(1, 2) + app(0, 4) + app(2, 1, 100) + advance(100),
    'peer-timestamps-off': seg(1, ACK | PSH, mode=0x40, payload=100) + seg(2, ACK | PSH, payload=100),
    'ack-of-unsent-data': seg(0, ACK, mode=4, ack_delta=100) + seg(0, ACK, mode=8, ack_delta=-3),
}
for name, prog in programs.items():
    write('SegmentFuzzTest', 'segments', name, prog)

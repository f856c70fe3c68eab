package io.modtcp.stack.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.scripted.ScriptedLink;
import io.modtcp.stack.wire.IcmpHeader;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.Ipv6Header;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes segment processing (Jazzer): a stack on a virtual clock holding a listener and three established
 * connections (IPv4 without options, IPv4 with window scale, timestamps and SACK, IPv6 with timestamps and SACK)
 * receives a program decoded from the input: TCP segments near each connection's sequence space (with arbitrary
 * flags, options and payload), raw packets, ICMP path-MTU messages, time steps and application reads, writes and
 * closes. After every input: nothing escaped or was caught inside the stack, every packet had one IP outcome, every
 * byte the application read is the byte the peer sent at that sequence number, every segment sent is well formed,
 * and once everything is closed no buffer and no accounted byte remains.
 *
 * <p>Regression mode (every build) replays {@code SegmentFuzzTestInputs/segments/}; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/security.md).
 */
class SegmentFuzzTest {
    private static final IpAddr LOCAL4 = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr PEER4 = IpAddr.parseV4("192.0.2.2");
    private static final IpAddr LOCAL6 = IpAddr.parse("fd00::1");
    private static final IpAddr PEER6 = IpAddr.parse("fd00::2");
    private static final int PORT = 80;
    private static final int CONNECTIONS = 3;
    private static final int PEER_ISS = 0x7fff_f000;
    private static final int[] SCALE = {1, 1448, 65536, 1 << 24};
    private static final int MAX_OPS = 96;

    @FuzzTest(maxDuration = "2m")
    void segments(byte[] data) throws IOException {
        try (Run run = new Run(data)) {
            run.execute();
            run.checkInvariants();
        }
    }

    /** The peer's side of one connection, as the test plays it. */
    private static final class Peer {
        final IpAddr addr;
        final IpAddr local;
        final int port;
        final boolean timestamps;
        int sndNxt = PEER_ISS + 1;
        /** The highest sequence number the stack sent us plus its length (what we would acknowledge). */
        int localNxt;

        int tsVal = 1000;
        int tsEcr;
        TcpSocket socket;
        long read;

        Peer(IpAddr addr, IpAddr local, int port, boolean timestamps) {
            this.addr = addr;
            this.local = local;
            this.port = port;
            this.timestamps = timestamps;
        }
    }

    /** The byte the peers send at sequence number {@code seq}: any byte read must be this one. */
    private static byte pattern(int seq) {
        return (byte) (seq * 31 + 7);
    }

    private static final class Run implements AutoCloseable {
        final ManualClock clock = new ManualClock(1_000_000_000L);
        final ScriptedLink link = new ScriptedLink(1500);
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        final NetStack stack;
        final TcpSocket listener;
        final List<Peer> peers = new ArrayList<>();
        final List<TcpSocket> accepted = new ArrayList<>();
        final byte[] in;
        int pos;
        long sent;

        Run(byte[] in) throws IOException {
            this.in = in;
            stack = NetStack.builder()
                    .clock(clock)
                    .seed(11)
                    .allocator(alloc)
                    .memoryBudgetBytes(4L << 20)
                    .addInterface(link, LOCAL4, 24, null)
                    .addInterface(link, LOCAL6, 64, null)
                    .build();
            stack.bindToCurrentThread();
            listener = stack.openSocket();
            listener.bind(IpAddr.ANY6, PORT);
            listener.listen(8);
            peers.add(new Peer(PEER4, LOCAL4, 40_000, false));
            peers.add(new Peer(PEER4, LOCAL4, 40_001, true));
            peers.add(new Peer(PEER6, LOCAL6, 40_002, true));
            for (int i = 0; i < CONNECTIONS; i++) {
                handshake(peers.get(i), i > 0);
            }
        }

        private void handshake(Peer p, boolean options) throws IOException {
            byte[] opts = options
                    ? new byte[] {2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 3, (byte) 232, 0, 0, 0, 0, 1, 3, 3, 7}
                    : new byte[] {2, 4, 0x05, (byte) 0xb4};
            inject(tcp(p, p.addr, p.port, p.local, PEER_ISS, 0, TcpHeader.SYN, 65535, opts, 0, false));
            int ack = p.localNxt;
            inject(tcp(p, p.addr, p.port, p.local, PEER_ISS + 1, ack, TcpHeader.ACK, 65535, tsOption(p), 0, false));
            p.socket = listener.accept(0);
            assertNotNull(p.socket, "handshake " + p.port);
        }

        int u8() {
            return pos < in.length ? in[pos++] & 0xff : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int s16() {
            return (short) u16();
        }

        byte[] bytes(int n) {
            int k = Math.max(0, Math.min(n, in.length - pos));
            byte[] b = new byte[k];
            System.arraycopy(in, pos, b, 0, k);
            pos += k;
            return b;
        }

        void execute() throws IOException {
            for (int ops = 0; ops < MAX_OPS && pos < in.length; ops++) {
                int op = u8() % 8;
                switch (op) {
                    case 0, 1, 2 -> segment();
                    case 3 -> {
                        byte[] raw = bytes(u16() % 1600);
                        ByteBuf b = alloc.directBuffer(Math.max(1, raw.length));
                        b.writeBytes(raw);
                        inject(b);
                    }
                    case 4 -> advance(u16() * 1_000_000L);
                    case 5 -> app();
                    case 6 -> pathMtu();
                    default -> {
                        Peer p = peers.get(u8() % CONNECTIONS);
                        inject(tcp(
                                p,
                                p.addr,
                                p.port,
                                p.local,
                                p.sndNxt,
                                p.localNxt,
                                TcpHeader.ACK,
                                u16(),
                                tsOption(p),
                                0,
                                false));
                    }
                }
            }
        }

        private byte[] tsOption(Peer p) {
            if (!p.timestamps) {
                return new byte[0];
            }
            int v = p.tsVal++;
            int e = p.tsEcr;
            return new byte[] {
                1,
                1,
                8,
                10,
                (byte) (v >>> 24),
                (byte) (v >>> 16),
                (byte) (v >>> 8),
                (byte) v,
                (byte) (e >>> 24),
                (byte) (e >>> 16),
                (byte) (e >>> 8),
                (byte) e
            };
        }

        private void segment() {
            int k = u8() % (CONNECTIONS + 1);
            int flags = u8();
            int mode = u8();
            int seqDelta = s16();
            int ackDelta = s16();
            int window = u16();
            byte[] raw = bytes(u8() % 41);
            int payload = u16() % 1461;
            boolean badChecksum = (mode & 0x80) != 0;
            Peer p;
            if (k == CONNECTIONS) {
                // A new peer towards the listener (SYNs, stray ACKs, resets).
                p = new Peer(
                        (mode & 0x10) != 0 ? PEER6 : PEER4,
                        (mode & 0x10) != 0 ? LOCAL6 : LOCAL4,
                        41_000 + ((mode >>> 5) & 3),
                        false);
            } else {
                p = peers.get(k);
            }
            int seq = p.sndNxt + seqDelta * SCALE[mode & 3];
            int ack = p.localNxt + ackDelta * SCALE[(mode >>> 2) & 3];
            byte[] opts = raw;
            if (p.timestamps && (mode & 0x40) == 0) {
                byte[] ts = tsOption(p);
                opts = new byte[Math.min(40, ts.length + raw.length)];
                System.arraycopy(ts, 0, opts, 0, ts.length);
                System.arraycopy(raw, 0, opts, ts.length, opts.length - ts.length);
            }
            inject(tcp(p, p.addr, p.port, p.local, seq, ack, flags, window, opts, payload, badChecksum));
            if (seq == p.sndNxt && k < CONNECTIONS) {
                p.sndNxt += payload + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
            }
        }

        private void app() throws IOException {
            Peer p = peers.get(u8() % CONNECTIONS);
            TcpSocket s = p.socket;
            switch (u8() % 5) {
                case 0 -> read(p);
                case 1 -> {
                    byte[] b = new byte[u16() % 8192];
                    try {
                        s.write(ByteBuffer.wrap(b), 0);
                    } catch (IOException expected) {
                        // closed, reset, shut down: the socket says so, as the JDK's would
                    }
                }
                case 2 -> {
                    try {
                        s.shutdownOutput();
                    } catch (IOException expected) {
                        // not connected any more
                    }
                }
                case 3 -> s.close();
                default -> s.abort();
            }
            poll();
        }

        private void read(Peer p) {
            ByteBuffer dst = ByteBuffer.allocate(1 << 16);
            int n;
            try {
                n = p.socket.read(dst, 0);
            } catch (IOException expected) {
                return; // reset, closed
            }
            for (int i = 0; i < n; i++) {
                assertEquals(
                        pattern(PEER_ISS + 1 + (int) p.read + i),
                        dst.get(i),
                        "byte " + (p.read + i) + " read on " + p.port + " is the byte the peer sent there");
            }
            p.read += Math.max(0, n);
            poll();
        }

        /** An ICMP "fragmentation needed" / ICMPv6 "packet too big" quoting a segment of ours to the peer. */
        private void pathMtu() {
            Peer p = peers.get(u8() % CONNECTIONS);
            int mtu = u16();
            int seq = p.localNxt + s16();
            boolean v4 = p.addr.isV4();
            int quotedIp = v4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
            int icmpLength = IcmpHeader.MIN_LENGTH + quotedIp + 8;
            int outerIp = v4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
            ByteBuf b = alloc.directBuffer(outerIp + icmpLength);
            b.writeZero(outerIp + icmpLength);
            if (v4) {
                new Ipv4Header()
                        .wrap(b, 0)
                        .write(0, outerIp + icmpLength, 1, false, 64, Ipv4Header.PROTO_ICMP, p.addr.v4(), p.local.v4());
                new Ipv4Header()
                        .wrap(b, outerIp + IcmpHeader.MIN_LENGTH)
                        .write(0, 1500, 2, true, 64, Ipv4Header.PROTO_TCP, p.local.v4(), p.addr.v4());
            } else {
                new Ipv6Header().wrap(b, 0).write(0, 0, icmpLength, 58, 64, p.addr, p.local);
                new Ipv6Header()
                        .wrap(b, outerIp + IcmpHeader.MIN_LENGTH)
                        .write(0, 0, 1460, Ipv4Header.PROTO_TCP, 64, p.local, p.addr);
            }
            int tcp0 = outerIp + IcmpHeader.MIN_LENGTH + quotedIp;
            b.setShort(tcp0, PORT);
            b.setShort(tcp0 + 2, p.port);
            b.setInt(tcp0 + 4, seq);
            IcmpHeader icmp = new IcmpHeader().wrap(b, outerIp);
            if (v4) {
                icmp.type(IcmpHeader.TYPE_DEST_UNREACHABLE)
                        .code(IcmpHeader.CODE_FRAG_NEEDED)
                        .nextHopMtu(mtu);
                icmp.fillChecksum(icmpLength);
            } else {
                icmp.type(2).code(0);
                b.setInt(outerIp + 4, mtu);
                icmp.checksum(0);
                int sum = io.modtcp.stack.wire.Checksum.sum(
                        b,
                        outerIp,
                        icmpLength,
                        io.modtcp.stack.wire.Checksum.pseudoHeader(p.addr, p.local, 58, icmpLength));
                icmp.checksum(io.modtcp.stack.wire.Checksum.fold(sum));
            }
            inject(b);
        }

        /** A TCP segment from {@code src:sport}, with {@code options} (padded to a word) and pattern payload. */
        private ByteBuf tcp(
                Peer p,
                IpAddr src,
                int sport,
                IpAddr dst,
                int seq,
                int ack,
                int flags,
                int window,
                byte[] options,
                int payload,
                boolean badChecksum) {
            int optLen = Math.min(40, (options.length + 3) & ~3);
            int tcpLen = TcpHeader.MIN_LENGTH + optLen + payload;
            boolean v4 = src.isV4();
            int ipLen = v4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
            ByteBuf b = alloc.directBuffer(ipLen + tcpLen);
            b.writeZero(ipLen + tcpLen);
            if (v4) {
                new Ipv4Header()
                        .wrap(b, 0)
                        .write(0, ipLen + tcpLen, 3, true, 64, Ipv4Header.PROTO_TCP, src.v4(), dst.v4());
            } else {
                new Ipv6Header().wrap(b, 0).write(0, 0, tcpLen, Ipv4Header.PROTO_TCP, 64, src, dst);
            }
            TcpHeader t = new TcpHeader()
                    .wrap(b, ipLen)
                    .srcPort(sport)
                    .dstPort(PORT)
                    .seq(seq)
                    .ack(ack)
                    .dataOffset(TcpHeader.MIN_LENGTH + optLen)
                    .flags(flags & 0xff)
                    .window(window)
                    .urgentPointer(0);
            b.setBytes(ipLen + TcpHeader.MIN_LENGTH, options, 0, Math.min(options.length, optLen));
            int start = (flags & TcpHeader.SYN) != 0 ? seq + 1 : seq;
            for (int i = 0; i < payload; i++) {
                b.setByte(ipLen + TcpHeader.MIN_LENGTH + optLen + i, pattern(start + i));
            }
            t.fillChecksum(tcpLen, src, dst);
            if (badChecksum) {
                t.checksum(t.checksum() ^ 0x0101);
            }
            return b;
        }

        void inject(ByteBuf packet) {
            link.inject(packet);
            poll();
        }

        void poll() {
            for (int i = 0; i < 1000; i++) {
                long now = clock.nanoTime();
                if (stack.poll(now) - now > 0) {
                    break;
                }
            }
            collect();
        }

        void advance(long deltaNs) {
            long target = clock.nanoTime() + deltaNs;
            for (int i = 0; i < 10_000; i++) {
                long next = stack.nextEventNs();
                if (next == Long.MAX_VALUE || next - target > 0) {
                    break;
                }
                if (next - clock.nanoTime() > 0) {
                    clock.set(next);
                }
                poll();
            }
            clock.set(target);
            poll();
        }

        /** Takes what the stack sent: every packet well formed; peers learn the sequence numbers and TSvals. */
        void collect() {
            for (ScriptedLink.Sent s = link.poll(); s != null; s = link.poll()) {
                sent++;
                assertNull(s.undecodable(), "the stack sent a malformed packet");
                SegmentSpec seg = s.segment();
                for (Peer p : peers) {
                    if (seg.dstPort() == p.port && seg.dst().equals(p.addr)) {
                        int end = seg.seq() + seg.segLen();
                        if (p.localNxt == 0 || end - p.localNxt > 0) {
                            p.localNxt = end;
                        }
                        if (seg.options().timestamps()) {
                            p.tsEcr = seg.options().tsVal();
                        }
                    }
                }
            }
        }

        void checkInvariants() {
            assertEquals(
                    0,
                    stack.counters().get(Counter.STACK_UNCAUGHT_ERRORS),
                    "nothing was thrown inside the stack:\n" + stack.counters());
            long receives = stack.counters().get(Counter.IP_IN_RECEIVES);
            long outcomes = stack.counters().get(Counter.IP_IN_DELIVERS);
            for (Counter c : Counter.values()) {
                if (c.name().startsWith("IP_DROP_")
                        && c != Counter.IP_DROP_NO_ROUTE
                        && c != Counter.IP_DROP_LINK_QUEUE_FULL) {
                    outcomes += stack.counters().get(c);
                }
            }
            assertEquals(receives, outcomes, "one IP outcome per packet:\n" + stack.counters());
            assertTrue(stack.counters().get(Counter.TCP_IN_SEGS)
                    <= stack.counters().get(Counter.IP_IN_DELIVERS));
            long ooo = 0;
            for (TcpConnection c : stack.tcp().connections()) {
                ooo += c.delivery().outOfOrderHeldBytes();
                assertTrue(
                        c.delivery().outOfOrderHeldBytes()
                                <= 2L * c.receiveBufferBytes() + ReliableOrderedDelivery.OUT_OF_ORDER_HELD_FLOOR,
                        "the out-of-order queue is bounded by the receive buffer");
            }
            assertTrue(stack.memory().used() >= ooo, "what is held is accounted");
            assertTrue(stack.memory().peak() <= stack.memory().limit() + 4096, "the budget holds");
        }

        @Override
        public void close() {
            for (Peer p : peers) {
                if (p.socket != null) {
                    p.socket.abort();
                }
            }
            listener.abort();
            for (TcpConnection c : new ArrayList<>(stack.tcp().connections())) {
                stack.tcp().abort(c, clock.nanoTime());
            }
            poll();
            stack.close();
            link.close();
            assertEquals(0, stack.memory().used(), "every accounted byte was freed");
            assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer was freed");
        }
    }
}

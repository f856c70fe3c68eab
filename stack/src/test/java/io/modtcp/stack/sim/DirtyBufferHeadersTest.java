package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.LinkPair;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptionSpec;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every header field the stack writes is written whole (RFC 9293 §3.1: reserved bits "must be zero in generated
 * segments"): the same seeded conversation, run once with an allocator that hands out buffers full of 0xFF and once
 * with one that hands out zeroed buffers, puts exactly the same bytes on the wire, and no TCP segment carries a
 * reserved (or AccECN AE) bit, no IPv4 packet the reserved flag. The conversation covers every segment kind: SYN,
 * SYN-ACK with all options, ACK, data, retransmissions and ACKs with SACK blocks (a lossy link), zero-window probes,
 * FIN, RST (to a closed port and from an abort), with and without timestamps/SACK/window scaling, IPv4 and IPv6.
 */
class DirtyBufferHeadersTest {
    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000_000_000L;

    /** The kinds of segment a run must have produced for the comparison to mean something. */
    enum Kind {
        SYN,
        SYN_ACK,
        PURE_ACK,
        DATA,
        SACK_BLOCKS,
        TIMESTAMPS,
        WINDOW_SCALE,
        FIN,
        RST
    }

    @ParameterizedTest(name = "ipv6={0} options={1}")
    @CsvSource({"false, true", "false, false", "true, true", "true, false"})
    void shouldPutTheSameBytesOnTheWireWhetherBuffersAreDirtyOrZeroed(boolean ipv6, boolean options) throws Exception {
        TcpConfig config = options
                ? TcpConfig.DEFAULT
                : TcpConfig.builder()
                        .timestamps(false)
                        .sack(false)
                        .windowScaling(false)
                        .build();
        Run dirty = run(ipv6, config, new FilledAllocator((byte) 0xff));
        Run clean = run(ipv6, config, new FilledAllocator((byte) 0));

        Set<Kind> expected = options
                ? EnumSet.allOf(Kind.class)
                : EnumSet.complementOf(EnumSet.of(Kind.SACK_BLOCKS, Kind.TIMESTAMPS, Kind.WINDOW_SCALE));
        assertEquals(expected, dirty.kinds, "segment kinds covered");
        assertTrue(dirty.zeroWindowProbes > 0, "zero-window probes sent: " + dirty.zeroWindowProbes);
        assertEquals(clean.packets.size(), dirty.packets.size(), "packets sent");
        for (int i = 0; i < dirty.packets.size(); i++) {
            byte[] d = dirty.packets.get(i);
            assertArrayEquals(clean.packets.get(i), d, "packet " + i + ": " + describe(d));
            assertReservedBitsZero(d, i);
        }
    }

    private static void assertReservedBitsZero(byte[] packet, int i) {
        int ip;
        if ((packet[0] & 0xf0) == 0x40) {
            ip = (packet[0] & 0x0f) * 4;
            // RFC 791 §3.1: "Bit 0: reserved, must be zero".
            assertEquals(0, packet[6] & 0x80, "packet " + i + ": IPv4 reserved flag");
        } else {
            ip = 40;
        }
        assertEquals(0, packet[ip + TcpHeader.DATA_OFFSET_OFFSET] & 0x0f, "packet " + i + ": TCP reserved bits");
    }

    private static String describe(byte[] packet) {
        return SegmentSpec.decode(Unpooled.wrappedBuffer(packet)).toString();
    }

    /** What one run put on the wire, in order (both directions interleaved as transmitted). */
    private static final class Run {
        final List<byte[]> packets = new ArrayList<>();
        final Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        long zeroWindowProbes;

        void record(ByteBuf packet) {
            byte[] bytes = ByteBufUtil.getBytes(packet);
            packets.add(bytes);
            SegmentSpec s = SegmentSpec.decode(Unpooled.wrappedBuffer(bytes));
            TcpOptionSpec o = s.options();
            if (s.has(TcpHeader.SYN)) {
                kinds.add(s.has(TcpHeader.ACK) ? Kind.SYN_ACK : Kind.SYN);
            } else if (s.has(TcpHeader.RST)) {
                kinds.add(Kind.RST);
            } else if (s.has(TcpHeader.FIN)) {
                kinds.add(Kind.FIN);
            } else if (s.payloadLength() > 0) {
                kinds.add(Kind.DATA);
            } else {
                kinds.add(Kind.PURE_ACK);
            }
            if (o.sackBlockCount() > 0) {
                kinds.add(Kind.SACK_BLOCKS);
            }
            if (o.timestamps()) {
                kinds.add(Kind.TIMESTAMPS);
            }
            if (o.windowScale() >= 0) {
                kinds.add(Kind.WINDOW_SCALE);
            }
        }
    }

    private static Run run(boolean ipv6, TcpConfig config, AbstractByteBufAllocator alloc) throws Exception {
        Run run = new Run();
        ManualClock clock = new ManualClock(SEC);
        IpAddr addrA = ipv6 ? TwoStacks.ADDR6_A : TwoStacks.ADDR_A;
        IpAddr addrB = ipv6 ? TwoStacks.ADDR6_B : TwoStacks.ADDR_B;
        int prefix = ipv6 ? 64 : 24;
        FaultModel lossy = FaultModel.NONE.withDelayNs(5 * MS).withLossRate(0.03);
        LinkPair pair = LinkPair.create(1500, lossy, FaultModel.NONE.withDelayNs(5 * MS), 11);
        NetStack a = NetStack.builder()
                .clock(clock)
                .config(config)
                .allocator(alloc)
                .seed(1)
                .addInterface(recording(pair.a(), run), addrA, prefix, null)
                .build();
        NetStack b = NetStack.builder()
                .clock(clock)
                .config(config)
                .allocator(alloc)
                .seed(2)
                .addInterface(recording(pair.b(), run), addrB, prefix, null)
                .build();
        a.bindToCurrentThread();
        b.bindToCurrentThread();
        try {
            TcpSocket server = b.openSocket();
            server.bind(addrB, 80);
            server.listen(16);
            TcpSocket client = a.openSocket();
            client.connect(addrB, 80, 0);
            TcpSocket[] acceptedBox = new TcpSocket[1];
            assertTrue(runUntil(clock, a, b, () -> (acceptedBox[0] = accept(server)) != null, 5 * SEC));
            TcpSocket accepted = acceptedBox[0];
            assertTrue(client.isConnected());

            // Data over the lossy direction (retransmissions; ACKs with SACK blocks when SACK is on) until the
            // receiver, which does not read, closes its window; then zero-window probes for a while.
            byte[] data = new byte[600_000];
            new Random(5).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            long probesBefore = a.counters().get(Counter.TCP_ZERO_WINDOW_PROBES);
            runUntil(
                    clock,
                    a,
                    b,
                    () -> {
                        write(client, src);
                        return false;
                    },
                    20 * SEC);
            run.zeroWindowProbes = a.counters().get(Counter.TCP_ZERO_WINDOW_PROBES) - probesBefore;

            // The reader drains everything; the writer finishes and closes (FIN both ways).
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            assertTrue(runUntil(
                    clock,
                    a,
                    b,
                    () -> {
                        write(client, src);
                        read(accepted, dst);
                        return !dst.hasRemaining();
                    },
                    120 * SEC));
            assertArrayEquals(data, dst.array());
            client.close();
            assertTrue(runUntil(clock, a, b, () -> readEof(accepted), 10 * SEC));
            accepted.close();
            assertTrue(runUntil(clock, a, b, () -> b.tcp().connections().isEmpty(), 10 * SEC));

            // A reset from a closed port, then one from an abort.
            TcpSocket refused = a.openSocket();
            refused.connect(addrB, 81, 0);
            runUntil(clock, a, b, () -> false, SEC);
            TcpSocket victim = a.openSocket();
            victim.connect(addrB, 80, 0);
            assertTrue(runUntil(clock, a, b, victim::isConnected, 5 * SEC));
            victim.abort();
            runUntil(clock, a, b, () -> false, SEC);
            return run;
        } finally {
            a.close();
            b.close();
        }
    }

    private static TcpSocket accept(TcpSocket server) {
        try {
            return server.accept(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean readEof(TcpSocket s) {
        try {
            return s.read(ByteBuffer.allocate(16), 0) == -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean write(TcpSocket s, ByteBuffer src) {
        try {
            if (src.hasRemaining()) {
                s.write(src, 0);
            }
            return !src.hasRemaining();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void read(TcpSocket s, ByteBuffer dst) {
        try {
            if (dst.hasRemaining()) {
                s.read(dst, 0);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Steps virtual time from event to event until {@code done} or {@code maxNs} have passed. */
    private static boolean runUntil(ManualClock clock, NetStack a, NetStack b, BooleanSupplier done, long maxNs) {
        long end = clock.nanoTime() + maxNs;
        while (true) {
            for (int i = 0; ; i++) {
                long now = clock.nanoTime();
                long na = a.poll(now);
                long nb = b.poll(now);
                if (na - now > 0 && nb - now > 0) {
                    break;
                }
                if (i > 10_000) {
                    throw new AssertionError("stacks did not settle");
                }
            }
            if (done.getAsBoolean()) {
                return true;
            }
            long next = Math.min(a.nextEventNs(), b.nextEventNs());
            if (next == Long.MAX_VALUE || next - end > 0) {
                clock.set(end);
                return false;
            }
            if (next - clock.nanoTime() > 0) {
                clock.set(next);
            }
        }
    }

    private static Link recording(Link link, Run run) {
        return new ForwardingLink(link) {
            @Override
            public boolean transmit(ByteBuf packet, long nowNs) {
                run.record(packet);
                return super.transmit(packet, nowNs);
            }
        };
    }

    /**
     * Hands out heap buffers whose every byte, up to the capacity, is {@code fill}: a pooled buffer reused after
     * other packets looks like this to whoever writes a header into it.
     */
    private static final class FilledAllocator extends AbstractByteBufAllocator {
        private final byte fill;

        FilledAllocator(byte fill) {
            super(false);
            this.fill = fill;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = Unpooled.buffer(initialCapacity, maxCapacity);
            Arrays.fill(b.array(), b.arrayOffset(), b.arrayOffset() + b.capacity(), fill);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}

package io.modtcp.stack.sim;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.LinkPair;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.util.function.BooleanSupplier;

/**
 * Two stacks, A (192.0.2.1) and B (192.0.2.2), over an in-memory link pair, driven by one virtual clock on the
 * calling thread: deterministic for a given seed.
 */
public final class TwoStacks implements AutoCloseable {
    public static final IpAddr ADDR_A = IpAddr.parseV4("192.0.2.1");
    public static final IpAddr ADDR_B = IpAddr.parseV4("192.0.2.2");

    public final ManualClock clock = new ManualClock(1_000_000_000L);
    public final LinkPair pair;
    public final NetStack a;
    public final NetStack b;

    public static final IpAddr ADDR6_A = IpAddr.parse("fd00::1");
    public static final IpAddr ADDR6_B = IpAddr.parse("fd00::2");

    /** The addresses of A and B in this run. */
    public final IpAddr addrA;

    public final IpAddr addrB;

    public TwoStacks(long seed, FaultModel aToB, FaultModel bToA, TcpConfig config, int mtu) {
        this(seed, aToB, bToA, config, mtu, false);
    }

    /** With {@code ipv6}, A is fd00::1/64 and B fd00::2/64 instead of 192.0.2.1/24 and 192.0.2.2/24. */
    public TwoStacks(long seed, FaultModel aToB, FaultModel bToA, TcpConfig config, int mtu, boolean ipv6) {
        addrA = ipv6 ? ADDR6_A : ADDR_A;
        addrB = ipv6 ? ADDR6_B : ADDR_B;
        int prefix = ipv6 ? 64 : 24;
        pair = LinkPair.create(mtu, aToB, bToA, seed);
        a = NetStack.builder()
                .clock(clock)
                .config(config)
                .seed(seed * 31 + 1)
                .addInterface(trace(watchRsts(pair.a(), 0)), addrA, prefix, null)
                .build();
        b = NetStack.builder()
                .clock(clock)
                .config(config)
                .seed(seed * 31 + 2)
                .addInterface(trace(watchRsts(pair.b(), 1)), addrB, prefix, null)
                .build();
        a.bindToCurrentThread();
        b.bindToCurrentThread();
    }

    private final long[] rstsWhileConnected = new long[2];

    /**
     * RSTs {@code stack} transmitted while it had at least one connection: resets of a connection, as opposed to the
     * RFC 9293 §3.10.7.1 answers to stale segments that arrive once every connection is gone.
     */
    public long rstsWhileConnected(NetStack stack) {
        return rstsWhileConnected[stack == a ? 0 : 1];
    }

    private io.modtcp.stack.link.Link watchRsts(io.modtcp.stack.link.Link link, int side) {
        return new ForwardingLink(link) {
            @Override
            public boolean transmit(io.netty.buffer.ByteBuf packet, long nowNs) {
                NetStack owner = side == 0 ? a : b;
                if (isTcpRst(packet)
                        && owner != null
                        && !owner.tcp().connections().isEmpty()) {
                    rstsWhileConnected[side]++;
                }
                return super.transmit(packet, nowNs);
            }
        };
    }

    /** IPv4 carrying TCP with RST set. */
    private static boolean isTcpRst(io.netty.buffer.ByteBuf packet) {
        int start = packet.readerIndex();
        if (packet.readableBytes() < 20 || (packet.getByte(start) >> 4) != 4 || packet.getByte(start + 9) != 6) {
            return false;
        }
        int ihl = (packet.getByte(start) & 0x0f) * 4;
        return packet.readableBytes() >= ihl + 14 && (packet.getByte(start + ihl + 13) & 0x04) != 0;
    }

    private static io.modtcp.stack.link.Link trace(io.modtcp.stack.link.Link link) {
        return TRACE ? new TracingLink(link, System.out::println) : link;
    }

    /** Set -Dmodtcp.sim.trace=true to print every segment. */
    static final boolean TRACE =
            Boolean.getBoolean("modtcp.sim.trace") || "true".equals(System.getenv("MODTCP_SIM_TRACE"));

    public TwoStacks(long seed) {
        this(seed, FaultModel.NONE, FaultModel.NONE, TcpConfig.DEFAULT, 1500);
    }

    /** Polls both stacks at the current time until neither has anything to do now. */
    public void settle() {
        for (int i = 0; i < 10_000; i++) {
            long now = clock.nanoTime();
            long na = a.poll(now);
            long nb = b.poll(now);
            if (na - now > 0 && nb - now > 0) {
                return;
            }
        }
        throw new AssertionError("stacks did not settle");
    }

    /** The next time either stack has work, or MAX_VALUE. */
    public long nextEventNs() {
        return Math.min(a.nextEventNs(), b.nextEventNs());
    }

    /** Runs until {@code done} is true, stepping virtual time from event to event, at most {@code maxNs}. */
    public boolean runUntil(BooleanSupplier done, long maxNs) {
        long end = clock.nanoTime() + maxNs;
        while (true) {
            settle();
            if (done.getAsBoolean()) {
                return true;
            }
            long next = nextEventNs();
            if (next == Long.MIN_VALUE) {
                continue; // a command from another thread is queued: run it now
            }
            if (next == Long.MAX_VALUE || next - end > 0) {
                return false;
            }
            if (next - clock.nanoTime() > 0) {
                clock.set(next);
            }
        }
    }

    /** Advances virtual time by {@code ns}, processing every event on the way. */
    public void advance(long ns) {
        long end = clock.nanoTime() + ns;
        runUntil(() -> false, ns);
        if (clock.nanoTime() - end < 0) {
            clock.set(end);
        }
        settle();
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}

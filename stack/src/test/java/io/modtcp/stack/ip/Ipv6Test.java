package io.modtcp.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.LinkPair;
import io.modtcp.stack.sim.TwoStacks;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.Checksum;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv6Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** IPv6: TCP between two stacks, ICMPv6 echo, ::1 on loopback, dual-stack wildcard listeners. */
class Ipv6Test {
    private static final IpAddr A = TwoStacks.ADDR6_A;
    private static final IpAddr B = TwoStacks.ADDR6_B;
    private static final long SECOND = 1_000_000_000L;

    private final ManualClock clock = new ManualClock(1_000_000_000L);

    /** Polls one stack, stepping virtual time from event to event, until {@code done}; false if it went idle. */
    private boolean run(BooleanSupplier done, NetStack s) {
        for (int i = 0; i < 1_000_000; i++) {
            long next = s.poll(clock.nanoTime());
            if (done.getAsBoolean()) {
                return true;
            }
            next = Math.min(next, s.poll(clock.nanoTime())); // done() may have queued work
            if (next == Long.MAX_VALUE) {
                return false;
            }
            if (next - clock.nanoTime() > 0) {
                clock.set(next);
            }
        }
        return false;
    }

    @Test
    void shouldParseAndPrintIpv6Literals() {
        assertEquals(new IpAddr(0xfd00_0000_0000_0000L, 1), A);
        assertEquals(IpAddr.LOOPBACK6, IpAddr.parse("::1"));
        assertEquals(IpAddr.ANY6, IpAddr.parse("::"));
        assertTrue(IpAddr.parse("::ffff:192.0.2.1").isV4());
        assertEquals(new IpAddr(0x2001_0db8_0000_0000L, 0x0000_0000_c000_0201L), IpAddr.parse("2001:db8::192.0.2.1"));
        assertEquals(A, IpAddr.fromBytes(A.toBytes()));
    }

    @Test
    void shouldTransferBytesOverIpv6WithLoss() throws Exception {
        TwoStacks net = new TwoStacks(
                9,
                FaultModel.NONE.withLossRate(0.02).withDelayNs(5_000_000),
                FaultModel.NONE.withDelayNs(5_000_000),
                TcpConfig.DEFAULT,
                1500,
                true);
        NetStack a = net.a;
        NetStack b = net.b;
        TcpSocket server = b.openSocket();
        server.bind(IpAddr.ANY6, 443);
        server.listen(4);
        TcpSocket client = a.openSocket();
        client.connect(B, 443, 0);
        assertTrue(net.runUntil(() -> client.isConnected() && (server.readyOps() & TcpSocket.OP_ACCEPT) != 0, SECOND));
        assertEquals(A, client.localAddress());
        TcpSocket accepted = server.accept(0);
        assertNotNull(accepted);
        assertEquals(A, accepted.remoteAddress());

        byte[] data = new byte[300_000];
        new Random(3).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        assertTrue(
                net.runUntil(
                        () -> {
                            try {
                                client.write(src, 0);
                                accepted.read(dst, 0);
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                            return !dst.hasRemaining();
                        },
                        60 * SECOND),
                () -> "stalled: got " + dst.position() + " A "
                        + a.tcp().connections().get(0).delivery() + " "
                        + a.tcp().connections().get(0).flow() + " B "
                        + b.tcp().connections().get(0).delivery() + "\n" + a.counters());
        assertArrayEquals(data, dst.array());
        // IPv6 MSS: 1500 - 40 - 20.
        assertEquals(1440, a.tcp().connections().get(0).connection().sendMss());
        assertTrue(a.counters().get(Counter.TCP_RETRANS_SEGS) > 0, "loss should have caused retransmissions");
        net.close();
    }

    @Test
    void shouldAnswerIcmpv6EchoRequest() {
        TwoStacks net = new TwoStacks(1, FaultModel.NONE, FaultModel.NONE, TcpConfig.DEFAULT, 1500, true);
        LinkPair pair = net.pair;
        NetStack b = net.b;
        long now = net.clock.nanoTime();
        ByteBuf ping = Unpooled.buffer();
        new Ipv6Header().wrap(ping, 0).write(0, 0, 12, 58, 64, A, B);
        ping.writerIndex(40);
        ping.writeByte(128)
                .writeByte(0)
                .writeShort(0)
                .writeShort(0x1234)
                .writeShort(7)
                .writeInt(0xcafebabe);
        int sum = Checksum.sum(ping, 40, 12, Checksum.pseudoHeader(A, B, 58, 12));
        ping.setShort(42, Checksum.fold(sum));
        assertTrue(pair.a().transmit(ping, now));
        b.poll(now);
        List<ByteBuf> replies = new ArrayList<>();
        pair.a().receive(replies::add, 10, now);
        assertEquals(1, replies.size());
        ByteBuf reply = replies.get(0);
        try {
            Ipv6Header h = new Ipv6Header().wrap(reply, reply.readerIndex());
            assertEquals(58, h.nextHeader());
            assertEquals(A, new IpAddr(h.dstHi(), h.dstLo()));
            int off = reply.readerIndex() + 40;
            assertEquals(129, reply.getUnsignedByte(off));
            assertEquals(0x1234, reply.getUnsignedShort(off + 4));
            assertEquals(0xcafebabe, reply.getInt(off + 8));
            assertEquals(0, Checksum.fold(Checksum.sum(reply, off, 12, Checksum.pseudoHeader(B, A, 58, 12))));
        } finally {
            reply.release();
        }
        assertEquals(1, b.counters().get(Counter.ICMP_OUT_ECHO_REPS));
        net.close();
    }

    @Test
    void shouldConnectOverIpv6LoopbackAndAcceptIpv4OnIpv6Wildcard() throws Exception {
        NetStack s = NetStack.builder().clock(clock).seed(5).loopback().build();
        s.bindToCurrentThread();
        TcpSocket server = s.openSocket();
        server.bind(IpAddr.ANY6, 8080);
        server.listen(4);

        TcpSocket six = s.openSocket();
        six.connect(IpAddr.LOOPBACK6, 8080, 0);
        assertTrue(run(six::isConnected, s));
        TcpSocket acceptedSix = server.accept(0);
        assertEquals(IpAddr.LOOPBACK6, acceptedSix.remoteAddress());

        // Dual stack, as on Linux: the IPv6 wildcard listener also takes IPv4.
        TcpSocket four = s.openSocket();
        four.connect(IpAddr.parse("127.0.0.1"), 8080, 0);
        assertTrue(run(four::isConnected, s));
        TcpSocket acceptedFour = server.accept(0);
        assertEquals(IpAddr.parse("127.0.0.1"), acceptedFour.remoteAddress());
        assertTrue(acceptedFour.localAddress().isV4());
        s.close();
    }
}

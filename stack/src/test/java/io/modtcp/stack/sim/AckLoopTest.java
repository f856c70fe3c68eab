package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ACK loops (RFC 5961 §5.2, §7; Linux's tcp_invalid_ratelimit): one segment injected into a connection between two
 * modtcp stacks, in A's window but beyond what B sent, makes A acknowledge data B never sent; B answers that ACK of
 * unsent data with an ACK whose sequence number A now finds out of window, which A answers, and so on. Without a
 * per-connection rate limit on those answers the two stacks exchange ACKs forever.
 */
class AckLoopTest {
    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000_000_000L;

    @Test
    void shouldBoundSegmentsAfterAnInjectedSegmentDesynchronisesTwoStacks() throws Exception {
        long[] withLimits = segmentsAfterInjection(TcpConfig.DEFAULT);
        // The injected segment itself, A's ACK of the forged bytes, B's challenge ACK, A's out-of-window ACK; B's
        // next answer is skipped and nothing restarts the exchange.
        assertEquals(4, withLimits[0], "segments after (and including) the injection");
        assertEquals(1, withLimits[1], "the loop ends at the first rate-limited answer");
    }

    /** The same injection with both limits off, as before: the loop runs at one exchange per 2 ms round trip. */
    @Test
    void shouldLoopWithoutTheLimits() throws Exception {
        TcpConfig noLimits = TcpConfig.builder()
                .invalidAckRateLimitNs(0)
                .challengeAckLimitPerSecond(Integer.MAX_VALUE)
                .build();
        long[] without = segmentsAfterInjection(noLimits);
        assertTrue(without[0] > 9_000, "segments after the injection without limits: " + without[0]);
        assertEquals(0, without[1]);
    }

    /**
     * Connects A to B, exchanges a few bytes, lets the connection go idle, injects the segment and runs 10 virtual
     * seconds; returns the segments on the link from the injection on (the injected one included), and the answers
     * the stacks skipped.
     */
    private static long[] segmentsAfterInjection(TcpConfig config) throws Exception {
        FaultModel oneMs = FaultModel.NONE.withDelayNs(MS);
        try (TwoStacks net = new TwoStacks(11, oneMs, oneMs, config, 1500)) {
            TcpSocket server = net.b.openSocket();
            server.bind(TwoStacks.ADDR_B, 80);
            server.listen(4);
            TcpSocket client = net.a.openSocket();
            client.connect(TwoStacks.ADDR_B, 80, 0);
            assertTrue(net.runUntil(client::isConnected, SEC));
            TcpSocket[] acceptedHolder = new TcpSocket[1];
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            acceptedHolder[0] = server.accept(0);
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                        return acceptedHolder[0] != null;
                    },
                    SEC));
            TcpSocket accepted = acceptedHolder[0];
            assertNotNull(accepted);
            byte[] hello = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            accepted.write(ByteBuffer.wrap(hello), 0);
            ByteBuffer got = ByteBuffer.allocate(16);
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            client.read(got, 0);
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                        return got.position() == hello.length;
                    },
                    SEC));
            net.advance(SEC); // every ACK delivered, delayed ACKs sent: the connection is idle

            TcpConnection a = net.a.tcp().connections().get(0);
            long sentBefore = net.pair.statsAToB().sent() + net.pair.statsBToA().sent();
            // The attacker's segment, as if from B: 100 bytes at A's RCV.NXT, which B never sent.
            SegmentSpec forged = new SegmentSpec(
                    TwoStacks.ADDR_B,
                    80,
                    TwoStacks.ADDR_A,
                    a.connection().localPort(),
                    a.delivery().rcvNxt(),
                    a.delivery().sndNxt(),
                    TcpHeader.ACK | TcpHeader.PSH,
                    65535,
                    new TcpOptionSpec(-1, -1, false, true, a.delivery().tsRecent() + 1, 0, List.of()),
                    new byte[100]);
            net.pair.b().transmit(forged.encode(net.a.alloc()), net.clock.nanoTime());

            net.advance(10 * SEC);
            long sent = net.pair.statsAToB().sent() + net.pair.statsBToA().sent() - sentBefore;
            long skipped = net.a.counters().get(Counter.TCP_ACK_SKIPPED_SEQ)
                    + net.b.counters().get(Counter.TCP_ACK_SKIPPED_CHALLENGE);
            System.out.printf(
                    "ACK loop (rate limit %d ms, challenge limit %d/s): %d segments in 10 virtual s after one "
                            + "injected segment, %d answers skipped%n",
                    config.invalidAckRateLimitNs() / MS, config.challengeAckLimitPerSecond(), sent, skipped);
            assertArrayEquals(hello, java.util.Arrays.copyOf(got.array(), hello.length));
            return new long[] {sent, skipped};
        }
    }
}

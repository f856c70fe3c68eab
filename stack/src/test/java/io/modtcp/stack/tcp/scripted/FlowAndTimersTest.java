package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.tcp.scripted.Script.PEER_MSS;
import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Nagle, delayed ACKs, the persist timer and keepalive, in ESTABLISHED. */
class FlowAndTimersTest {
    private static final long RTT_NS = 100 * MS;
    /** RTO after the {@link #RTT_NS} handshake sample: 100 + 4 * 50 ms. */
    private static final long RTO_NS = 300 * MS;

    private static final long DELAYED_ACK_NS = 40 * MS;
    private static final long KEEP_IDLE_NS = 10 * SEC;
    private static final long KEEP_INTERVAL_NS = SEC;
    private static final int KEEP_COUNT = 3;

    private final Script s = new Script(TcpConfig.builder()
            .keepIdleNs(KEEP_IDLE_NS)
            .keepIntervalNs(KEEP_INTERVAL_NS)
            .keepCount(KEEP_COUNT)
            .build());

    @AfterEach
    void tearDown() {
        s.close();
    }

    private TcpSocket establishWithRtt() throws Exception {
        return s.establishActive(RTT_NS, in -> in.mss(PEER_MSS));
    }

    @Nested
    class Nagle {
        @Test
        void shouldHoldSecondSmallWriteUntilAckWhenNoDelayIsOff() throws Exception {
            TcpSocket c = s.establishActive();
            s.write(c, Script.bytes(0, 10));
            s.expect(s.out(ACK).seq(1).len(10));
            s.write(c, Script.bytes(10, 10));
            s.expectNothing();
            s.advance(50 * MS);
            s.expectNothing();
            s.inject(s.in(ACK).seq(1).ack(11));
            s.expect(s.out(ACK).seq(11).payload(Script.bytes(10, 10)));
            s.expectNothing();
        }

        @Test
        void shouldSendSecondSmallWriteAtOnceWhenNoDelayIsOn() throws Exception {
            TcpSocket c = s.establishActive();
            c.setNoDelay(true);
            s.write(c, Script.bytes(0, 10));
            s.expect(s.out(ACK).seq(1).len(10));
            s.write(c, Script.bytes(10, 10));
            s.expect(s.out(ACK).seq(11).payload(Script.bytes(10, 10)));
            s.expectNothing();
        }

        @Test
        void shouldSendFullSegmentsWhileSmallTailWaitsWhenNoDelayIsOff() throws Exception {
            TcpSocket c = s.establishActive();
            s.write(c, Script.bytes(0, 10));
            s.expect(s.out(ACK).seq(1).len(10));
            s.write(c, Script.bytes(10, PEER_MSS + 5));
            s.expect(s.out(ACK).seq(11).len(PEER_MSS));
            s.expectNothing();
            s.inject(s.in(ACK).seq(1).ack(11 + PEER_MSS));
            s.expect(s.out(ACK).seq(11 + PEER_MSS).len(5));
        }
    }

    @Nested
    class DelayedAck {
        @Test
        void shouldAckOneFullSegmentExactlyAtDelayedAckDeadline() throws Exception {
            s.establishActive();
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1).data(PEER_MSS));
            s.advanceTo(t + DELAYED_ACK_NS - 1);
            s.expectNothing();
            s.advanceTo(t + DELAYED_ACK_NS);
            s.expectAt(t + DELAYED_ACK_NS, s.out(ACK).seq(1).ack(1 + PEER_MSS).len(0));
            assertEquals(1, s.counter(Counter.TCP_DELAYED_ACKS));
        }

        @Test
        void shouldAckAtOnceWhenSecondFullSegmentArrives() throws Exception {
            s.establishActive();
            s.inject(s.in(ACK).seq(1).ack(1).data(PEER_MSS));
            s.expectNothing();
            long t = s.now();
            s.inject(s.in(ACK).seq(1 + PEER_MSS).ack(1).data(PEER_MSS));
            s.expectAt(t, s.out(ACK).seq(1).ack(1 + 2 * PEER_MSS).len(0));
            s.advance(DELAYED_ACK_NS);
            s.expectNothing();
        }

        @Test
        void shouldSendTheDelayedAckAtOnceWhenTheApplicationReadsEverything() throws Exception {
            // One segment in flight (say, all the sender's SO_SNDBUF allows): its sender waits for this ACK, and no
            // second segment comes to trigger it, so the delay would stall the transfer once per segment.
            TcpSocket c = s.establishActive();
            s.inject(s.in(ACK).seq(1).ack(1).data(1000));
            s.advance(5 * MS);
            s.expectNothing();
            long t = s.now();
            assertEquals(1000, s.read(c).length);
            s.expectAt(t, s.out(ACK).seq(1).ack(1001).len(0));
            s.advance(DELAYED_ACK_NS);
            s.expectNothing();
            assertEquals(0, s.counter(Counter.TCP_DELAYED_ACKS));
        }

        @Test
        void shouldKeepTheDelayForAFullSegmentEvenWhenTheApplicationReadsIt() throws Exception {
            // A stream of full segments is acknowledged every second segment; a lone full one waits for the delay.
            TcpSocket c = s.establishActive();
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1).data(PEER_MSS));
            assertEquals(PEER_MSS, s.read(c).length);
            s.expectNothing();
            s.advanceTo(t + DELAYED_ACK_NS);
            s.expectAt(t + DELAYED_ACK_NS, s.out(ACK).seq(1).ack(1 + PEER_MSS).len(0));
        }

        @Test
        void shouldKeepTheDelayWhileReceivedDataIsUnread() throws Exception {
            TcpSocket c = s.establishActive();
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1).data(1000));
            ByteBuffer part = ByteBuffer.allocate(10);
            assertEquals(10, c.read(part, 0));
            s.poll();
            s.expectNothing();
            s.advanceTo(t + DELAYED_ACK_NS);
            s.expectAt(t + DELAYED_ACK_NS, s.out(ACK).seq(1).ack(1001).len(0));
        }

        @Test
        void shouldSendDuplicateAckAtOnceWhenSegmentIsOutOfOrder() throws Exception {
            s.establishActive();
            long t = s.now();
            s.inject(s.in(ACK).seq(1 + 100).ack(1).data(50));
            s.expectAt(t, s.out(ACK).seq(1).ack(1).len(0));
            // Filling the hole is acknowledged at once too (RFC 5681 §4.2).
            s.inject(s.in(ACK).seq(1).ack(1).data(100));
            s.expectAt(t, s.out(ACK).seq(1).ack(151).len(0));
        }
    }

    @Nested
    class ZeroWindow {
        @Test
        void shouldProbeWithBackoffAndResumeWhenWindowOpens() throws Exception {
            TcpSocket c = establishWithRtt();
            s.inject(s.in(ACK).seq(1).ack(1).win(0));
            long t = s.now();
            s.write(c, Script.bytes(100));
            s.expectNothing();
            // The persist interval starts at the RTO and doubles (RFC 1122 §4.2.2.17); the probe is Linux's:
            // SEG.SEQ = SND.UNA - 1, no data.
            long p1 = t + RTO_NS;
            s.advanceTo(p1 - 1);
            s.expectNothing();
            s.advanceTo(p1);
            s.expectAt(p1, s.out(ACK).seq(0).ack(1).len(0));
            s.inject(s.in(ACK).seq(1).ack(1).win(0));
            long p2 = p1 + 2 * RTO_NS;
            s.advanceTo(p2 - 1);
            s.expectNothing();
            s.advanceTo(p2);
            s.expectAt(p2, s.out(ACK).seq(0).ack(1).len(0));
            long p3 = p2 + 4 * RTO_NS;
            s.advanceTo(p3 - 1);
            s.expectNothing();
            s.advanceTo(p3);
            s.expectAt(p3, s.out(ACK).seq(0).ack(1).len(0));
            assertEquals(3, s.counter(Counter.TCP_ZERO_WINDOW_PROBES));
            s.assertState(TcpState.ESTABLISHED);
            s.inject(s.in(ACK).seq(1).ack(1).win(65535));
            s.expect(s.out(ACK).seq(1).ack(1).payload(Script.bytes(100)));
            s.expectNothing();
        }
    }

    @Nested
    class Keepalive {
        @Test
        void shouldProbeAtIdleThenEachIntervalAndFailAfterCountProbes() throws Exception {
            TcpSocket c = s.establishActive();
            c.setKeepAlive(true);
            long t = s.now();
            s.advanceTo(t + KEEP_IDLE_NS - 1);
            s.expectNothing();
            s.advanceTo(t + KEEP_IDLE_NS);
            // RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1, no data.
            s.expectAt(t + KEEP_IDLE_NS, s.out(ACK).seq(0).ack(1).len(0));
            for (int i = 1; i < KEEP_COUNT; i++) {
                long at = t + KEEP_IDLE_NS + i * KEEP_INTERVAL_NS;
                s.advanceTo(at - 1);
                s.expectNothing();
                s.advanceTo(at);
                s.expectAt(at, s.out(ACK).seq(0).ack(1).len(0));
            }
            long dead = t + KEEP_IDLE_NS + KEEP_COUNT * KEEP_INTERVAL_NS;
            s.advanceTo(dead - 1);
            s.assertState(TcpState.ESTABLISHED);
            s.advanceTo(dead);
            assertNull(s.connection());
            assertEquals(KEEP_COUNT, s.counter(Counter.TCP_KEEPALIVE_PROBES));
            assertEquals(1, s.counter(Counter.TCP_KEEPALIVE_TIMEOUTS));
            SocketException e = assertThrows(SocketException.class, () -> c.read(ByteBuffer.allocate(8), 0));
            assertEquals("Connection timed out", e.getMessage());
        }

        @Test
        void shouldStayAliveWhenProbesAreAnswered() throws Exception {
            TcpSocket c = s.establishActive();
            c.setKeepAlive(true);
            long t = s.now();
            s.advanceTo(t + KEEP_IDLE_NS);
            s.expect(s.out(ACK).seq(0).ack(1).len(0));
            s.advance(KEEP_INTERVAL_NS / 2);
            s.inject(s.in(ACK).seq(1).ack(1));
            long answered = s.now();
            s.expectNothing();
            s.advanceTo(answered + KEEP_IDLE_NS - 1);
            s.expectNothing();
            s.advanceTo(answered + KEEP_IDLE_NS);
            s.expectAt(answered + KEEP_IDLE_NS, s.out(ACK).seq(0).ack(1).len(0));
            s.inject(s.in(ACK).seq(1).ack(1));
            s.advance(5 * KEEP_INTERVAL_NS);
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
            assertEquals(0, s.counter(Counter.TCP_KEEPALIVE_TIMEOUTS));
        }
    }
}

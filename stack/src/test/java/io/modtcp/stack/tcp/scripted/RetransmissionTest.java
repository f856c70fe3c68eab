package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.tcp.scripted.Script.PEER_MSS;
import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** RFC 6298 retransmission timing, RFC 9293 §3.8.3 retry limits, RFC 5681 §3.2 fast retransmit. */
class RetransmissionTest {
    /** The handshake RTT of {@link #establishWithRtt}: SRTT 100 ms, RTTVAR 50 ms, so RTO = 100 + 4 * 50 = 300 ms. */
    private static final long RTT_NS = 100 * MS;

    private static final long RTO_NS = 300 * MS;

    private Script s =
            new Script(TcpConfig.builder().maxRetries(2).synRetries(2).build());

    @AfterEach
    void tearDown() {
        s.close();
    }

    /** Active open whose SYN-ACK arrives {@link #RTT_NS} after the SYN: the first RTT sample. */
    private TcpSocket establishWithRtt() throws Exception {
        return s.establishActive(RTT_NS, in -> in.mss(PEER_MSS));
    }

    @Nested
    class SynSent {
        @Test
        void shouldRetransmitSynAtInitialRtoAndDoubleIt() throws Exception {
            long t0 = s.now();
            TcpSocket c = s.connect();
            // RFC 6298 §2.1: no RTT sample yet, RTO = 1 s.
            s.advanceTo(t0 + SEC - 1);
            s.expectNothing();
            s.advanceTo(t0 + SEC);
            s.expectAt(t0 + SEC, s.out(SYN).seq(0).len(0));
            // §5.5: back off, 2 s.
            s.advanceTo(t0 + 3 * SEC - 1);
            s.expectNothing();
            s.advanceTo(t0 + 3 * SEC);
            s.expectAt(t0 + 3 * SEC, s.out(SYN).seq(0).len(0));
            assertEquals(2, s.counter(Counter.TCP_RETRANS_SEGS));
            // synRetries = 2: the third expiry (4 s later) gives up.
            s.advanceTo(t0 + 7 * SEC - 1);
            s.assertState(TcpState.SYN_SENT);
            s.advanceTo(t0 + 7 * SEC);
            s.expectNothing();
            assertNull(s.connection());
            ConnectException e = assertThrows(ConnectException.class, () -> c.finishConnect(0));
            assertEquals("Connection timed out", e.getMessage());
        }

        @Test
        void shouldUseThreeSecondRtoForDataWhenSynWasRetransmitted() throws Exception {
            long t0 = s.now();
            TcpSocket c = s.connect();
            s.advanceTo(t0 + SEC);
            s.expect(s.out(SYN).seq(0));
            s.inject(s.in(SYN | ACK).seq(0).ack(1).mss(PEER_MSS));
            s.expect(s.out(ACK).seq(1).ack(1));
            // RFC 6298 §5.7: the SYN timed out and there is no RTT sample (Karn): RTO MUST be 3 s for data.
            long t1 = s.now();
            s.write(c, Script.bytes(10));
            s.expect(s.out(ACK).seq(1).len(10));
            s.advanceTo(t1 + 3 * SEC - 1);
            s.expectNothing();
            s.advanceTo(t1 + 3 * SEC);
            s.expectAt(t1 + 3 * SEC, s.out(ACK).seq(1).len(10));
        }

        @Test
        void shouldEstablishWhenSynAckAnswersRetransmittedSyn() throws Exception {
            long t0 = s.now();
            TcpSocket c = s.connect();
            s.advanceTo(t0 + SEC);
            s.expect(s.out(SYN).seq(0));
            s.inject(s.in(SYN | ACK).seq(0).ack(1).mss(PEER_MSS));
            s.expect(s.out(ACK).seq(1).ack(1));
            s.assertState(TcpState.ESTABLISHED);
            assertEquals(true, c.finishConnect(0));
        }
    }

    @Nested
    class Established {
        @Test
        void shouldRetransmitExactlyAtRtoAndThenAfterDoubleTheInterval() throws Exception {
            TcpSocket c = establishWithRtt();
            assertEquals(RTO_NS, s.connection().delivery().rtoNs());
            long t1 = s.now();
            s.write(c, Script.bytes(100));
            s.expectAt(t1, s.out(ACK).seq(1).ack(1).len(100));
            s.advanceTo(t1 + RTO_NS - 1);
            s.expectNothing();
            s.advanceTo(t1 + RTO_NS);
            s.expectAt(t1 + RTO_NS, s.out(ACK).seq(1).ack(1).payload(Script.bytes(100)));
            long t2 = t1 + RTO_NS + 2 * RTO_NS;
            s.advanceTo(t2 - 1);
            s.expectNothing();
            s.advanceTo(t2);
            s.expectAt(t2, s.out(ACK).seq(1).ack(1).len(100));
            // An ACK of everything stops the timer.
            s.inject(s.in(ACK).seq(1).ack(101));
            s.advance(10 * SEC);
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldFailWithTimeoutWhenRetriesAreExhausted() throws Exception {
            TcpSocket c = establishWithRtt();
            long t1 = s.now();
            s.write(c, Script.bytes(100));
            s.expect(s.out(ACK).seq(1).len(100));
            s.advanceTo(t1 + RTO_NS);
            s.expect(s.out(ACK).seq(1).len(100));
            s.advanceTo(t1 + 3 * RTO_NS);
            s.expect(s.out(ACK).seq(1).len(100));
            // maxRetries = 2: the third expiry, 4 RTO later, gives up (no reset is sent).
            long giveUp = t1 + 7 * RTO_NS;
            s.advanceTo(giveUp - 1);
            s.assertState(TcpState.ESTABLISHED);
            s.advanceTo(giveUp);
            s.expectNothing();
            assertNull(s.connection());
            assertEquals(1, s.counter(Counter.TCP_TIMEOUTS));
            SocketException e = assertThrows(SocketException.class, () -> c.read(ByteBuffer.allocate(8), 0));
            assertEquals("Connection timed out", e.getMessage());
        }

        @Test
        void shouldUseMinRtoWhenMeasuredRttIsTiny() throws Exception {
            s.close();
            s = new Script();
            TcpSocket c = s.establishActive();
            // RTT ~0: RTO = max(minRto 200 ms, SRTT + max(G, 4 RTTVAR)).
            long t1 = s.now();
            s.write(c, Script.bytes(10));
            s.expect(s.out(ACK).seq(1).len(10));
            s.advanceTo(t1 + 200 * MS - 1);
            s.expectNothing();
            s.advanceTo(t1 + 200 * MS);
            s.expectAt(t1 + 200 * MS, s.out(ACK).seq(1).len(10));
        }

        @Test
        void shouldFastRetransmitFirstUnackedSegmentWhenThreeDuplicateAcksArrive() throws Exception {
            TcpSocket c = establishWithRtt();
            s.write(c, Script.bytes(5 * PEER_MSS));
            for (int i = 0; i < 5; i++) {
                s.expect(s.out(ACK).seq(1 + i * PEER_MSS).ack(1).len(PEER_MSS));
            }
            s.advance(RTT_NS);
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS));
            s.expectNothing();
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS));
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS));
            s.expectNothing();
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS));
            s.expectAt(t, s.out(ACK).seq(1 + PEER_MSS).ack(1).payload(Script.bytes(PEER_MSS, PEER_MSS)));
            assertEquals(1, s.counter(Counter.TCP_FAST_RETRANSMITS));
            assertEquals(0, s.counter(Counter.TCP_RTO_EXPIRIES));
        }

        @Test
        void shouldNotCountWindowUpdateAsDuplicateAck() throws Exception {
            // RFC 5681 §2 (e): an ACK of SND.UNA whose window differs from the last one is a window update, not a
            // duplicate ACK. Four window updates in a row start no fast retransmit, and the count starts again at
            // the first ACK with an unchanged window: the third of those is the third duplicate.
            TcpSocket c = establishWithRtt();
            s.write(c, Script.bytes(5 * PEER_MSS));
            for (int i = 0; i < 5; i++) {
                s.expect(s.out(ACK).seq(1 + i * PEER_MSS).ack(1).len(PEER_MSS));
            }
            s.advance(RTT_NS);
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS).win(65535));
            s.expectNothing();
            for (int window = 60_000; window >= 30_000; window -= 10_000) {
                s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS).win(window));
            }
            s.expectNothing();
            assertEquals(0, s.counter(Counter.TCP_FAST_RETRANSMITS));
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS).win(30_000));
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS).win(30_000));
            s.expectNothing();
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS).win(30_000));
            s.expectAt(t, s.out(ACK).seq(1 + PEER_MSS).ack(1).payload(Script.bytes(PEER_MSS, PEER_MSS)));
            assertEquals(1, s.counter(Counter.TCP_FAST_RETRANSMITS));
        }
    }
}

package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RACK-TLP (RFC 8985) and Proportional Rate Reduction (RFC 6937), rule by rule, on a SACK connection whose RTT is
 * 10 ms (no timestamps, no window scaling; the initial window is ten segments).
 */
class RackTlpTest {
    private static final int SEG = 1460;
    private static final long RTT = 10 * Script.MS;

    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    /** Active open with SACK-permitted; the SYN-ACK comes one RTT after the SYN (SRTT = 10 ms). */
    private TcpSocket establishWithSack() throws Exception {
        return s.establishActiveWithSack(RTT);
    }

    /** Sends {@code n} full segments, all of which go out now (n <= 10, the initial window). */
    private TcpSocket sendSegments(int n) throws Exception {
        TcpSocket sock = establishWithSack();
        s.write(sock, Script.bytes(n * SEG));
        for (int i = 0; i < n; i++) {
            s.expect(s.out(ACK).seq(seg(i)).len(SEG));
        }
        return sock;
    }

    /** The relative sequence number where segment {@code i} starts. */
    private static int seg(int i) {
        return 1 + i * SEG;
    }

    /** SACK blocks relative to the stack's ISS, as left, right pairs. */
    private TcpOptionSpec sack(int... relative) {
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < relative.length; i += 2) {
            blocks.add(new int[] {s.localIss() + relative[i], s.localIss() + relative[i + 1]});
        }
        return new TcpOptionSpec(-1, -1, false, false, 0, 0, blocks);
    }

    @Test
    void shouldDetectLossAfterTheReorderingWindowWithoutThreeDuplicateAcks() throws Exception {
        sendSegments(4);
        // One RTT later segment 1 is SACKed, segment 0 is not: one duplicate ACK only. RACK waits min_RTT/4 = 2.5 ms
        // (RFC 8985 §6.2 step 4: no reordering seen, fewer than DupThresh segments SACKed, not in recovery).
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(1), seg(2))));
        s.expectNothing();
        s.advance(2 * Script.MS);
        s.expectNothing();
        // The RACK timer fires: segment 0 is lost and recovery retransmits it.
        s.advance(2 * Script.MS);
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        assertEquals(1, s.counter(Counter.TCP_SACK_RECOVERIES));
        assertEquals(0, s.counter(Counter.TCP_RTO_EXPIRIES));
    }

    @Test
    void shouldMarkLostAtOnceWhenThreeSegmentsAreSackedAndNoReorderingWasSeen() throws Exception {
        sendSegments(5);
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(1), seg(4))));
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
    }

    @Test
    void shouldSendThePrrQuotaAndDetectALostRetransmissionByTime() throws Exception {
        TcpSocket sock = sendSegments(10);
        s.write(sock, Script.bytes(4 * SEG));
        s.expectNothing(); // cwnd (ten segments) is full
        int ssthresh = (int) (10 * SEG * 0.7); // CUBIC's reduction (RFC 9438 §4.6)
        // Segment 0 lost, 1..3 SACKed: recovery. pipe = 6 segments <= ssthresh (7), so PRR-SSRB (RFC 6937 §3.1)
        // allows min(ssthresh - pipe, ...) = 1 segment: the retransmission, and no new data.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(1), seg(4))));
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        s.expectNothing();
        assertEquals(ssthresh, s.connection().congestion().ssthresh());
        // One more segment delivered: one more may go (new data, segment 10).
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(1), seg(5))));
        s.expect(s.out(ACK).seq(seg(10)).len(SEG));
        s.expectNothing();
        // One RTT later segment 10, sent after the retransmission of segment 0, arrives; the retransmission does not.
        // RACK finds it lost one RTT after it was sent (RFC 8985 §6.2), with 6..9 (sent earlier, not SACKed); pipe
        // is 0, so PRR-SSRB allows prr_delivered - prr_out + 1 = 5 segments: segment 0 again, then 6 to 9.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(10), seg(11), seg(1), seg(6))));
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        for (int i = 6; i < 10; i++) {
            s.expect(s.out(ACK).seq(seg(i)).len(SEG));
        }
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_LOST_RETRANSMIT));
        assertEquals(0, s.counter(Counter.TCP_RTO_EXPIRIES));
        // Everything arrives: recovery ends at cwnd = ssthresh (RFC 6937 §3.1).
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(11)));
        assertFalse(s.connection().congestion().inFastRecovery());
        assertEquals(ssthresh, s.connection().congestion().cwnd());
    }

    @Test
    void shouldProbeWithNewDataAfterThePto() throws Exception {
        TcpSocket sock = sendSegments(10);
        s.write(sock, Script.bytes(SEG));
        s.expectNothing();
        // No ACK: PTO = 2·SRTT = 20 ms after the last transmission, well before the RTO (RFC 8985 §7.2). The probe
        // is the new segment (RFC 8985 §7.3), sent although cwnd is full.
        s.advance(19 * Script.MS);
        s.expectNothing();
        s.advance(2 * Script.MS);
        s.expect(s.out(ACK).seq(seg(10)).len(SEG));
        assertEquals(1, s.counter(Counter.TCP_LOSS_PROBES));
        assertTrue(s.connection().delivery().isLossProbeOutstanding());
    }

    @Test
    void shouldProbeWithTheLastSegmentAndReduceCwndWhenTheProbeRepairedALoss() throws Exception {
        TcpSocket sock = sendSegments(4);
        s.advance(21 * Script.MS);
        s.expect(s.out(ACK).seq(seg(3)).len(SEG));
        assertEquals(1, s.counter(Counter.TCP_LOSS_PROBES));
        // The probe repaired segment 3 (no D-SACK: the original was lost). The loss shows when an ACK goes beyond
        // the probe (RFC 8985 §7.4): new data acknowledged.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(4)));
        int cwndBefore = s.connection().congestion().cwnd();
        s.write(sock, Script.bytes(SEG));
        s.expect(s.out(ACK).seq(seg(4)).len(SEG));
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(5)));
        assertEquals(1, s.counter(Counter.TCP_LOSS_PROBE_RECOVERY));
        assertTrue(
                s.connection().congestion().cwnd() < cwndBefore,
                "cwnd " + s.connection().congestion().cwnd() + " not below " + cwndBefore);
        assertEquals(0, s.counter(Counter.TCP_RTO_EXPIRIES));
    }

    @Test
    void shouldNotReduceCwndWhenADsackShowsTheProbeWasNeedless() throws Exception {
        TcpSocket sock = sendSegments(4);
        s.advance(21 * Script.MS);
        s.expect(s.out(ACK).seq(seg(3)).len(SEG));
        // The original arrived as well: the peer reports the duplicate (RFC 8985 §7.4, RFC 2883).
        s.inject(s.in(ACK).seq(1).ack(seg(4)).options(sack(seg(3), seg(4))));
        assertFalse(s.connection().delivery().isLossProbeOutstanding());
        int cwnd = s.connection().congestion().cwnd();
        s.write(sock, Script.bytes(SEG));
        s.expect(s.out(ACK).seq(seg(4)).len(SEG));
        s.inject(s.in(ACK).seq(1).ack(seg(5)));
        assertEquals(0, s.counter(Counter.TCP_LOSS_PROBE_RECOVERY));
        assertTrue(s.connection().congestion().cwnd() >= cwnd);
        assertEquals(1, s.counter(Counter.TCP_DSACK_RECV));
    }

    @Test
    void shouldGrowTheReorderingWindowOnDsack() throws Exception {
        sendSegments(4);
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(1), seg(2))));
        s.advance(4 * Script.MS);
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        assertEquals(1, s.connection().delivery().reorderingWindowMultiplier());
        // Segment 0 was only late: the peer reports our retransmission as a duplicate (RFC 2883). RFC 8985 §6.2
        // step 4: the reordering window grows by min_RTT/4 for this round trip.
        s.inject(s.in(ACK).seq(1).ack(seg(4)).options(sack(seg(0), seg(1))));
        assertEquals(2, s.connection().delivery().reorderingWindowMultiplier());
        assertEquals(1, s.counter(Counter.TCP_DSACK_RECV));
    }
}

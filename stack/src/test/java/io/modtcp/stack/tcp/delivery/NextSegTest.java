package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RFC 6675 §4 NextSeg as {@link ReliableOrderedDelivery#nextSeg} chooses the segment to send in SACK recovery. */
class NextSegTest {
    private static final int MSS = 1000;
    private final Segments segments = new Segments();
    private final ReliableOrderedDelivery rod =
            new ReliableOrderedDelivery(TcpConfig.DEFAULT, Unpooled.buffer(0).alloc());
    private final int iss = 7000;

    @AfterEach
    void release() {
        segments.close();
        rod.release();
    }

    /** {@code n} segments of MSS bytes sent from ISS + 1, and a FIN after them if {@code fin}. */
    private void send(int n, boolean fin) {
        rod.initSend(iss);
        rod.onSegmentSent(iss, 1, 0);
        rod.onNewAck(iss + 1, 1_000);
        rod.queueData(Unpooled.wrappedBuffer(new byte[n * MSS]));
        for (int i = 0; i < n; i++) {
            rod.onSegmentSent(seg(i), MSS, 2_000);
        }
        if (fin) {
            rod.queueFin();
            rod.onSegmentSent(seg(n), 1, 2_000);
        }
    }

    private int seg(int i) {
        return iss + 1 + i * MSS;
    }

    @Test
    void shouldAskForNewDataWhenNothingLost() {
        send(10, false);
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(2)), 0L);
        // One SACKed segment above SND.UNA is not DupThresh segments: nothing is lost yet.
        assertEquals(NextSeg.NEW_DATA, rod.nextSeg(MSS, MSS));
    }

    @Test
    void shouldChooseFirstLostHoleThenTheNextAboveHighRxt() {
        send(10, false);
        // Holes at 0 and 4; 1..3 and 5..8 SACKed.
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(4), seg(5), seg(9)), 0L);
        rod.onRecoveryStart();
        long first = rod.nextSeg(MSS, MSS);
        assertEquals(seg(0), NextSeg.seq(first));
        assertEquals(MSS, NextSeg.length(first));
        assertFalse(NextSeg.fin(first));
        rod.onRecoveryRetransmit(seg(0), MSS);
        long second = rod.nextSeg(MSS, MSS);
        assertEquals(seg(4), NextSeg.seq(second));
        assertEquals(MSS, NextSeg.length(second));
        rod.onRecoveryRetransmit(seg(4), MSS);
        // Segment 9 is unSACKed but has no three segments SACKed above it: not lost, so new data is next.
        assertEquals(NextSeg.NEW_DATA, rod.nextSeg(MSS, MSS));
    }

    @Test
    void shouldCutHoleToTheSegmentSize() {
        send(10, false);
        // Holes 0..1 (two segments) with 2..5 SACKed: the retransmission is one segment of at most mss bytes.
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(2), seg(6)), 0L);
        rod.onRecoveryStart();
        long next = rod.nextSeg(MSS, 600);
        assertEquals(seg(0), NextSeg.seq(next));
        assertEquals(600, NextSeg.length(next));
    }

    @Test
    void shouldNotCarryFinWhenHoleEndsBelowIt() {
        send(4, true);
        // Segment 0 lost, 1..3 and the FIN SACKed: the retransmission is segment 0 alone, without FIN.
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(4) + 1), 0L);
        rod.onRecoveryStart();
        long next = rod.nextSeg(MSS, MSS);
        assertEquals(seg(0), NextSeg.seq(next));
        assertEquals(MSS, NextSeg.length(next));
        assertFalse(NextSeg.fin(next));
    }
}

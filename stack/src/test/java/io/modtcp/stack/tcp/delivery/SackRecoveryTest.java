package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sender's SACK machinery alone (RFC 6675 §4): scoreboard, IsLost, pipe, NextSeg, HighRxt, D-SACK. */
class SackRecoveryTest {
    private static final int MSS = 1000;
    private final Segments segments = new Segments();
    private ReliableOrderedDelivery rod;
    private int iss;

    @AfterEach
    void release() {
        segments.close();
        if (rod != null) {
            rod.release();
        }
    }

    /** Ten segments of MSS bytes sent from ISS + 1. */
    private void sendTen(int iss) {
        this.iss = iss;
        rod = new ReliableOrderedDelivery(TcpConfig.DEFAULT, Unpooled.buffer(0).alloc());
        rod.initSend(iss);
        rod.onSegmentSent(iss, 1, 0); // SYN
        rod.onNewAck(iss + 1, 1_000);
        rod.queueData(Unpooled.wrappedBuffer(new byte[10 * MSS]));
        for (int i = 0; i < 10; i++) {
            rod.onSegmentSent(iss + 1 + i * MSS, MSS, 2_000);
        }
    }

    private int seg(int i) {
        return iss + 1 + i * MSS;
    }

    @ParameterizedTest(name = "ISS {0}")
    @ValueSource(ints = {0, 0x7fff_0000, 0xf000_0000, -1})
    void shouldRetransmitTheFirstHoleOnceWheneverTheIssLies(int issValue) {
        sendTen(issValue);
        // Segment 0 lost; 1..3 SACKed: three blocks' worth of data above it (RFC 6675 IsLost).
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(4)), 0L);
        assertTrue(rod.isLost(seg(0), MSS));
        assertFalse(rod.isLost(seg(4), MSS));
        rod.onRecoveryStart();
        assertEquals(seg(0) & 0xffff_ffffL, rod.nextLostSeq(MSS));
        assertEquals(MSS, rod.holeLength(seg(0), MSS));
        rod.onRecoveryRetransmit(seg(0), MSS);
        // Once resent, the hole is not chosen again.
        assertEquals(-1, rod.nextLostSeq(MSS));
    }

    @Test
    void shouldComputePipeFromScoreboard() {
        sendTen(1000);
        // 10 segments out; 3 SACKed, 1 lost: pipe = 10 - 3 - 1 = 6 segments.
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(4)), 0L);
        assertEquals(6 * MSS, rod.pipe(MSS));
        // Retransmitting the lost one puts it back in the network.
        rod.onRecoveryStart();
        rod.onRecoveryRetransmit(seg(0), MSS);
        assertEquals(7 * MSS, rod.pipe(MSS));
    }

    @Test
    void shouldKeepHighRxtAcrossRecoveryEpisodes() {
        sendTen(5);
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(1), seg(2), seg(3), seg(6)), 0L);
        rod.onRecoveryStart();
        rod.onRecoveryRetransmit(seg(0), MSS);
        assertEquals(seg(2) & 0xffff_ffffL, rod.nextLostSeq(MSS));
        rod.onRecoveryRetransmit(seg(2), MSS);
        // The first hole is repaired; a new episode starts while segment 2's retransmission is still in flight.
        rod.onNewAck(seg(2), 3_000, false, 0);
        rod.onRecoveryStart();
        assertEquals(-1, rod.nextLostSeq(MSS), "segment 2 was already retransmitted");
    }

    @Test
    void shouldRecogniseDsackAndNotCountItAsSacked() {
        sendTen(77);
        rod.onNewAck(seg(3), 3_000, false, 0);
        // First block below the cumulative ACK: a duplicate report (RFC 2883 §4).
        rod.onSackBlocks(segments.sackAck(seg(3), 65535, seg(1), seg(2)), 0L);
        assertEquals(1, rod.view().dsacksReceivedCount());
        assertEquals(0, rod.view().sackedBytes());
    }

    @Test
    void shouldIgnoreBlocksOutsideWhatWasSent() {
        sendTen(9);
        rod.onSackBlocks(segments.sackAck(seg(0), 65535, seg(11), seg(12), seg(5), seg(4)), 0L);
        assertEquals(0, rod.view().sackedBytes());
    }
}

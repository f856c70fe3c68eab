package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 5681 §2's definition of a duplicate ACK, as {@link ReliableOrderedDelivery#onAckOfSndUna} applies it. */
class DuplicateAckTest {
    private static final int ISS = 1000;
    private static final int IRS = 5000;
    private static final int WND = 20_000;
    private static final int ACK = TcpHeader.ACK;

    private final Segments segments = new Segments();
    private final ReliableOrderedDelivery rod =
            new ReliableOrderedDelivery(TcpConfig.DEFAULT, UnpooledByteBufAllocator.DEFAULT);

    /** Established; 3000 bytes sent, none acknowledged. */
    @BeforeEach
    void establishedWithDataOutstanding() {
        rod.initSend(ISS);
        rod.initReceive(IRS);
        rod.onSegmentSent(ISS, 1, 0);
        rod.onNewAck(ISS + 1, 1);
        rod.queueData(Unpooled.wrappedBuffer(new byte[3000]));
        rod.onSegmentSent(ISS + 1, 3000, 2);
    }

    @AfterEach
    void release() {
        rod.release();
        segments.close();
    }

    private int una() {
        return ISS + 1;
    }

    @Test
    void shouldCountConsecutiveDuplicates() {
        assertEquals(1, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0));
        assertEquals(2, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0));
        assertEquals(3, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0));
        assertEquals(3, rod.view().dupAcks());
    }

    @Test
    void shouldNotCountWindowUpdate() {
        // (e): the advertised window changed: a window update, not a duplicate, and the count starts again.
        assertEquals(1, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0));
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND + 1), WND, 0));
        assertEquals(0, rod.view().dupAcks());
    }

    @Test
    void shouldCompareScaledWindow() {
        // SEG.WND is scaled by the peer's shift before the comparison (RFC 7323 §2.3).
        assertEquals(1, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND >> 2), WND, 2));
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 2));
    }

    @Test
    void shouldNotCountSegmentCarryingData() {
        // (b): data in the segment.
        assertEquals(0, rod.onAckOfSndUna(segments.data(IRS + 1, una(), ACK, WND, 10), WND, 0));
    }

    @Test
    void shouldNotCountFin() {
        // (c): FIN.
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK | TcpHeader.FIN, WND), WND, 0));
    }

    @Test
    void shouldNotCountSyn() {
        // (c): SYN.
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS, una(), ACK | TcpHeader.SYN, WND), WND, 0));
    }

    @Test
    void shouldNotCountAckOtherThanSndUna() {
        // (d): only an ACK of SND.UNA can be a duplicate.
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS + 1, una() - 1, ACK, WND), WND, 0));
    }

    @Test
    void shouldNotCountWhenNothingOutstanding() {
        // (a): nothing outstanding.
        rod.onNewAck(una() + 3000, 3);
        assertEquals(0, rod.onAckOfSndUna(segments.seg(IRS + 1, ISS + 3001, ACK, WND), WND, 0));
    }

    @Test
    void shouldResetCountWhenNonDuplicateArrives() {
        rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0);
        rod.onAckOfSndUna(segments.seg(IRS + 1, una(), ACK, WND), WND, 0);
        rod.onAckOfSndUna(segments.data(IRS + 1, una(), ACK, WND, 10), WND, 0);
        assertEquals(1, rod.onAckOfSndUna(segments.seg(IRS + 11, una(), ACK, WND), WND, 0));
    }
}

package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery.RtoOutcome;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReliableOrderedDeliveryTest {
    private static final long MS = 1_000_000L;
    private static final long NO_DEADLINE = ReliableOrderedDelivery.NO_DEADLINE;
    private static final int ACK = TcpHeader.ACK;
    private static final int FIN = TcpHeader.FIN;
    private static final int ISS = 1000;
    private static final int IRS = 5000;
    private static final int WND = 65535;

    private final Segments segments = new Segments();
    private final CollectingSink sink = new CollectingSink();
    private TcpConfig config = TcpConfig.builder()
            .minRtoNs(10 * MS)
            .initialRtoNs(1000 * MS)
            .maxRtoNs(60_000 * MS)
            .maxRetries(3)
            .maxOutOfOrderSegments(4)
            .build();
    private ReliableOrderedDelivery d = new ReliableOrderedDelivery(config, UnpooledByteBufAllocator.DEFAULT);
    private DeliveryView view = d.view();

    @AfterEach
    void release() {
        d.release();
        segments.close();
    }

    private void reconfigure(TcpConfig newConfig) {
        d.release();
        config = newConfig;
        d = new ReliableOrderedDelivery(config, UnpooledByteBufAllocator.DEFAULT);
        view = d.view();
    }

    private static ByteBuf bytes(int length) {
        return Unpooled.wrappedBuffer(Segments.pattern(0, length));
    }

    /**
     * SYN sent at -100 ms and acknowledged at 0 (so SRTT 100 ms, RTTVAR 50 ms, RTO 300 ms); {@code dataLength} bytes
     * queued, nothing of it sent.
     */
    private void synchronizedWithQueued(int dataLength) {
        d.initSend(ISS);
        d.initReceive(IRS);
        d.onSegmentSent(ISS, 1, -100 * MS);
        d.onNewAck(ISS + 1, 0);
        assertEquals(300 * MS, view.rtoNs());
        if (dataLength > 0) {
            d.queueData(bytes(dataLength));
        }
    }

    @Nested
    class Acceptability {
        /** RFC 9293 §3.10.7.4: the four cases of segment length zero or not and window zero or not. */
        @ParameterizedTest(name = "irs={0} seq=rcvNxt{1} len={2} wnd={3} -> {4}")
        @CsvSource({
            // segLen 0, rcvWnd 0: acceptable only at RCV.NXT
            "5000, 0, 0, 0, true",
            "5000, 1, 0, 0, false",
            "5000, -1, 0, 0, false",
            // segLen 0, rcvWnd > 0: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND
            "5000, 0, 0, 100, true",
            "5000, 99, 0, 100, true",
            "5000, 100, 0, 100, false",
            "5000, -1, 0, 100, false",
            // segLen > 0, rcvWnd 0: never acceptable
            "5000, 0, 10, 0, false",
            // segLen > 0, rcvWnd > 0: first or last byte in the window
            "5000, 0, 10, 100, true",
            "5000, -5, 10, 100, true",
            "5000, -10, 10, 100, false",
            "5000, 95, 10, 100, true",
            "5000, 100, 10, 100, false",
            // wrap-around: RCV.NXT just below 2^32
            "-16, 0, 0, 100, true",
            "-16, 50, 0, 100, true",
            "-16, 99, 10, 100, true",
            "-16, 100, 0, 100, false",
            "-16, -1, 0, 100, false",
            "-16, -5, 10, 100, true",
            "-16, -10, 10, 100, false",
            "-16, 0, 0, 0, true",
            "-16, 16, 0, 0, false",
        })
        void shouldApplyFourCaseTestWhenSegmentArrives(int irs, int offset, int len, int wnd, boolean acceptable) {
            d.initReceive(irs);
            int rcvNxt = irs + 1;
            InSegment seg = segments.data(rcvNxt + offset, 0, ACK, WND, len);
            assertEquals(acceptable, d.isAcceptable(seg, wnd));
        }

        @Test
        void shouldCountFinInSegLenWhenTestingAcceptability() {
            d.initReceive(IRS);
            // A bare FIN one before RCV.NXT has SEG.LEN 1 and lies wholly before the window.
            assertFalse(d.isAcceptable(segments.seg(IRS, 0, ACK | FIN, WND), 100));
            assertTrue(d.isAcceptable(segments.seg(IRS + 1, 0, ACK | FIN, WND), 100));
            assertFalse(d.isAcceptable(segments.seg(IRS + 1, 0, ACK | FIN, WND), 0));
        }
    }

    @Nested
    class ClassifyAck {
        @Test
        void shouldClassifyEveryRangeWhenAckArrives() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 1000, 0);
            d.onNewAck(ISS + 501, 0);
            int una = ISS + 501;
            int max = ISS + 1001;
            assertEquals(AckResult.TOO_NEW, d.classifyAck(max + 1, 100));
            assertEquals(AckResult.NEW, d.classifyAck(max, 100));
            assertEquals(AckResult.NEW, d.classifyAck(una + 1, 100));
            assertEquals(AckResult.SAME, d.classifyAck(una, 100));
            assertEquals(AckResult.OLD, d.classifyAck(una - 1, 100));
            assertEquals(AckResult.OLD, d.classifyAck(una - 100, 100));
            assertEquals(AckResult.TOO_OLD, d.classifyAck(una - 101, 100));
        }

        @Test
        void shouldClassifyAcrossWrapWhenSequenceNearTop() {
            d.initSend(-10);
            d.onSegmentSent(-10, 1, 0);
            d.onNewAck(-9, 0);
            d.queueData(bytes(100));
            d.onSegmentSent(-9, 100, 0);
            assertEquals(AckResult.NEW, d.classifyAck(5, 1000));
            assertEquals(AckResult.NEW, d.classifyAck(91, 1000));
            assertEquals(AckResult.TOO_NEW, d.classifyAck(92, 1000));
            assertEquals(AckResult.SAME, d.classifyAck(-9, 1000));
            assertEquals(AckResult.OLD, d.classifyAck(-1009, 1000));
            assertEquals(AckResult.TOO_OLD, d.classifyAck(-1010, 1000));
        }

        @Test
        void shouldCountSndMaxNotSndNxtWhenAfterTimeout() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 1000, 0);
            d.onRtoExpired(2000 * MS, 3);
            assertEquals(ISS + 1, view.sndNxt());
            assertEquals(AckResult.NEW, d.classifyAck(ISS + 1001, 100));
        }
    }

    @Nested
    class NewAck {
        @Test
        void shouldReportSynAckedWhenHandshakeAcked() {
            d.initSend(ISS);
            d.onSegmentSent(ISS, 1, 0);
            assertFalse(view.isSynAcked());
            AckOutcome out = d.onNewAck(ISS + 1, 5 * MS);
            assertTrue(out.synAcked());
            assertEquals(0, out.dataBytesAcked());
            assertFalse(out.finAcked());
            assertTrue(view.isSynAcked());
            assertEquals(NO_DEADLINE, view.rtoDeadlineNs());
        }

        @Test
        void shouldFreeBytesAndRearmTimerWhenDataPartlyAcked() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 1000, 0);
            assertEquals(1000, view.flightSize());
            AckOutcome out = d.onNewAck(ISS + 401, 50 * MS);
            assertEquals(400, out.dataBytesAcked());
            assertFalse(out.synAcked());
            assertEquals(600, view.sendQueued());
            assertEquals(600, view.flightSize());
            assertEquals(ISS + 401, view.sndUna());
            assertEquals(50 * MS + view.rtoNs(), view.rtoDeadlineNs());
            ByteBuf copy = Unpooled.buffer(600);
            try {
                d.copyPayload(ISS + 401, 600, copy);
                byte[] expected = new byte[600];
                System.arraycopy(Segments.pattern(0, 1000), 400, expected, 0, 600);
                byte[] actual = new byte[600];
                copy.readBytes(actual);
                assertArrayEquals(expected, actual);
            } finally {
                copy.release();
            }
        }

        @Test
        void shouldStopTimerWhenEverythingAcked() {
            synchronizedWithQueued(100);
            d.onSegmentSent(ISS + 1, 100, 0);
            d.onNewAck(ISS + 101, 10 * MS);
            assertEquals(NO_DEADLINE, view.rtoDeadlineNs());
            assertEquals(0, view.sendQueued());
        }

        @Test
        void shouldReportFinAckedOnceWhenFinAcked() {
            synchronizedWithQueued(100);
            d.queueFin();
            assertEquals(ISS + 101, d.finSeq());
            d.onSegmentSent(ISS + 1, 101, 0);
            assertTrue(view.isFinSent());
            assertFalse(view.isFinAcked());
            AckOutcome partial = d.onNewAck(ISS + 101, 1 * MS);
            assertEquals(100, partial.dataBytesAcked());
            assertFalse(partial.finAcked());
            AckOutcome fin = d.onNewAck(ISS + 102, 2 * MS);
            assertEquals(0, fin.dataBytesAcked());
            assertTrue(fin.finAcked());
            assertTrue(view.isFinAcked());
        }

        @Test
        void shouldReportDataAndFinWhenBothAckedAtOnce() {
            synchronizedWithQueued(100);
            d.queueFin();
            d.onSegmentSent(ISS + 1, 101, 0);
            AckOutcome out = d.onNewAck(ISS + 102, 1 * MS);
            assertEquals(100, out.dataBytesAcked());
            assertTrue(out.finAcked());
        }

        @Test
        void shouldRejectDataWhenQueuedAfterFin() {
            synchronizedWithQueued(0);
            d.queueFin();
            ByteBuf late = bytes(10);
            assertThrows(IllegalStateException.class, () -> d.queueData(late));
            assertEquals(0, late.refCnt());
        }

        @Test
        void shouldSampleRttWhenTimedSegmentAcked() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 500, 0);
            d.onSegmentSent(ISS + 501, 500, 10 * MS);
            AckOutcome first = d.onNewAck(ISS + 501, 200 * MS);
            assertTrue(first.rttSampled());
            assertEquals(112_500_000L, view.srttNs());
            // The second segment went out while the first was timed, so it is not timed itself.
            AckOutcome second = d.onNewAck(ISS + 1001, 300 * MS);
            assertFalse(second.rttSampled());
        }

        @Test
        void shouldNotSampleRttWhenSegmentRetransmitted() {
            synchronizedWithQueued(500);
            long srttBefore = view.srttNs();
            d.onSegmentSent(ISS + 1, 500, 0);
            assertEquals(RtoOutcome.RETRANSMIT, d.onRtoExpired(1000 * MS, 3));
            d.onSegmentSent(ISS + 1, 500, 1000 * MS);
            AckOutcome out = d.onNewAck(ISS + 501, 1010 * MS);
            assertFalse(out.rttSampled());
            assertEquals(srttBefore, view.srttNs());
        }

        @Test
        void shouldNotSampleRttWhenRetransmittedByFastRetransmit() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 500, 0);
            d.onSegmentSent(ISS + 501, 500, 0);
            d.onSegmentSent(ISS + 1, 500, 30 * MS); // fast retransmit, no timeout
            assertFalse(d.onNewAck(ISS + 1001, 40 * MS).rttSampled());
        }

        @Test
        void shouldResetRetriesAndDupAcksWhenNewAck() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 1000, 0);
            d.onRtoExpired(1000 * MS, 3);
            d.onSegmentSent(ISS + 1, 500, 1000 * MS);
            assertEquals(1, d.onDuplicateAck());
            assertEquals(2, d.onDuplicateAck());
            assertEquals(1, view.retries());
            d.onNewAck(ISS + 501, 1100 * MS);
            assertEquals(0, view.retries());
            assertEquals(0, view.dupAcks());
            assertEquals(300 * MS, view.rtoNs());
        }

        @Test
        void shouldResetDupAcksWhenAsked() {
            d.onDuplicateAck();
            d.onDuplicateAck();
            d.resetDuplicateAcks();
            assertEquals(0, view.dupAcks());
            assertEquals(1, d.onDuplicateAck());
        }
    }

    @Nested
    class RetransmissionTimeout {
        @Test
        void shouldUseInitialRtoWhenNoSample() {
            assertEquals(1000 * MS, view.rtoNs());
            d.initSend(ISS);
            d.onSegmentSent(ISS, 1, 7);
            assertEquals(7 + 1000 * MS, view.rtoDeadlineNs());
        }

        @Test
        void shouldNotRestartTimerWhenFurtherSegmentsSent() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 500, 0);
            long deadline = view.rtoDeadlineNs();
            d.onSegmentSent(ISS + 501, 500, 5 * MS);
            assertEquals(deadline, view.rtoDeadlineNs());
        }

        @Test
        void shouldComputeRtoFromFirstSampleWhenAcked() {
            d.initSend(ISS);
            d.onSegmentSent(ISS, 1, 0);
            d.onNewAck(ISS + 1, 100 * MS);
            // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 * RTTVAR)
            assertEquals(100 * MS, view.srttNs());
            assertEquals(50 * MS, view.rttvarNs());
            assertEquals(300 * MS, view.rtoNs());
        }

        @Test
        void shouldApplyGainsWhenLaterSampleTaken() {
            synchronizedWithSample(100 * MS);
            d.queueData(bytes(100));
            d.onSegmentSent(ISS + 1, 100, 1000 * MS);
            d.onNewAck(ISS + 101, 1200 * MS);
            // RFC 6298 §2.3: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
            assertEquals(62_500_000L, view.rttvarNs());
            assertEquals(112_500_000L, view.srttNs());
            assertEquals(112_500_000L + 4 * 62_500_000L, view.rtoNs());
        }

        @Test
        void shouldClampToMinimumWhenRttTiny() {
            reconfigure(TcpConfig.builder().minRtoNs(200 * MS).build());
            synchronizedWithSample(1 * MS);
            assertEquals(200 * MS, view.rtoNs());
        }

        @Test
        void shouldDoubleAndCapWhenBackingOff() {
            reconfigure(TcpConfig.builder()
                    .minRtoNs(10 * MS)
                    .initialRtoNs(1000 * MS)
                    .maxRtoNs(1000 * MS)
                    .maxRetries(10)
                    .build());
            synchronizedWithSample(100 * MS); // RTO 300 ms
            d.queueData(bytes(100));
            d.onSegmentSent(ISS + 1, 100, 0);
            long[] expected = {600 * MS, 1000 * MS, 1000 * MS};
            long now = 0;
            for (long rto : expected) {
                now += 10 * MS;
                assertEquals(RtoOutcome.RETRANSMIT, d.onRtoExpired(now, 10));
                assertEquals(rto, view.rtoNs());
                assertEquals(now + rto, view.rtoDeadlineNs());
            }
            d.onSegmentSent(ISS + 1, 100, now);
            d.onNewAck(ISS + 101, now + 10 * MS);
            assertEquals(300 * MS, view.rtoNs());
        }

        @Test
        void shouldRewindSndNxtWhenRtoExpired() {
            synchronizedWithQueued(1000);
            d.onSegmentSent(ISS + 1, 1000, 0);
            assertEquals(ISS + 1001, view.sndNxt());
            assertEquals(0, view.unsentBytes());
            assertEquals(RtoOutcome.RETRANSMIT, d.onRtoExpired(1000 * MS, 3));
            assertEquals(ISS + 1, view.sndNxt());
            assertEquals(ISS + 1001, view.sndMax());
            assertEquals(1000, view.unsentBytes());
            assertEquals(1000, view.flightSize());
            // Resending the first half moves SND.NXT but not SND.MAX.
            d.onSegmentSent(ISS + 1, 500, 1000 * MS);
            assertEquals(ISS + 501, view.sndNxt());
            assertEquals(ISS + 1001, view.sndMax());
        }

        @Test
        void shouldGiveUpWhenMaxRetriesExceeded() {
            synchronizedWithQueued(100);
            d.onSegmentSent(ISS + 1, 100, 0);
            long now = 0;
            for (int i = 1; i <= 3; i++) {
                now += view.rtoNs();
                assertEquals(RtoOutcome.RETRANSMIT, d.onRtoExpired(now, 3));
                assertEquals(i, view.retries());
            }
            assertEquals(RtoOutcome.GIVE_UP, d.onRtoExpired(now + view.rtoNs(), 3));
            assertEquals(NO_DEADLINE, view.rtoDeadlineNs());
        }

        @Test
        void shouldStopTimerWhenAsked() {
            synchronizedWithQueued(100);
            d.onSegmentSent(ISS + 1, 100, 0);
            d.stopRetransmitTimer();
            assertEquals(NO_DEADLINE, view.rtoDeadlineNs());
        }

        @Test
        void shouldRewindToUnacknowledgedWhenAsked() {
            d.initSend(ISS);
            d.onSegmentSent(ISS, 1, 0);
            d.rewindToUnacknowledged();
            assertEquals(ISS, view.sndNxt());
            assertEquals(ISS + 1, view.sndMax());
        }

        private void synchronizedWithSample(long rttNs) {
            d.initSend(ISS);
            d.initReceive(IRS);
            d.onSegmentSent(ISS, 1, 0);
            d.onNewAck(ISS + 1, rttNs);
        }
    }

    @Nested
    class Receive {
        private static final int NXT = IRS + 1;

        private ReceiveOutcome receive(int seq, int len, int flags) {
            return d.receive(segments.data(seq, ISS, flags, WND, len), WND, sink);
        }

        private void assertDelivered(int fromSeq, int length) {
            assertArrayEquals(Segments.pattern(fromSeq, length), sink.bytes());
        }

        @Test
        void shouldDeliverInOrderWhenSegmentAtRcvNxt() {
            d.initReceive(IRS);
            ReceiveOutcome out = receive(NXT, 100, ACK);
            assertEquals(new ReceiveOutcome(100, false, false, false, false), out);
            assertEquals(NXT + 100, view.rcvNxt());
            out = receive(NXT + 100, 50, ACK);
            assertEquals(50, out.bytesDelivered());
            assertDelivered(NXT, 150);
        }

        @Test
        void shouldHoldThenReleaseWhenHoleFills() {
            d.initReceive(IRS);
            ReceiveOutcome held = receive(NXT + 100, 100, ACK);
            assertEquals(new ReceiveOutcome(0, false, true, false, false), held);
            assertEquals(NXT, view.rcvNxt());
            assertEquals(1, view.outOfOrderSegments());
            assertEquals(100, view.outOfOrderBytes());
            assertArrayEquals(new int[] {NXT + 100, NXT + 200}, d.outOfOrderRanges());
            assertEquals(0, sink.size());

            ReceiveOutcome filled = receive(NXT, 100, ACK);
            assertEquals(new ReceiveOutcome(200, false, false, false, true), filled);
            assertEquals(NXT + 200, view.rcvNxt());
            assertEquals(0, view.outOfOrderSegments());
            assertEquals(0, view.outOfOrderBytes());
            assertDelivered(NXT, 200);
        }

        @Test
        void shouldReportFilledHoleWhenPartOfHoleFilled() {
            d.initReceive(IRS);
            receive(NXT + 200, 100, ACK);
            ReceiveOutcome out = receive(NXT, 100, ACK);
            assertEquals(new ReceiveOutcome(100, false, false, false, true), out);
            assertEquals(1, view.outOfOrderSegments());
        }

        @Test
        void shouldNotReportFilledHoleWhenEmptySegmentAtRcvNxt() {
            d.initReceive(IRS);
            receive(NXT + 200, 100, ACK);
            assertEquals(new ReceiveOutcome(0, false, false, false, false), receive(NXT, 0, ACK));
        }

        @Test
        void shouldDeliverOnlyNewBytesWhenSegmentOverlapsRcvNxt() {
            d.initReceive(IRS);
            receive(NXT, 100, ACK);
            ReceiveOutcome out = receive(NXT + 50, 100, ACK);
            assertEquals(50, out.bytesDelivered());
            assertEquals(NXT + 150, view.rcvNxt());
            assertDelivered(NXT, 150);
        }

        @Test
        void shouldIgnoreWhenSegmentDuplicate() {
            d.initReceive(IRS);
            receive(NXT, 100, ACK);
            assertEquals(ReceiveOutcome.NOTHING, receive(NXT, 100, ACK));
            assertEquals(ReceiveOutcome.NOTHING, receive(NXT + 10, 50, ACK));
            assertEquals(NXT + 100, view.rcvNxt());
            assertDelivered(NXT, 100);
        }

        @Test
        void shouldMergeOverlappingOutOfOrderSegmentsWhenHeld() {
            d.initReceive(IRS);
            receive(NXT + 100, 100, ACK);
            receive(NXT + 150, 100, ACK);
            receive(NXT + 90, 200, ACK);
            receive(NXT + 100, 100, ACK);
            assertEquals(200, view.outOfOrderBytes());
            int[] ranges = d.outOfOrderRanges();
            assertEquals(NXT + 90, ranges[0]);
            assertEquals(NXT + 290, ranges[ranges.length - 1]);
            ReceiveOutcome out = receive(NXT, 95, ACK);
            assertEquals(290, out.bytesDelivered());
            assertDelivered(NXT, 290);
        }

        @Test
        void shouldTrimToWindowWhenSegmentExceedsIt() {
            d.initReceive(IRS);
            ReceiveOutcome out = d.receive(segments.data(NXT, ISS, ACK | FIN, WND, 100), 60, sink);
            assertEquals(new ReceiveOutcome(60, false, false, false, false), out);
            assertEquals(NXT + 60, view.rcvNxt());
            assertFalse(view.isFinReceived());
            assertDelivered(NXT, 60);
        }

        @Test
        void shouldTrimOutOfOrderSegmentToWindowWhenHeld() {
            d.initReceive(IRS);
            d.receive(segments.data(NXT + 50, ISS, ACK, WND, 100), 100, sink);
            assertArrayEquals(new int[] {NXT + 50, NXT + 100}, d.outOfOrderRanges());
        }

        @Test
        void shouldIgnoreWhenOutOfOrderSegmentBeyondWindow() {
            d.initReceive(IRS);
            assertEquals(ReceiveOutcome.NOTHING, d.receive(segments.data(NXT + 100, ISS, ACK, WND, 10), 100, sink));
            assertEquals(0, view.outOfOrderSegments());
        }

        @Test
        void shouldConsumeFinWhenInOrder() {
            d.initReceive(IRS);
            ReceiveOutcome out = receive(NXT, 10, ACK | FIN);
            assertEquals(new ReceiveOutcome(10, true, false, false, false), out);
            assertEquals(NXT + 11, view.rcvNxt());
            assertTrue(view.isFinReceived());
            assertEquals(ReceiveOutcome.NOTHING, receive(NXT + 10, 0, ACK | FIN));
            assertEquals(NXT + 11, view.rcvNxt());
        }

        @Test
        void shouldConsumeBareFinWhenInOrder() {
            d.initReceive(IRS);
            ReceiveOutcome out = d.receive(segments.seg(NXT, ISS, ACK | FIN, WND), WND, sink);
            assertTrue(out.finConsumed());
            assertEquals(NXT + 1, view.rcvNxt());
        }

        @Test
        void shouldHoldFinThenConsumeWhenHoleFills() {
            d.initReceive(IRS);
            ReceiveOutcome held = receive(NXT + 100, 50, ACK | FIN);
            assertTrue(held.outOfOrder());
            assertFalse(held.finConsumed());
            assertFalse(view.isFinReceived());
            ReceiveOutcome filled = receive(NXT, 100, ACK);
            assertEquals(new ReceiveOutcome(150, true, false, false, true), filled);
            assertEquals(NXT + 151, view.rcvNxt());
            assertTrue(view.isFinReceived());
            assertDelivered(NXT, 150);
        }

        @Test
        void shouldHoldBareFinThenConsumeWhenHoleFills() {
            d.initReceive(IRS);
            ReceiveOutcome held = d.receive(segments.seg(NXT + 100, ISS, ACK | FIN, WND), WND, sink);
            assertTrue(held.outOfOrder());
            ReceiveOutcome filled = receive(NXT, 100, ACK);
            assertTrue(filled.finConsumed());
            assertEquals(NXT + 101, view.rcvNxt());
        }

        @Test
        void shouldDropAndReportWhenReassemblyQueueFull() {
            d.initReceive(IRS); // maxOutOfOrderSegments = 4
            for (int i = 1; i <= 4; i++) {
                assertFalse(receive(NXT + 100 * i, 10, ACK).droppedQueueFull());
            }
            ReceiveOutcome out = receive(NXT + 500, 10, ACK);
            assertEquals(new ReceiveOutcome(0, false, true, true, false), out);
            assertEquals(4, view.outOfOrderSegments());
            assertEquals(40, view.outOfOrderBytes());
            // A segment that only overlaps what is held needs no new entry and is not dropped.
            assertFalse(receive(NXT + 100, 10, ACK).droppedQueueFull());
        }

        @Test
        void shouldDeliverDataAfterSynWhenSegmentCarriesSyn() {
            d.initReceive(IRS);
            InSegment synData = segments.seg(IRS, 0, TcpHeader.SYN, WND, Segments.pattern(NXT, 20));
            ReceiveOutcome out = d.receive(synData, WND, sink);
            assertEquals(20, out.bytesDelivered());
            assertDelivered(NXT, 20);
        }

        @Test
        void shouldDeliverAcrossWrapWhenRcvNxtNearTop() {
            d.initReceive(-51);
            int nxt = -50;
            receive(nxt + 100, 100, ACK);
            ReceiveOutcome out = receive(nxt, 100, ACK);
            assertEquals(200, out.bytesDelivered());
            assertEquals(150, view.rcvNxt());
            assertDelivered(nxt, 200);
        }
    }

    @Nested
    class AckGeneration {
        private static final int MSS = 1000;
        private static final long DELAY = 40 * MS;

        @Test
        void shouldDelayWhenFirstFullSegment() {
            d.ackOwed(false, MSS, MSS, 100, DELAY);
            assertFalse(view.isAckPending());
            assertEquals(100 + DELAY, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldAckNowWhenSecondFullSegment() {
            d.ackOwed(false, MSS, MSS, 100, DELAY);
            d.ackOwed(false, MSS, MSS, 110, DELAY);
            assertTrue(view.isAckPending());
        }

        @Test
        void shouldKeepFirstDeadlineWhenSmallSegmentsArrive() {
            d.ackOwed(false, 10, MSS, 100, DELAY);
            d.ackOwed(false, 10, MSS, 120, DELAY);
            d.ackOwed(false, 10, MSS, 130, DELAY);
            assertFalse(view.isAckPending());
            assertEquals(100 + DELAY, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldAckNowWhenOneSuperSegmentCarriesTwoFullSegments() {
            // A GSO/GRO super-segment is one packet: counting packets would leave 64 KiB to the delayed-ACK timer.
            d.ackOwed(false, 2 * MSS, MSS, 100, DELAY);
            assertTrue(view.isAckPending());
        }

        @Test
        void shouldDelayWhenOneSegmentCarriesLessThanTwoFullSegments() {
            d.ackOwed(false, 2 * MSS - 1, MSS, 100, DELAY);
            assertFalse(view.isAckPending());
            assertEquals(100 + DELAY, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldAckNowWhenSmallSegmentsAddUpToTwoFullSegments() {
            d.ackOwed(false, MSS / 2, MSS, 100, DELAY);
            d.ackOwed(false, MSS, MSS, 110, DELAY);
            assertFalse(view.isAckPending());
            d.ackOwed(false, MSS / 2, MSS, 120, DELAY);
            assertTrue(view.isAckPending());
        }

        @Test
        void shouldAckNowWhenImmediate() {
            d.ackOwed(true, 0, MSS, 100, DELAY);
            assertTrue(view.isAckPending());
        }

        @Test
        void shouldAckNowWhenDelayedAckExpires() {
            d.ackOwed(false, 10, MSS, 100, DELAY);
            d.onDelayedAckExpired();
            assertTrue(view.isAckPending());
            assertEquals(NO_DEADLINE, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldAckEverySegmentAtOnceWhileQuickAckIsOn() {
            d.quickAck(true);
            d.ackOwed(false, 10, MSS, 100, DELAY);
            assertTrue(view.isAckPending(), "TCP_QUICKACK: no delay");
            assertEquals(NO_DEADLINE, view.delayedAckDeadlineNs());
            d.onAckSent();
            d.quickAck(false);
            d.ackOwed(false, 10, MSS, 200, DELAY);
            assertFalse(view.isAckPending(), "off again: the delayed-ACK rule");
            assertEquals(200 + DELAY, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldOweTheDelayedAckNowWhenQuickAckIsTurnedOn() {
            d.ackOwed(false, 10, MSS, 100, DELAY);
            assertFalse(view.isAckPending());
            d.quickAck(true);
            assertTrue(view.isAckPending());
            assertEquals(NO_DEADLINE, view.delayedAckDeadlineNs());
        }

        @Test
        void shouldClearEverythingWhenAckSent() {
            d.ackOwed(false, MSS, MSS, 100, DELAY);
            d.ackOwed(false, MSS, MSS, 100, DELAY);
            d.onAckSent();
            assertFalse(view.isAckPending());
            assertEquals(NO_DEADLINE, view.delayedAckDeadlineNs());
            // The full-segment count restarted too.
            d.ackOwed(false, MSS, MSS, 200, DELAY);
            assertFalse(view.isAckPending());
            assertEquals(200 + DELAY, view.delayedAckDeadlineNs());
        }
    }

    @Nested
    class Sending {
        @Test
        void shouldTrackUnsentAndQueuedWhenDataSentPartly() {
            synchronizedWithQueued(1000);
            assertEquals(1000, view.unsentBytes());
            d.onSegmentSent(ISS + 1, 300, 0);
            assertEquals(700, view.unsentBytes());
            assertEquals(1000, view.sendQueued());
            assertEquals(300, view.flightSize());
        }

        @Test
        void shouldIgnoreWhenEmptySegmentSent() {
            synchronizedWithQueued(0);
            d.onSegmentSent(ISS + 1, 0, 0);
            assertEquals(ISS + 1, view.sndNxt());
            assertEquals(NO_DEADLINE, view.rtoDeadlineNs());
        }

        @Test
        void shouldReleaseQueuedBuffersWhenReleased() {
            synchronizedWithQueued(0);
            ByteBuf big = bytes(5000);
            d.queueData(big);
            d.receive(segments.data(IRS + 100, ISS, ACK, WND, 10), WND, sink);
            assertEquals(1, big.refCnt());
            d.release();
            assertEquals(0, big.refCnt());
            assertEquals(0, view.outOfOrderSegments());
        }
    }
}

package io.modtcp.stack.tcp.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.StubDeliveryView;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.TcpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FlowControlTest {
    private static final long MS = 1_000_000L;
    private static final long NO_DEADLINE = FlowControl.NO_DEADLINE;
    private static final int ACK = TcpHeader.ACK;

    private final TcpConfig config =
            TcpConfig.builder().persistMinNs(200 * MS).persistMaxNs(1000 * MS).build();
    private final FlowControl flow = new FlowControl(config);
    private final FlowView view = flow.view();
    private final StubDeliveryView delivery = new StubDeliveryView();
    private final Segments segments = new Segments();

    @AfterEach
    void releaseSegments() {
        segments.close();
    }

    @Nested
    class SendWindow {
        @BeforeEach
        void synReceived() {
            flow.onSynWindow(segments.syn(100, 1000, 8000, 1460));
        }

        @Test
        void shouldTakeUnscaledWindowWhenSynArrives() {
            assertEquals(8000, view.sndWnd());
            assertEquals(100, view.sndWl1());
            assertEquals(1000, view.sndWl2());
            assertEquals(8000, view.maxSndWnd());
        }

        @Test
        void shouldUpdateWhenSegmentNewer() {
            assertTrue(flow.onAcceptableAck(segments.seg(101, 1000, ACK, 9000)));
            assertEquals(9000, view.sndWnd());
            assertEquals(101, view.sndWl1());
            assertEquals(1000, view.sndWl2());
        }

        @Test
        void shouldUpdateWhenSameSeqAndNewerOrEqualAck() {
            assertTrue(flow.onAcceptableAck(segments.seg(100, 1500, ACK, 4000)));
            assertEquals(4000, view.sndWnd());
            assertEquals(1500, view.sndWl2());
            assertTrue(flow.onAcceptableAck(segments.seg(100, 1500, ACK, 5000)));
            assertEquals(5000, view.sndWnd());
        }

        @Test
        void shouldReportUnchangedWhenSameWindowRepeated() {
            assertFalse(flow.onAcceptableAck(segments.seg(101, 1100, ACK, 8000)));
            assertEquals(101, view.sndWl1());
            assertEquals(1100, view.sndWl2());
        }

        @Test
        void shouldIgnoreWhenSegmentOlderSeq() {
            flow.onAcceptableAck(segments.seg(200, 1000, ACK, 3000));
            assertFalse(flow.onAcceptableAck(segments.seg(150, 2000, ACK, 60000)));
            assertEquals(3000, view.sndWnd());
            assertEquals(200, view.sndWl1());
        }

        @Test
        void shouldIgnoreWhenSameSeqButOlderAck() {
            flow.onAcceptableAck(segments.seg(100, 1500, ACK, 3000));
            assertFalse(flow.onAcceptableAck(segments.seg(100, 1400, ACK, 60000)));
            assertEquals(3000, view.sndWnd());
            assertEquals(1500, view.sndWl2());
        }

        @Test
        void shouldCompareAcrossWrapWhenSeqWraps() {
            flow.onSynWindow(segments.syn(-10, 1000, 8000, 1460));
            assertTrue(flow.onAcceptableAck(segments.seg(5, 1000, ACK, 100)));
            assertEquals(100, view.sndWnd());
            assertFalse(flow.onAcceptableAck(segments.seg(-5, 1000, ACK, 200)));
        }

        @Test
        void shouldKeepLargestWindowWhenWindowShrinks() {
            flow.onAcceptableAck(segments.seg(101, 1000, ACK, 30000));
            flow.onAcceptableAck(segments.seg(102, 1000, ACK, 10));
            assertEquals(10, view.sndWnd());
            assertEquals(30000, view.maxSndWnd());
        }

        @Test
        void shouldComputeUsableWindowWhenDataInFlight() {
            delivery.send(1000, 1600);
            assertEquals(1000 + 8000 - 1600, FlowControl.usableWindow(view, delivery));
            delivery.send(1000, 9000);
            assertEquals(0, FlowControl.usableWindow(view, delivery));
            delivery.send(1000, 9500); // window shrank below what is in flight
            assertEquals(0, FlowControl.usableWindow(view, delivery));
        }

        @Test
        void shouldComputeUsableWindowWhenSequenceWraps() {
            delivery.send(-100, 50);
            assertEquals(8000 - 150, FlowControl.usableWindow(view, delivery));
        }
    }

    @Nested
    class ReceiveWindow {
        private static final int BUF = 10_000;
        private static final int MSS = 1000;

        @BeforeEach
        void init() {
            delivery.rcvNxt = 1000;
            flow.initReceiveWindow(1000, BUF);
        }

        private int advertise(int rcvNxt, int freeSpace) {
            delivery.rcvNxt = rcvNxt;
            return flow.windowToAdvertise(delivery, freeSpace, BUF, MSS);
        }

        @Test
        void shouldSetRightEdgeWhenInitialised() {
            assertEquals(11_000, view.rcvAdvertisedEdge());
            assertEquals(BUF, FlowControl.receiveWindow(view, delivery));
        }

        @Test
        void shouldCapAt65535WhenNotScaled() {
            flow.initReceiveWindow(0, 1 << 20);
            assertEquals(65535, view.rcvAdvertisedEdge());
            FlowControl fresh = new FlowControl(config);
            delivery.rcvNxt = 0;
            assertEquals(65535, fresh.windowToAdvertise(delivery, 1 << 20, 1 << 20, MSS));
        }

        @Test
        void shouldAdvertiseFreeSpaceWhenFirstCalledWithoutInit() {
            FlowControl fresh = new FlowControl(config);
            delivery.rcvNxt = 500;
            assertEquals(4000, fresh.windowToAdvertise(delivery, 4000, BUF, MSS));
            assertEquals(4500, fresh.view().rcvAdvertisedEdge());
        }

        @Test
        void shouldKeepEdgeWhenDataArrivesUnread() {
            assertEquals(9500, advertise(1500, 9500));
            assertEquals(11_000, view.rcvAdvertisedEdge());
        }

        @Test
        void shouldNeverShrinkRightEdgeWhenFreeSpaceDrops() {
            assertEquals(9500, advertise(1500, 2000));
            assertEquals(11_000, view.rcvAdvertisedEdge());
            assertEquals(9500, FlowControl.receiveWindow(view, delivery));
        }

        @Test
        void shouldNotAdvanceWhenGainBelowSwsThreshold() {
            advertise(6000, 5000); // 5000 received, unread: edge stays 11000
            // The application read 999 bytes: the edge could move by 999 < min(BUF / 2, MSS) = 1000.
            assertEquals(5000, advertise(6000, 5999));
            assertEquals(11_000, view.rcvAdvertisedEdge());
        }

        @Test
        void shouldAdvanceWhenGainReachesSwsThreshold() {
            advertise(6000, 5000);
            assertEquals(6000, advertise(6000, 6000));
            assertEquals(12_000, view.rcvAdvertisedEdge());
        }

        @Test
        void shouldUseHalfBufferWhenSmallerThanMss() {
            FlowControl small = new FlowControl(config);
            delivery.rcvNxt = 0;
            small.initReceiveWindow(0, 1000);
            delivery.rcvNxt = 800;
            assertEquals(200, small.windowToAdvertise(delivery, 200, 1000, 1460));
            // Reading 499 bytes (< 1000 / 2) is not enough, 500 is.
            assertEquals(200, small.windowToAdvertise(delivery, 699, 1000, 1460));
            assertEquals(700, small.windowToAdvertise(delivery, 700, 1000, 1460));
        }

        @Test
        void shouldOpenFullyWhenBufferEmptied() {
            advertise(10_900, 100);
            // Everything read: the edge may advance by less than the threshold when the whole buffer is free.
            delivery.rcvNxt = 11_000;
            flow.windowToAdvertise(delivery, 0, BUF, MSS);
            assertEquals(BUF, advertise(11_000, BUF));
            assertEquals(21_000, view.rcvAdvertisedEdge());
        }

        @Test
        void shouldAdvertiseZeroWhenWindowFilled() {
            assertEquals(0, advertise(11_000, 0));
            assertEquals(0, FlowControl.receiveWindow(view, delivery));
        }

        @Test
        void shouldMoveEdgeUpToRcvNxtWhenPassed() {
            // The peer sent beyond the advertised edge (which acceptability would normally stop).
            assertEquals(0, advertise(11_500, 0));
            assertEquals(11_500, view.rcvAdvertisedEdge());
        }

        @Test
        void shouldSayWindowUpdateWorthSendingOnlyWhenEdgeMovesTwoSegments() {
            delivery.rcvNxt = 6000;
            // The edge 11000 would move to 6000 + freeSpace; worth it at min(BUF / 2, 2 * MSS) = 2000.
            assertFalse(flow.isWindowUpdateWorthSending(delivery, 6999, BUF, MSS));
            assertTrue(flow.isWindowUpdateWorthSending(delivery, 7000, BUF, MSS));
            assertEquals(11_000, view.rcvAdvertisedEdge(), "a query does not move the edge");
        }
    }

    @Nested
    class Persist {
        @Test
        void shouldArmWithRtoOrMinimumWhenZeroWindow() {
            flow.armPersist(10, 50 * MS);
            assertEquals(10 + 200 * MS, view.persistDeadlineNs());
            flow.cancelPersist();
            flow.armPersist(10, 300 * MS);
            assertEquals(10 + 300 * MS, view.persistDeadlineNs());
        }

        @Test
        void shouldNotRearmWhenAlreadyArmed() {
            flow.armPersist(0, 0);
            flow.armPersist(50 * MS, 0);
            assertEquals(200 * MS, view.persistDeadlineNs());
        }

        @Test
        void shouldDoubleUpToMaxWhenProbesUnanswered() {
            flow.armPersist(0, 0);
            long now = 0;
            long[] intervals = {400 * MS, 800 * MS, 1000 * MS, 1000 * MS};
            for (int i = 0; i < intervals.length; i++) {
                now = view.persistDeadlineNs();
                flow.onPersistExpired(now, 0);
                assertEquals(i + 1, view.persistProbes());
                assertEquals(now + intervals[i], view.persistDeadlineNs());
            }
        }

        @Test
        void shouldResetWhenCancelled() {
            flow.armPersist(0, 0);
            flow.onPersistExpired(200 * MS, 0);
            flow.cancelPersist();
            assertEquals(NO_DEADLINE, view.persistDeadlineNs());
            assertEquals(0, view.persistProbes());
            flow.armPersist(1000 * MS, 0);
            assertEquals(1200 * MS, view.persistDeadlineNs());
        }

        @Test
        void shouldCancelWhenWindowOpens() {
            flow.onSynWindow(segments.syn(100, 1000, 0, 1460));
            flow.armPersist(0, 0);
            flow.onPersistExpired(200 * MS, 0);
            flow.onAcceptableAck(segments.seg(101, 1000, ACK, 0));
            assertEquals(600 * MS, view.persistDeadlineNs(), "a zero window keeps the timer");
            flow.onAcceptableAck(segments.seg(102, 1000, ACK, 500));
            assertEquals(NO_DEADLINE, view.persistDeadlineNs());
            assertEquals(0, view.persistProbes());
        }
    }
}

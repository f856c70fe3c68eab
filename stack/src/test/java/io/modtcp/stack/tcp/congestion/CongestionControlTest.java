package io.modtcp.stack.tcp.congestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.StubDeliveryView;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.congestion.CongestionControl.AckAction;
import io.modtcp.stack.tcp.congestion.CongestionControl.DupAckAction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CongestionControlTest {
    private static final int SMSS = 1000;
    private static final int ISS = 100;

    private final CongestionControl cc =
            new CongestionControl(NewReno.FACTORY.create(), TcpConfig.DEFAULT.initialWindowSegments());
    private final CongestionView view = cc.view();
    private final StubDeliveryView delivery = new StubDeliveryView();

    @BeforeEach
    void init() {
        delivery.iss = ISS;
        delivery.send(ISS + 1, ISS + 1);
        cc.init(SMSS, ISS);
    }

    /** Acknowledges {@code bytes} more: SND.UNA moves, SND.MAX stays unless it would fall behind. */
    private AckAction ack(int bytes) {
        delivery.sndUna += bytes;
        if (delivery.sndMax - delivery.sndUna < 0) {
            delivery.sndMax = delivery.sndUna;
            delivery.sndNxt = delivery.sndUna;
        }
        return cc.onNewAck(bytes, delivery, 0);
    }

    /** Three duplicate ACKs with {@code flight} bytes outstanding from the current SND.UNA. */
    private DupAckAction threeDupAcks(int flight) {
        delivery.sndMax = delivery.sndUna + flight;
        delivery.sndNxt = delivery.sndMax;
        assertEquals(DupAckAction.NONE, cc.onDuplicateAck(1, delivery, 0));
        assertEquals(DupAckAction.NONE, cc.onDuplicateAck(2, delivery, 0));
        return cc.onDuplicateAck(3, delivery, 0);
    }

    private void timeout(int retries) {
        delivery.retries = retries;
        cc.onRetransmitTimeout(delivery, 0);
    }

    @Nested
    class SlowStart {
        @Test
        void shouldStartWithTenSegmentsWhenDefaultConfig() {
            assertEquals(10 * SMSS, view.cwnd());
            assertEquals(Integer.MAX_VALUE, view.ssthresh());
            assertFalse(view.inFastRecovery());
            assertEquals(ISS, view.recover());
            assertEquals("newreno", view.algorithm());
        }

        @Test
        void shouldGrowByEveryByteAckedWhenStretchAck() {
            delivery.sndMax = ISS + 1 + 10_000;
            assertEquals(AckAction.NONE, ack(500));
            assertEquals(10_500, view.cwnd());
            ack(3000); // a stretch ACK counts all its bytes, as Linux's tcp_slow_start counts all its segments
            assertEquals(13_500, view.cwnd());
        }

        @Test
        void shouldGrowOnlyByWhatTheAckDeliversWhenItPassesSackedData() {
            // A repaired hole: the cumulative ACK moves over 5 segments, 4 of them SACKed (delivered) earlier.
            delivery.sndMax = ISS + 1 + 100 * SMSS;
            delivery.sndUna += 5 * SMSS;
            assertEquals(AckAction.NONE, cc.onNewAck(5 * SMSS, SMSS, delivery, 0));
            assertEquals(11 * SMSS, view.cwnd());
        }

        @Test
        void shouldDoubleEachRoundWhenOneAckPerSuperSegment() {
            // A receiver acknowledging each 64-segment super-segment once: cwnd still doubles per round trip.
            delivery.sndMax = ISS + 1 + 1_000_000;
            ack(10 * SMSS);
            assertEquals(20 * SMSS, view.cwnd());
            ack(20 * SMSS);
            assertEquals(40 * SMSS, view.cwnd());
            ack(40 * SMSS);
            assertEquals(80 * SMSS, view.cwnd());
        }

        @Test
        void shouldCountRestInCongestionAvoidanceWhenAckCrossesSsthresh() {
            delivery.sndMax = delivery.sndUna + 40_000;
            timeout(1); // ssthresh = 20000, cwnd = 1000
            delivery.sndMax = delivery.sndUna + 1_000_000;
            ack(18_000);
            assertEquals(19_000, view.cwnd());
            // 1000 bytes reach ssthresh; the other 19000 count towards NewReno's one SMSS per cwnd bytes acked
            ack(20_000);
            assertEquals(20_000, view.cwnd());
            ack(1000); // 19000 + 1000 = cwnd bytes: one SMSS more
            assertEquals(21_000, view.cwnd());
        }

        @Test
        void shouldNotPassSsthreshWhenLargeAckInSlowStart() {
            delivery.sndMax = delivery.sndUna + 40_000;
            timeout(1); // ssthresh = 20000
            delivery.sndMax = delivery.sndUna + 1_000_000;
            ack(19_500);
            assertEquals(20_000, view.cwnd());
            assertEquals(20_000, view.ssthresh());
        }

        @Test
        void shouldDoubleEachRoundWhenEverySegmentAcked() {
            delivery.sndMax = ISS + 1 + 10_000;
            for (int i = 0; i < 10; i++) {
                ack(SMSS);
            }
            assertEquals(20 * SMSS, view.cwnd());
        }
    }

    @Nested
    class CongestionAvoidance {
        @BeforeEach
        void enterAvoidance() {
            delivery.sndMax = delivery.sndUna + 20_000;
            timeout(1); // ssthresh = 10000, cwnd = 1000
            assertEquals(10_000, view.ssthresh());
            delivery.sndMax = delivery.sndUna + 100_000;
            for (int i = 0; i < 9; i++) {
                ack(SMSS);
            }
            assertEquals(10_000, view.cwnd());
        }

        @Test
        void shouldAddOneSmssPerWindowWhenAcked() {
            for (int i = 0; i < 9; i++) {
                ack(SMSS);
                assertEquals(10_000, view.cwnd());
            }
            ack(SMSS);
            assertEquals(11_000, view.cwnd());
            for (int i = 0; i < 11; i++) {
                ack(SMSS);
            }
            assertEquals(12_000, view.cwnd());
        }

        @Test
        void shouldCountBytesWhenAcksSmall() {
            for (int i = 0; i < 99; i++) {
                ack(100);
            }
            assertEquals(10_000, view.cwnd());
            ack(100);
            assertEquals(11_000, view.cwnd());
        }
    }

    @Nested
    class FastRetransmit {
        @Test
        void shouldEnterRecoveryWhenThirdDupAck() {
            ack(5000);
            assertEquals(DupAckAction.FAST_RETRANSMIT, threeDupAcks(20_000));
            assertTrue(view.inFastRecovery());
            assertEquals(10_000, view.ssthresh());
            assertEquals(10_000 + 3 * SMSS, view.cwnd());
            assertEquals(delivery.sndMax, view.recover());
        }

        @Test
        void shouldEnterRecoveryWhenFirstLossRightAfterHandshake() {
            assertEquals(DupAckAction.FAST_RETRANSMIT, threeDupAcks(10_000));
        }

        @Test
        void shouldUseTwoSegmentFloorWhenFlightSmall() {
            ack(5000);
            threeDupAcks(3000);
            assertEquals(2 * SMSS, view.ssthresh());
            assertEquals(5 * SMSS, view.cwnd());
        }

        @Test
        void shouldInflateWhenFurtherDupAcks() {
            ack(5000);
            threeDupAcks(20_000);
            assertEquals(DupAckAction.NONE, cc.onDuplicateAck(4, delivery, 0));
            assertEquals(DupAckAction.NONE, cc.onDuplicateAck(5, delivery, 0));
            assertEquals(15_000, view.cwnd());
        }

        @Test
        void shouldIgnoreWhenFewerThanThreeOrMoreThanThreeOutsideRecovery() {
            ack(5000);
            delivery.sndMax = delivery.sndUna + 20_000;
            assertEquals(DupAckAction.NONE, cc.onDuplicateAck(2, delivery, 0));
            assertEquals(DupAckAction.NONE, cc.onDuplicateAck(4, delivery, 0));
            assertFalse(view.inFastRecovery());
            assertEquals(15_000, view.cwnd()); // 10 SMSS + the 5000 bytes acked in slow start
        }
    }

    @Nested
    class FastRecovery {
        private int recover;

        @BeforeEach
        void enterRecovery() {
            ack(5000);
            threeDupAcks(20_000);
            cc.onDuplicateAck(4, delivery, 0); // cwnd 14000
            recover = view.recover();
        }

        @Test
        void shouldRetransmitNextAndDeflateWhenPartialAck() {
            assertEquals(AckAction.RETRANSMIT_NEXT, ack(3000));
            // Deflate by 3000, add back one SMSS because at least one SMSS was acknowledged.
            assertEquals(14_000 - 3000 + SMSS, view.cwnd());
            assertTrue(view.inFastRecovery());
        }

        @Test
        void shouldNotAddBackWhenPartialAckBelowSmss() {
            assertEquals(AckAction.RETRANSMIT_NEXT, ack(500));
            assertEquals(13_500, view.cwnd());
        }

        @Test
        void shouldExitAndDeflateWhenFullAck() {
            ack(3000);
            assertEquals(AckAction.NONE, ack(recover - delivery.sndUna));
            assertFalse(view.inFastRecovery());
            // min(ssthresh, max(FlightSize, SMSS) + SMSS) with nothing in flight
            assertEquals(2 * SMSS, view.cwnd());
        }

        @Test
        void shouldDeflateToSsthreshWhenFullAckLeavesMuchInFlight() {
            delivery.sndMax = recover + 50_000; // new data sent during recovery
            assertEquals(AckAction.NONE, ack(recover - delivery.sndUna));
            assertEquals(10_000, view.cwnd());
        }

        @Test
        void shouldNotReduceAgainWhenDupAcksBelowRecover() {
            ack(3000); // partial
            ack(recover - delivery.sndUna); // full: recovery ends at SND.UNA = recover
            int cwnd = view.cwnd();
            int ssthresh = view.ssthresh();
            // Duplicate ACKs for data sent before the loss was detected (RFC 6582 §3.2 step 2).
            assertEquals(DupAckAction.NONE, threeDupAcks(20_000));
            assertFalse(view.inFastRecovery());
            assertEquals(cwnd, view.cwnd());
            assertEquals(ssthresh, view.ssthresh());
        }

        @Test
        void shouldReduceAgainWhenAckBeyondRecover() {
            ack(recover - delivery.sndUna);
            delivery.sndMax = delivery.sndUna + 30_000;
            ack(10_000);
            assertEquals(DupAckAction.FAST_RETRANSMIT, threeDupAcks(20_000));
            assertEquals(10_000, view.ssthresh());
        }
    }

    @Nested
    class RetransmissionTimeout {
        @Test
        void shouldCollapseToOneSegmentAndHalveWhenFirstTimeout() {
            delivery.sndMax = delivery.sndUna + 30_000;
            timeout(1);
            assertEquals(SMSS, view.cwnd());
            assertEquals(15_000, view.ssthresh());
            assertEquals(delivery.sndMax, view.recover());
        }

        @Test
        void shouldKeepSsthreshWhenLaterTimeoutOfSameSeries() {
            delivery.sndMax = delivery.sndUna + 30_000;
            timeout(1);
            ack(SMSS);
            ack(SMSS);
            timeout(2);
            assertEquals(SMSS, view.cwnd());
            assertEquals(15_000, view.ssthresh());
        }

        @Test
        void shouldLeaveRecoveryWhenTimeoutDuringIt() {
            ack(5000);
            threeDupAcks(20_000);
            timeout(1);
            assertFalse(view.inFastRecovery());
            assertEquals(SMSS, view.cwnd());
        }

        @Test
        void shouldSlowStartAgainWhenAckedAfterTimeout() {
            delivery.sndMax = delivery.sndUna + 30_000;
            timeout(1);
            ack(SMSS);
            assertEquals(2 * SMSS, view.cwnd());
        }

        @Test
        void shouldNotFastRetransmitWhenDupAcksForDataSentBeforeTimeout() {
            delivery.sndMax = delivery.sndUna + 30_000;
            ack(5000);
            timeout(1);
            // After go-back-N, duplicate ACKs below the recover point set by the timeout do not reduce again.
            assertEquals(DupAckAction.NONE, cc.onDuplicateAck(3, delivery, 0));
        }
    }

    @Nested
    class NewRenoAlgorithm {
        @Test
        void shouldHalveFlightWithFloorWhenLoss() {
            NewReno reno = new NewReno();
            assertEquals(5000, reno.ssthreshOnLoss(20_000, 10_000, SMSS, 0));
            assertEquals(2000, reno.ssthreshOnLoss(20_000, 1000, SMSS, 0));
        }

        @Test
        void shouldForgetAccumulatedBytesWhenLoss() {
            NewReno reno = new NewReno();
            assertEquals(4000, reno.onCongestionAvoidanceAck(4000, 3000, SMSS, 0));
            reno.ssthreshOnLoss(4000, 4000, SMSS, 0);
            assertEquals(4000, reno.onCongestionAvoidanceAck(4000, 3000, SMSS, 0));
            assertEquals(5000, reno.onCongestionAvoidanceAck(4000, 1000, SMSS, 0));
        }

        @Test
        void shouldCreateIndependentInstancesWhenFactoryUsed() {
            CongestionAlgorithm a = NewReno.FACTORY.create();
            CongestionAlgorithm b = NewReno.FACTORY.create();
            a.onCongestionAvoidanceAck(2000, 1500, SMSS, 0);
            assertEquals(2000, b.onCongestionAvoidanceAck(2000, 1500, SMSS, 0));
            assertEquals(3000, a.onCongestionAvoidanceAck(2000, 500, SMSS, 0));
        }
    }
}

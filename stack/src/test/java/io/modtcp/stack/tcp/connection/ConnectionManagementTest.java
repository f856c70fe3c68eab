package io.modtcp.stack.tcp.connection;

import static io.modtcp.stack.tcp.common.Segments.LOCAL;
import static io.modtcp.stack.tcp.common.Segments.LOCAL_PORT;
import static io.modtcp.stack.tcp.common.Segments.REMOTE;
import static io.modtcp.stack.tcp.common.Segments.REMOTE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.connection.ConnectionManagement.CloseAction;
import io.modtcp.stack.tcp.connection.ConnectionManagement.KeepaliveAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConnectionManagementTest {
    private static final long NO_DEADLINE = ConnectionManagement.NO_DEADLINE;
    private static final long TIME_WAIT_NS = 60_000_000_000L;
    private static final long IDLE_NS = 1_000_000_000L;
    private static final long INTERVAL_NS = 100_000_000L;

    private final TcpConfig config = TcpConfig.DEFAULT;
    private final ConnectionManagement cm = new ConnectionManagement(config);
    private final ConnectionView view = cm.view();
    private final Segments segments = new Segments();

    @AfterEach
    void releaseSegments() {
        segments.close();
    }

    private void synSent() {
        cm.openActive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 1460);
    }

    private void synReceived() {
        cm.openPassive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 1460);
    }

    private void established() {
        synSent();
        cm.onSynAckReceived();
    }

    private void finWait1() {
        established();
        assertEquals(CloseAction.SEND_FIN, cm.onUserClose());
    }

    private void finWait2() {
        finWait1();
        cm.onOurFinAcked(0, TIME_WAIT_NS);
    }

    private void closeWait() {
        established();
        cm.onFinReceived(false, 0, TIME_WAIT_NS);
    }

    private void lastAck() {
        closeWait();
        assertEquals(CloseAction.SEND_FIN, cm.onUserClose());
    }

    private void closing() {
        finWait1();
        cm.onFinReceived(false, 0, TIME_WAIT_NS);
    }

    private void timeWait(long nowNs) {
        finWait2();
        assertTrue(cm.onFinReceived(true, nowNs, TIME_WAIT_NS));
    }

    @Nested
    class Closed {
        @Test
        void shouldStartClosedWithDefaultMssWhenCreated() {
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(config.defaultMss(), view.sendMss());
            assertNull(view.error());
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
            assertEquals(NO_DEADLINE, view.timeWaitDeadlineNs());
            assertEquals(-1, view.lingerSeconds());
        }

        @Test
        void shouldEnterSynSentWithTupleWhenOpenedActively() {
            synSent();
            assertEquals(TcpState.SYN_SENT, view.state());
            assertEquals(LOCAL, view.localAddr());
            assertEquals(LOCAL_PORT, view.localPort());
            assertEquals(REMOTE, view.remoteAddr());
            assertEquals(REMOTE_PORT, view.remotePort());
            assertEquals(1460, view.localMss());
            assertFalse(view.isPassiveOpen());
        }

        @Test
        void shouldEnterSynReceivedWhenOpenedPassively() {
            synReceived();
            assertEquals(TcpState.SYN_RECEIVED, view.state());
            assertTrue(view.isPassiveOpen());
        }

        @Test
        void shouldCapSendMssAtLocalMssWhenOpenedWithSmallLocalMss() {
            cm.openActive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 400);
            assertEquals(400, view.sendMss());
        }

        @Test
        void shouldDeleteWhenClosedByUser() {
            assertEquals(CloseAction.DELETE, cm.onUserClose());
            assertEquals(TcpState.CLOSED, view.state());
        }

        @Test
        void shouldThrowWhenIllegalTransitionRequested() {
            assertThrows(IllegalStateException.class, cm::onSynAckReceived);
            assertThrows(IllegalStateException.class, cm::onSimultaneousOpen);
            assertThrows(IllegalStateException.class, cm::onHandshakeAcked);
            assertThrows(IllegalStateException.class, cm::onTimeWaitExpired);
        }

        @Test
        void shouldIgnoreFinWhenClosed() {
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSED, view.state());
        }
    }

    @Nested
    class SynSent {
        @Test
        void shouldEstablishWhenSynAckReceived() {
            synSent();
            cm.onSynAckReceived();
            assertEquals(TcpState.ESTABLISHED, view.state());
        }

        @Test
        void shouldEnterSynReceivedWhenSimultaneousOpen() {
            synSent();
            cm.onSimultaneousOpen();
            assertEquals(TcpState.SYN_RECEIVED, view.state());
            assertFalse(view.isPassiveOpen());
        }

        @Test
        void shouldDeleteWhenClosedByUser() {
            synSent();
            assertEquals(CloseAction.DELETE, cm.onUserClose());
            assertEquals(TcpState.CLOSED, view.state());
            assertFalse(view.finRequested());
        }

        @Test
        void shouldThrowWhenOpenedAgain() {
            synSent();
            assertThrows(
                    IllegalStateException.class, () -> cm.openActive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 1460));
            assertThrows(
                    IllegalStateException.class, () -> cm.openPassive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 1460));
            assertThrows(IllegalStateException.class, cm::onHandshakeAcked);
        }

        @Test
        void shouldIgnoreFinWhenNotSynchronized() {
            synSent();
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.SYN_SENT, view.state());
        }
    }

    @Nested
    class SynReceived {
        @Test
        void shouldEstablishWhenHandshakeAcked() {
            synReceived();
            cm.onHandshakeAcked();
            assertEquals(TcpState.ESTABLISHED, view.state());
        }

        @Test
        void shouldRequestFinButStayWhenClosedByUser() {
            synReceived();
            assertEquals(CloseAction.SEND_FIN, cm.onUserClose());
            assertEquals(TcpState.SYN_RECEIVED, view.state());
            assertTrue(view.finRequested());
        }

        @Test
        void shouldEnterFinWait1WhenHandshakeAckedAfterClose() {
            synReceived();
            cm.onUserClose();
            cm.onHandshakeAcked();
            assertEquals(TcpState.FIN_WAIT_1, view.state());
        }

        @Test
        void shouldEnterCloseWaitWhenFinReceived() {
            synReceived();
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSE_WAIT, view.state());
        }

        @Test
        void shouldCloseSilentlyWhenReset() {
            synReceived();
            cm.onResetInSynReceived();
            assertEquals(TcpState.CLOSED, view.state());
            assertNull(view.error());
        }

        @Test
        void shouldThrowWhenSynAckReceived() {
            synReceived();
            assertThrows(IllegalStateException.class, cm::onSynAckReceived);
            assertThrows(IllegalStateException.class, cm::onSimultaneousOpen);
        }
    }

    @Nested
    class Established {
        @Test
        void shouldEnterFinWait1WhenClosedByUser() {
            established();
            assertEquals(CloseAction.SEND_FIN, cm.onUserClose());
            assertEquals(TcpState.FIN_WAIT_1, view.state());
            assertTrue(view.finRequested());
        }

        @Test
        void shouldEnterCloseWaitWhenFinReceived() {
            established();
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSE_WAIT, view.state());
        }

        @Test
        void shouldIgnoreOurFinAckedWhenNoFinSent() {
            established();
            cm.onOurFinAcked(0, TIME_WAIT_NS);
            assertEquals(TcpState.ESTABLISHED, view.state());
        }

        @Test
        void shouldThrowWhenHandshakeEventsArrive() {
            established();
            assertThrows(IllegalStateException.class, cm::onSynAckReceived);
            assertThrows(IllegalStateException.class, cm::onHandshakeAcked);
            assertThrows(IllegalStateException.class, cm::onTimeWaitExpired);
        }
    }

    @Nested
    class FinWait1 {
        @Test
        void shouldEnterFinWait2WhenOurFinAcked() {
            finWait1();
            cm.onOurFinAcked(0, TIME_WAIT_NS);
            assertEquals(TcpState.FIN_WAIT_2, view.state());
        }

        @Test
        void shouldEnterClosingWhenFinReceivedBeforeOurFinAcked() {
            finWait1();
            assertFalse(cm.onFinReceived(false, 5, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSING, view.state());
            assertEquals(NO_DEADLINE, view.timeWaitDeadlineNs());
        }

        @Test
        void shouldEnterTimeWaitWhenFinReceivedWithOurFinAcked() {
            finWait1();
            assertTrue(cm.onFinReceived(true, 5, TIME_WAIT_NS));
            assertEquals(TcpState.TIME_WAIT, view.state());
            assertEquals(5 + TIME_WAIT_NS, view.timeWaitDeadlineNs());
        }

        @Test
        void shouldDoNothingWhenClosedAgain() {
            finWait1();
            assertEquals(CloseAction.NONE, cm.onUserClose());
            assertEquals(TcpState.FIN_WAIT_1, view.state());
        }
    }

    @Nested
    class FinWait2 {
        @Test
        void shouldEnterTimeWaitWhenFinReceived() {
            finWait2();
            assertTrue(cm.onFinReceived(false, 7, TIME_WAIT_NS));
            assertEquals(TcpState.TIME_WAIT, view.state());
            assertEquals(7 + TIME_WAIT_NS, view.timeWaitDeadlineNs());
        }

        @Test
        void shouldDoNothingWhenClosedAgain() {
            finWait2();
            assertEquals(CloseAction.NONE, cm.onUserClose());
            assertEquals(TcpState.FIN_WAIT_2, view.state());
        }
    }

    @Nested
    class CloseWait {
        @Test
        void shouldEnterLastAckWhenClosedByUser() {
            closeWait();
            assertEquals(CloseAction.SEND_FIN, cm.onUserClose());
            assertEquals(TcpState.LAST_ACK, view.state());
        }

        @Test
        void shouldStayWhenFinRetransmitted() {
            closeWait();
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSE_WAIT, view.state());
        }
    }

    @Nested
    class Closing {
        @Test
        void shouldEnterTimeWaitWhenOurFinAcked() {
            closing();
            cm.onOurFinAcked(9, TIME_WAIT_NS);
            assertEquals(TcpState.TIME_WAIT, view.state());
            assertEquals(9 + TIME_WAIT_NS, view.timeWaitDeadlineNs());
        }

        @Test
        void shouldDoNothingWhenClosedAgainOrFinRetransmitted() {
            closing();
            assertEquals(CloseAction.NONE, cm.onUserClose());
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.CLOSING, view.state());
        }
    }

    @Nested
    class LastAck {
        @Test
        void shouldCloseWhenOurFinAcked() {
            lastAck();
            cm.onOurFinAcked(0, TIME_WAIT_NS);
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(NO_DEADLINE, view.timeWaitDeadlineNs());
            assertNull(view.error());
        }

        @Test
        void shouldDoNothingWhenClosedAgainOrFinRetransmitted() {
            lastAck();
            assertEquals(CloseAction.NONE, cm.onUserClose());
            assertFalse(cm.onFinReceived(false, 0, TIME_WAIT_NS));
            assertEquals(TcpState.LAST_ACK, view.state());
        }
    }

    @Nested
    class TimeWait {
        @Test
        void shouldRearmDeadlineWhenFinRetransmitted() {
            timeWait(10);
            assertEquals(10 + TIME_WAIT_NS, view.timeWaitDeadlineNs());
            assertTrue(cm.onFinReceived(true, 500, TIME_WAIT_NS));
            assertEquals(TcpState.TIME_WAIT, view.state());
            assertEquals(500 + TIME_WAIT_NS, view.timeWaitDeadlineNs());
        }

        @Test
        void shouldCloseWhenTimeWaitExpired() {
            timeWait(10);
            cm.onTimeWaitExpired();
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(NO_DEADLINE, view.timeWaitDeadlineNs());
            assertNull(view.error());
        }

        @Test
        void shouldDoNothingWhenClosedAgain() {
            timeWait(10);
            assertEquals(CloseAction.NONE, cm.onUserClose());
            assertEquals(TcpState.TIME_WAIT, view.state());
        }

        @Test
        void shouldDisarmKeepaliveWhenEnteringTimeWait() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 0);
            cm.onUserClose();
            cm.onOurFinAcked(0, TIME_WAIT_NS);
            cm.onFinReceived(true, 0, TIME_WAIT_NS);
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
            cm.onSegmentReceived(1);
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
        }
    }

    @Nested
    class Failure {
        @Test
        void shouldCloseWithReasonWhenFailed() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 0);
            cm.onFailure(TcpError.RESET);
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(TcpError.RESET, view.error());
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
        }

        @Test
        void shouldKeepFirstErrorWhenFailedTwice() {
            established();
            cm.onFailure(TcpError.TIMED_OUT);
            cm.onFailure(TcpError.ABORTED);
            assertEquals(TcpError.TIMED_OUT, view.error());
        }

        @Test
        void shouldClearTimeWaitDeadlineWhenFailedInTimeWait() {
            timeWait(0);
            cm.onFailure(TcpError.ABORTED);
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(NO_DEADLINE, view.timeWaitDeadlineNs());
        }
    }

    @Nested
    class MssNegotiation {
        @Test
        void shouldAssumeDefaultMssWhenOptionAbsent() {
            synSent();
            cm.negotiate(segments.syn(100, 1, 65535, -1), config);
            assertEquals(536, view.sendMss());
        }

        @Test
        void shouldTakePeerMssWhenSmallerThanLocal() {
            synSent();
            cm.negotiate(segments.syn(100, 1, 65535, 1200), config);
            assertEquals(1200, view.sendMss());
        }

        @Test
        void shouldTakeLocalMssWhenPeerLarger() {
            synReceived();
            cm.negotiate(segments.syn(100, null, 65535, 9000), config);
            assertEquals(1460, view.sendMss());
        }

        @Test
        void shouldTakeLocalMssWhenOptionAbsentAndLocalBelowDefault() {
            cm.openPassive(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, 500);
            cm.negotiate(segments.syn(100, null, 65535, -1), config);
            assertEquals(500, view.sendMss());
        }

        @Test
        void shouldKeepAtLeast64WhenPeerMssTiny() {
            synSent();
            cm.negotiate(segments.syn(100, 1, 65535, 1), config);
            assertEquals(64, view.sendMss());
        }
    }

    @Nested
    class Keepalive {
        @Test
        void shouldArmAfterIdleWhenEnabledAndEstablished() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 1000);
            assertTrue(view.keepAlive());
            assertEquals(1000 + IDLE_NS, view.keepaliveDeadlineNs());
        }

        @Test
        void shouldStayDisarmedWhenNotSynchronized() {
            synSent();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 0);
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
            assertEquals(KeepaliveAction.NONE, cm.onKeepaliveExpired(IDLE_NS));
        }

        @Test
        void shouldUseConfiguredTimesWhenNonPositiveGiven() {
            established();
            cm.keepAlive(true, 0, 0, 0, 0);
            assertEquals(config.keepIdleNs(), view.keepaliveDeadlineNs());
            long now = config.keepIdleNs();
            for (int i = 0; i < config.keepCount(); i++) {
                assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(now));
                assertEquals(now + config.keepIntervalNs(), view.keepaliveDeadlineNs());
                now += config.keepIntervalNs();
            }
            assertEquals(KeepaliveAction.TIMED_OUT, cm.onKeepaliveExpired(now));
        }

        @Test
        void shouldProbeEveryIntervalThenTimeOutWhenUnanswered() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 0);
            long now = IDLE_NS;
            for (int i = 0; i < 3; i++) {
                assertEquals(now, view.keepaliveDeadlineNs());
                assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(now));
                now += INTERVAL_NS;
            }
            assertEquals(now, view.keepaliveDeadlineNs());
            assertEquals(KeepaliveAction.TIMED_OUT, cm.onKeepaliveExpired(now));
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
        }

        @Test
        void shouldResetProbesWhenSegmentReceived() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 2, 0);
            assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(IDLE_NS));
            assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(IDLE_NS + INTERVAL_NS));
            long now = IDLE_NS + 2 * INTERVAL_NS - 1;
            cm.onSegmentReceived(now);
            assertEquals(now + IDLE_NS, view.keepaliveDeadlineNs());
            assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(now + IDLE_NS));
            assertEquals(KeepaliveAction.SEND_PROBE, cm.onKeepaliveExpired(now + IDLE_NS + INTERVAL_NS));
            assertEquals(KeepaliveAction.TIMED_OUT, cm.onKeepaliveExpired(now + IDLE_NS + 2 * INTERVAL_NS));
        }

        @Test
        void shouldDisarmWhenDisabled() {
            established();
            cm.keepAlive(true, IDLE_NS, INTERVAL_NS, 3, 0);
            cm.keepAlive(false, 0, 0, 0, 5);
            assertFalse(view.keepAlive());
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
            cm.onSegmentReceived(6);
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
            assertEquals(KeepaliveAction.NONE, cm.onKeepaliveExpired(IDLE_NS));
        }

        @Test
        void shouldNotArmWhenSegmentReceivedWithKeepaliveOff() {
            established();
            cm.onSegmentReceived(0);
            assertEquals(NO_DEADLINE, view.keepaliveDeadlineNs());
        }
    }

    @Nested
    class ApplicationFlags {
        @Test
        void shouldRecordNoDelayAndLingerWhenSet() {
            cm.noDelay(true);
            cm.lingerSeconds(5);
            assertTrue(view.noDelay());
            assertEquals(5, view.lingerSeconds());
        }
    }

    @Nested
    class Orphans {
        private static final long FIN_TIMEOUT_NS = TcpConfig.DEFAULT.finWait2TimeoutNs();

        @Test
        void shouldArmTheFinWait2TimeoutOnlyForAnOrphan() {
            finWait2();
            assertEquals(NO_DEADLINE, view.finWait2DeadlineNs(), "an open socket may wait for the FIN forever");
            assertTrue(cm.onOrphaned(1_000));
            assertTrue(view.isOrphan() && view.isOrphanAccounted());
            assertEquals(1_000 + FIN_TIMEOUT_NS, view.finWait2DeadlineNs());
            assertFalse(cm.onOrphaned(2_000), "only once");
            cm.onFinWait2Expired();
            assertEquals(TcpState.CLOSED, view.state());
            assertEquals(NO_DEADLINE, view.finWait2DeadlineNs());
        }

        @Test
        void shouldArmTheFinWait2TimeoutWhenAnOrphansFinIsAcked() {
            finWait1();
            assertTrue(cm.onOrphaned(0));
            assertEquals(NO_DEADLINE, view.finWait2DeadlineNs());
            cm.onOurFinAcked(500, TIME_WAIT_NS);
            assertEquals(500 + FIN_TIMEOUT_NS, view.finWait2DeadlineNs());
            cm.onFinReceived(true, 700, TIME_WAIT_NS);
            assertEquals(TcpState.TIME_WAIT, view.state());
            assertEquals(NO_DEADLINE, view.finWait2DeadlineNs(), "TIME-WAIT has its own bound");
        }

        @Test
        void shouldNotAccountAnOrphanInTimeWait() {
            finWait2();
            cm.onFinReceived(true, 0, TIME_WAIT_NS);
            assertFalse(cm.onOrphaned(0));
            assertTrue(view.isOrphan());
            assertFalse(view.isOrphanAccounted());
        }

        @Test
        void shouldSpendTheProbeBudgetOnlyOfAnOrphanAndRefillItOnProgress() {
            finWait1();
            for (int i = 0; i < 20; i++) {
                assertFalse(cm.onOrphanProbe(8), "a live socket probes as long as the peer answers");
            }
            cm.onOrphaned(0);
            for (int i = 0; i < 8; i++) {
                assertFalse(cm.onOrphanProbe(8));
            }
            cm.onProgress();
            for (int i = 0; i < 8; i++) {
                assertFalse(cm.onOrphanProbe(8));
            }
            assertTrue(cm.onOrphanProbe(8), "the ninth probe without progress");
        }
    }

    @Nested
    class InvalidSegmentAcks {
        private static final long MS = 1_000_000L;

        @Test
        void shouldAllowOneAnswerPerInterval() {
            established();
            assertTrue(cm.allowInvalidSegmentAck(1_000 * MS, 500 * MS));
            assertFalse(cm.allowInvalidSegmentAck(1_000 * MS, 500 * MS));
            assertFalse(cm.allowInvalidSegmentAck(1_499 * MS, 500 * MS));
            assertTrue(cm.allowInvalidSegmentAck(1_500 * MS, 500 * MS));
            assertFalse(cm.allowInvalidSegmentAck(1_600 * MS, 500 * MS));
        }

        @Test
        void shouldAllowEveryAnswerWhenTheLimitIsZero() {
            established();
            for (int i = 0; i < 5; i++) {
                assertTrue(cm.allowInvalidSegmentAck(0, 0));
            }
        }

        @Test
        void shouldAllowTheFirstAnswerAtTimeZero() {
            established();
            assertTrue(cm.allowInvalidSegmentAck(0, 500 * MS));
            assertFalse(cm.allowInvalidSegmentAck(1, 500 * MS));
        }
    }
}

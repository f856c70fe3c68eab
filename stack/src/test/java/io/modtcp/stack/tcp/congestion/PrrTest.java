package io.modtcp.stack.tcp.congestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.StubDeliveryView;
import io.modtcp.stack.tcp.common.TcpConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proportional Rate Reduction (RFC 6937 §3.1, PRR-SSRB): the send quota, as cwnd = pipe + sndcnt, per ACK. */
class PrrTest {
    private static final int SMSS = 1000;
    private static final int ISS = 100;

    private final CongestionControl cc =
            new CongestionControl(NewReno.FACTORY.create(), TcpConfig.DEFAULT.initialWindowSegments());
    private final StubDeliveryView delivery = new StubDeliveryView();

    @BeforeEach
    void init() {
        delivery.iss = ISS;
        cc.init(SMSS, ISS);
        // Twenty segments outstanding when the loss is found: RecoverFS = 20000, NewReno's ssthresh = 10000.
        delivery.sndUna = ISS + 1;
        delivery.sndMax = ISS + 1 + 20 * SMSS;
        delivery.sndNxt = delivery.sndMax;
        assertTrue(cc.onSackLoss(delivery, 0));
        assertEquals(10 * SMSS, cc.view().ssthresh());
    }

    /** The quota the ACK leaves: cwnd - pipe. */
    private int quota(int delivered, int pipe) {
        cc.onRecoveryAck(delivered, pipe);
        return cc.view().cwnd() - pipe;
    }

    @Test
    void shouldSendInProportionToDeliveriesWhilePipeExceedsSsthresh() {
        // First ACK: ceil(1000 · 10000 / 20000) = 500, raised to one segment (the fast retransmission).
        assertEquals(SMSS, quota(SMSS, 18 * SMSS));
        cc.onRecoverySent(SMSS);
        // Then half a segment per segment delivered: 2000 delivered allow 1000 in all, already sent.
        assertEquals(0, quota(SMSS, 18 * SMSS));
        assertEquals(500, quota(SMSS, 17 * SMSS));
        assertEquals(SMSS, quota(SMSS, 16 * SMSS));
        cc.onRecoverySent(SMSS);
        // Over the whole window: ssthresh / RecoverFS of what was delivered, never more.
        int sent = 2 * SMSS;
        int pipe = 16 * SMSS;
        for (int i = 0; i < 16; i++) {
            pipe -= SMSS;
            int q = quota(SMSS, Math.max(pipe, 10 * SMSS + 1));
            if (q >= SMSS) {
                cc.onRecoverySent(SMSS);
                sent += SMSS;
            }
        }
        assertEquals(10 * SMSS, sent);
    }

    @Test
    void shouldSlowStartBackToSsthreshWhenPipeIsBelowIt() {
        // A burst of losses: pipe fell to 6000. PRR-SSRB: at most what was delivered plus one segment.
        assertEquals(4 * SMSS, quota(3 * SMSS, 6 * SMSS));
        cc.onRecoverySent(4 * SMSS);
        // pipe 2000 < ssthresh, one segment delivered: two may go, not ssthresh - pipe = 8000.
        assertEquals(2 * SMSS, quota(SMSS, 2 * SMSS));
        // Never beyond ssthresh.
        assertEquals(SMSS, quota(5 * SMSS, 9 * SMSS));
    }

    @Test
    void shouldLeaveRecoveryAtSsthresh() {
        quota(SMSS, 18 * SMSS);
        delivery.sndUna = delivery.sndMax;
        cc.onNewAck(20 * SMSS, delivery, 0);
        assertFalse(cc.view().inFastRecovery());
        assertEquals(10 * SMSS, cc.view().cwnd());
    }

    @Test
    void shouldIgnoreQuotaOutsideRecovery() {
        delivery.sndUna = delivery.sndMax;
        cc.onNewAck(20 * SMSS, delivery, 0);
        int cwnd = cc.view().cwnd();
        cc.onRecoveryAck(SMSS, 0);
        cc.onRecoverySent(SMSS);
        assertEquals(cwnd, cc.view().cwnd());
    }
}

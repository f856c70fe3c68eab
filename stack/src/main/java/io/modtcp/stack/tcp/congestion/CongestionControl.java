package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.wire.Seq;

/**
 * Slow start, congestion avoidance, fast retransmit and NewReno fast recovery (RFC 5681, RFC 6582); see the package
 * documentation for what it owns.
 */
public final class CongestionControl {
    /** Duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2). */
    public static final int DUPACK_THRESHOLD = 3;

    private final CongestionAlgorithm algorithm;
    private final int initialWindowSegments;
    private int smss;
    private int cwnd;
    private int ssthresh = Integer.MAX_VALUE;
    private boolean inFastRecovery;
    /** Recovery is SACK-based (RFC 6675): cwnd stays at ssthresh and pipe, not inflation, paces sending. */
    private boolean sackRecovery;

    private int recover;
    /**
     * RTO recovery with the SACK scoreboard kept (Linux's TCP_CA_Loss): the sender retransmits what is marked lost
     * and then new data while pipe < cwnd, cwnd growing by slow start, until SND.UNA reaches {@link #recover}.
     */
    private boolean lossRecovery;

    // What a spurious timeout restores (RFC 5682 §3 and Linux's tcp_undo_cwnd_reduction): the state before it.
    private boolean undoValid;
    private int undoCwnd;
    private int undoSsthresh;
    private int undoRecover;

    // Proportional Rate Reduction (RFC 6937 §3) during SACK recovery.
    /** Bytes delivered to the receiver since recovery began. */
    private long prrDelivered;
    /** Bytes sent since recovery began. */
    private long prrOut;
    /** FlightSize at the start of recovery. */
    private int recoverFs;

    private final CongestionView view = new View();

    public CongestionControl(CongestionAlgorithm algorithm, int initialWindowSegments) {
        this.algorithm = algorithm;
        this.initialWindowSegments = initialWindowSegments;
    }

    public CongestionView view() {
        return view;
    }

    /**
     * Sets the initial window once the send MSS is known (RFC 5681 §3.1; RFC 6928 allows ten segments) and the
     * recovery point to the ISS (RFC 6582 §3.2 step 1).
     */
    public void init(int smss, int iss) {
        this.smss = smss;
        this.cwnd = initialWindowSegments * smss;
        this.recover = iss;
    }

    /** What a duplicate ACK asks the orchestrator to do. */
    public enum DupAckAction {
        NONE,
        /** Retransmit the first unacknowledged segment now (entering fast recovery). */
        FAST_RETRANSMIT
    }

    /** RFC 6582 §3.2 steps 2 to 4 (with RFC 5681 §3.2 steps 2 to 4). */
    public DupAckAction onDuplicateAck(int dupAcks, DeliveryView delivery, long nowNs) {
        if (inFastRecovery) {
            if (!sackRecovery) {
                cwnd += smss; // RFC 6582 step 4: inflate for each additional duplicate
            }
            return DupAckAction.NONE;
        }
        if (dupAcks != DUPACK_THRESHOLD) {
            return DupAckAction.NONE;
        }
        // Step 2: only when the cumulative ACK covers more than "recover" (avoids a second reduction for losses of
        // the same window). RFC 6582's recover is the highest sequence number sent; ours is one past it (SND.MAX
        // then), so "covers more than recover" reads SND.UNA > recover.
        if (!Seq.gt(delivery.sndUna(), recover)) {
            return DupAckAction.NONE;
        }
        recover = delivery.sndMax();
        ssthresh = algorithm.ssthreshOnLoss(cwnd, delivery.flightSize(), smss, nowNs);
        cwnd = ssthresh + DUPACK_THRESHOLD * smss;
        inFastRecovery = true;
        return DupAckAction.FAST_RETRANSMIT;
    }

    /**
     * SACK-based loss detection found a loss (RFC 6675 §5: DupThresh duplicate ACKs or IsLost(HighACK + 1)). Enters
     * recovery unless one is already running or the loss lies below the last recovery point (RFC 6675 §5 step 2,
     * the same guard as RFC 6582): RecoveryPoint = HighData, ssthresh and cwnd = the algorithm's reduction.
     *
     * @return true if recovery began (the orchestrator then retransmits by NextSeg)
     */
    public boolean onSackLoss(DeliveryView delivery, long nowNs) {
        if (inFastRecovery || !Seq.gt(delivery.sndUna(), recover)) {
            return false;
        }
        recover = delivery.sndMax();
        ssthresh = algorithm.ssthreshOnLoss(cwnd, delivery.flightSize(), smss, nowNs);
        // RFC 6937 §3 initialisation; cwnd is set per ACK by onRecoveryAck (pipe + sndcnt).
        prrDelivered = 0;
        prrOut = 0;
        recoverFs = Math.max(delivery.flightSize(), 1);
        cwnd = ssthresh;
        inFastRecovery = true;
        sackRecovery = true;
        return true;
    }

    /**
     * Proportional Rate Reduction (RFC 6937 §3.1, with PRR-SSRB as Linux's tcp_cwnd_reduction) on an ACK during SACK
     * recovery: how much may be sent now, as cwnd = pipe + sndcnt. While pipe exceeds ssthresh, sending follows
     * the deliveries in proportion ssthresh/RecoverFS; below it, slow start (at most one SMSS more than delivered)
     * rebuilds pipe towards ssthresh. The first ACK of a recovery always allows one segment (the fast
     * retransmission).
     *
     * @param deliveredBytes DeliveredData: the change in SND.UNA plus the change in SACKed bytes
     * @param pipe RFC 6675 pipe after the ACK
     */
    public void onRecoveryAck(int deliveredBytes, int pipe) {
        if (!sackRecovery) {
            return;
        }
        prrDelivered += Math.max(0, deliveredBytes);
        long sndcnt;
        if (pipe > ssthresh) {
            // RFC 6937: sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
            sndcnt = (prrDelivered * ssthresh + recoverFs - 1) / recoverFs - prrOut;
        } else {
            // PRR-SSRB: limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS
            long limit = Math.max(prrDelivered - prrOut, deliveredBytes) + smss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? smss : 0);
        cwnd = (int) Math.min(Integer.MAX_VALUE, pipe + sndcnt);
    }

    /** RFC 6937 §3.1: prr_out += data sent (retransmitted or new) during recovery. */
    public void onRecoverySent(int bytes) {
        if (sackRecovery) {
            prrOut += bytes;
        }
    }

    /**
     * A tail-loss probe's retransmission repaired a loss (RFC 8985 §7.4): the congestion response a fast recovery
     * would have made, as Linux's tcp_process_tlp_ack (enter and end a cwnd reduction: cwnd = ssthresh).
     */
    public void onLossProbeRepaired(DeliveryView delivery, long nowNs) {
        if (inFastRecovery) {
            return;
        }
        ssthresh = algorithm.ssthreshOnLoss(cwnd, delivery.flightSize(), smss, nowNs);
        cwnd = Math.max(ssthresh, smss);
    }

    /**
     * RFC 5681 §4.1: after sending nothing for more than an RTO, cwnd falls back to the restart window, min(IW,
     * cwnd), so that a long-idle connection does not burst a stale window into the network.
     */
    public void onIdleRestart() {
        cwnd = Math.min(cwnd, initialWindowSegments * smss);
    }

    /** What a new ACK asks the orchestrator to do. */
    public enum AckAction {
        NONE,
        /** A partial ACK in recovery: retransmit the next unacknowledged segment (RFC 6582 §3.2 step 5). */
        RETRANSMIT_NEXT
    }

    /** An ACK of new data ({@code bytesAcked} > 0, or a SYN/FIN), none of it SACKed before. */
    public AckAction onNewAck(int bytesAcked, DeliveryView delivery, long nowNs) {
        return onNewAck(bytesAcked, bytesAcked, delivery, nowNs);
    }

    /**
     * An ACK of new data ({@code bytesAcked} > 0, or a SYN/FIN); {@code delivery} already reflects it. {@code
     * bytesDelivered}: the part of {@code bytesAcked} not SACKed before, by which slow start and congestion avoidance
     * grow cwnd (Linux's acked_sacked); bytes SACKed earlier were delivered then, and counting them again when the
     * cumulative ACK passes them would let one ACK after a repaired hole open cwnd by the whole SACKed range.
     */
    public AckAction onNewAck(int bytesAcked, int bytesDelivered, DeliveryView delivery, long nowNs) {
        algorithm.onRttSample(delivery.srttNs());
        int ack = delivery.sndUna();
        if (lossRecovery && Seq.geq(ack, recover)) {
            // RTO recovery is over (Linux's tcp_process_loss "recovered"); growth goes on as below.
            lossRecovery = false;
        }
        if (inFastRecovery && sackRecovery) {
            // RFC 6675 §5: recovery ends when the cumulative ACK reaches RecoveryPoint; RFC 6937 §3: cwnd = ssthresh.
            if (Seq.geq(ack, recover)) {
                inFastRecovery = false;
                sackRecovery = false;
                cwnd = Math.max(ssthresh, smss);
            }
            return AckAction.NONE;
        }
        if (inFastRecovery) {
            if (Seq.geq(ack, recover)) {
                // Full acknowledgment (step 5, first branch): deflate.
                cwnd = Math.min(ssthresh, Math.max(delivery.flightSize(), smss) + smss);
                inFastRecovery = false;
                return AckAction.NONE;
            }
            // Partial acknowledgment: deflate by the amount acked, add back one SMSS if >= SMSS acked.
            cwnd = Math.max(smss, cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0));
            return AckAction.RETRANSMIT_NEXT;
        }
        int left = bytesDelivered;
        if (cwnd < ssthresh) {
            // Slow start counts the bytes acknowledged (RFC 5681 §3.1 allows RFC 3465's byte counting), without
            // RFC 3465 §2.2's per-ACK limit L, as Linux's tcp_slow_start counts every segment an ACK covers (GSO
            // segments included): a receiver acknowledges a 64 KiB super-segment with one ACK, and one SMSS per such
            // ACK would turn slow start into linear growth. An ACK covers at most what was in flight, so cwnd still
            // at most doubles per round trip. Growth stops at ssthresh; the rest of the ACK counts in congestion
            // avoidance (tcp_slow_start returns it to tcp_cong_avoid_ai).
            int grow = (int) Math.min(left, (long) ssthresh - cwnd);
            cwnd += grow;
            left -= grow;
            if (left == 0) {
                return AckAction.NONE;
            }
        }
        cwnd = algorithm.onCongestionAvoidanceAck(cwnd, left, smss, nowNs);
        return AckAction.NONE;
    }

    /** The retransmission timer expired, go-back-N (no SACK scoreboard kept). */
    public void onRetransmitTimeout(DeliveryView delivery, long nowNs) {
        onRetransmitTimeout(delivery, nowNs, false, 0);
    }

    /**
     * The retransmission timer expired (RFC 5681 §3.1 equation 4 and "LW"; RFC 6582 §3.2 step 6). ssthresh falls on
     * the first expiry of an episode only, and not when a fast recovery already reduced it. Without a kept scoreboard cwnd = 1 SMSS (go-back-N). With it ({@code
     * sackKept}, RFC 6675 §5.1) RTO recovery begins and cwnd = pipe + 1 SMSS, as Linux's tcp_enter_loss
     * (tcp_packets_in_flight + 1): one retransmission goes now, whatever segments sent just before the timeout are
     * still in flight. The state before a first expiry outside fast recovery is kept for an F-RTO undo.
     *
     * @param pipe RFC 6675 pipe after the loss marking (bytes neither SACKed nor lost)
     */
    public void onRetransmitTimeout(DeliveryView delivery, long nowNs, boolean sackKept, int pipe) {
        if (delivery.retries() <= 1) {
            undoValid = !inFastRecovery;
            undoCwnd = cwnd;
            undoSsthresh = ssthresh;
            undoRecover = recover;
            // A fast recovery already reduced ssthresh for this loss (Linux's tcp_enter_loss reduces it only from
            // the Open and Disorder states).
            if (!inFastRecovery) {
                ssthresh = algorithm.ssthreshOnLoss(cwnd, delivery.flightSize(), smss, nowNs);
            }
        }
        cwnd = sackKept ? (int) Math.min(Integer.MAX_VALUE, (long) pipe + smss) : smss;
        recover = delivery.sndMax();
        inFastRecovery = false;
        sackRecovery = false;
        lossRecovery = sackKept;
    }

    /**
     * F-RTO found the timeout spurious (RFC 5682 §3 step 3b; Linux's tcp_try_undo_loss and
     * tcp_undo_cwnd_reduction): RTO recovery ends; cwnd and ssthresh return to at least what they were before the
     * timeout, and the recovery point to its old value so that a real loss found next may start a fast recovery.
     */
    public void undoRetransmitTimeout() {
        lossRecovery = false;
        if (!undoValid) {
            return;
        }
        undoValid = false;
        cwnd = Math.max(cwnd, undoCwnd);
        ssthresh = Math.max(ssthresh, undoSsthresh);
        recover = undoRecover;
    }

    private final class View implements CongestionView {
        @Override
        public int cwnd() {
            return cwnd;
        }

        @Override
        public int ssthresh() {
            return ssthresh;
        }

        @Override
        public boolean inFastRecovery() {
            return inFastRecovery;
        }

        @Override
        public int recover() {
            return recover;
        }

        @Override
        public boolean inSackRecovery() {
            return sackRecovery;
        }

        @Override
        public boolean inLossRecovery() {
            return lossRecovery;
        }

        @Override
        public String algorithm() {
            return algorithm.name();
        }
    }
}

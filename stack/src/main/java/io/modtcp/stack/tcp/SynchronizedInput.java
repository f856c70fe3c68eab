package io.modtcp.stack.tcp;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionControl;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.AckOutcome;
import io.modtcp.stack.tcp.delivery.AckResult;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.ReceiveOutcome;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.flow.FlowControl;
import io.modtcp.stack.tcp.flow.FlowView;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;
import java.util.SplittableRandom;

/**
 * Segment arrival on SYN-RECEIVED and the synchronized states (RFC 9293 §3.10.7.4): PAWS (RFC 7323 §5), the
 * acceptability test, RST and SYN checks (RFC 5961 §3, §4 with rate-limited challenge ACKs, §7), ACK processing
 * (RFC 5961 §5.2, RFC 5681, RFC 6582; SACK information, RFC 2018 and RFC 6675 §5), the text and the FIN. The
 * components decide; this sequences them in the RFC's order. gVisor's rcv.go and the input half of snd.go.
 */
final class SynchronizedInput {
    private static final long ONE_SECOND_NS = 1_000_000_000L;

    private final TcpEngine engine;
    private final SegmentWriter writer;
    private final Sender sender;
    private final TcpConfig config;
    private final Counters counters;
    private final InSegment seg;

    /** Draws each second's stack-wide challenge-ACK budget (RFC 5961 §7, randomised against CVE-2016-5696). */
    private final SplittableRandom budgetRandom;

    private long challengeWindowStartNs;
    private boolean challengeWindowStarted;
    private int challengeBudget;

    SynchronizedInput(
            TcpEngine engine, SegmentWriter writer, Sender sender, InSegment seg, SplittableRandom budgetRandom) {
        this.engine = engine;
        this.budgetRandom = budgetRandom;
        this.writer = writer;
        this.sender = sender;
        this.config = engine.config();
        this.counters = engine.counters();
        this.seg = seg;
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states. */
    void input(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        ConnectionView cv = c.cm.view();
        int rcvWnd = FlowControl.receiveWindow(c.flow.view(), d);

        // A retransmitted SYN in SYN-RECEIVED: the SYN-ACK was lost, send it again.
        if (cv.state() == TcpState.SYN_RECEIVED && seg.isSyn() && !seg.isAck() && seg.seq() == d.irs()) {
            c.rod.rewindToUnacknowledged();
            return;
        }

        // PAWS (RFC 7323 §5.3 R1): an old timestamp makes the segment unacceptable. A SYN draws a challenge ACK
        // (RFC 5961 §4.2), anything else a rate-limited ACK (Linux's tcp_validate_incoming).
        if (c.rod.isPawsReject(seg)) {
            counters.inc(Counter.TCP_DROP_PAWS);
            if (seg.isSyn()) {
                synChallenge(c, nowNs);
            } else {
                invalidSegmentAck(c, nowNs, Counter.TCP_ACK_SKIPPED_PAWS);
            }
            return;
        }

        // First: sequence acceptability.
        if (!c.rod.isAcceptable(seg, rcvWnd)) {
            // An old duplicate answered with a D-SACK is Linux's TCPDSACKOldSent, not an out-of-window drop.
            boolean oldDuplicate = cv.sackOk() && c.rod.onUnacceptableSegment(seg);
            counters.inc(oldDuplicate ? Counter.TCP_DSACK_OLD_SENT : Counter.TCP_DROP_OUT_OF_WINDOW);
            c.rod.takeDsackQueued();
            if (seg.isSyn()) {
                // RFC 5961 §4.2: a SYN in any synchronized state, in window or not, draws a challenge ACK.
                synChallenge(c, nowNs);
            } else if (!seg.isRst()) {
                if (cv.state() == TcpState.TIME_WAIT && seg.isFin()) {
                    // A retransmitted FIN: acknowledge it and restart the 2 MSL timeout.
                    c.cm.onFinReceived(true, nowNs, config.timeWaitNs());
                }
                invalidSegmentAck(c, nowNs, Counter.TCP_ACK_SKIPPED_SEQ);
            }
            return;
        }

        // RFC 7323 §4.3: TS.Recent is not taken here but after the RST, SYN and ACK checks below, so that only a
        // segment that passes all of them can move it (a forged in-window SYN or bad-ACK segment with a future
        // TSval would otherwise make PAWS drop the real peer's segments: a blind kill).

        // Second: RST (RFC 5961 §3.2).
        if (seg.isRst()) {
            if (seg.seq() != d.rcvNxt()) {
                challengeAck(c, nowNs);
                return;
            }
            onReset(c);
            return;
        }

        // Fourth: SYN in a synchronized state, or an in-window SYN in SYN-RECEIVED (RFC 5961 §4.2).
        if (seg.isSyn()) {
            synChallenge(c, nowNs);
            return;
        }

        // Fifth: ACK.
        if (!seg.isAck()) {
            counters.inc(Counter.TCP_DROP_BAD_ACK);
            return;
        }
        if (cv.state() == TcpState.SYN_RECEIVED) {
            if (!Seq.gt(seg.ack(), d.sndUna()) || Seq.gt(seg.ack(), d.sndMax())) {
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                writer.sendControl(
                        seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
                return;
            }
            TcpListener listener = c.listener;
            if (listener != null && listener.acceptQueued >= listener.backlog()) {
                // Linux's tcp_abort_on_overflow=0: ignore the ACK, the SYN-ACK will be retransmitted.
                counters.inc(Counter.TCP_ACCEPT_QUEUE_OVERFLOW);
                return;
            }
            c.cm.onHandshakeAcked();
            c.flow.onSynWindow(seg);
            if (c.cm.view().finRequested() && !d.isFinQueued()) {
                c.rod.queueFin();
            }
            c.cm.onSegmentReceived(nowNs);
            c.handler.onEstablished(c);
            if (listener != null) {
                listener.synQueued--;
                listener.acceptQueued++;
                c.inAcceptQueue = true;
                listener.handler().onAcceptable(listener, c);
            }
        }
        c.cm.onSegmentReceived(nowNs);

        FlowView fv = c.flow.view();
        int maxSndWnd = Math.max(fv.maxSndWnd(), 1);
        AckResult ackResult = c.rod.classifyAck(seg.ack(), maxSndWnd);
        if (ackResult == AckResult.TOO_NEW || ackResult == AckResult.TOO_OLD) {
            // RFC 5961 §5.2 (and RFC 9293 §3.10.7.4 fifth step for SEG.ACK > SND.NXT): send an ACK, drop the
            // segment; the ACK is a challenge ACK, rate-limited (Linux's tcp_ack then tcp_send_challenge_ack).
            counters.inc(Counter.TCP_DROP_BAD_ACK);
            challengeAck(c, nowNs);
            return;
        }
        // RFC 7323 §4.3: the segment passed the sequence, RST, SYN and ACK checks; its TSval may become TS.Recent.
        c.rod.onTimestamp(seg);
        // RFC 6937 DeliveredData: the change in SND.UNA plus the change in SACKed bytes over this ACK.
        int unaBefore = d.sndUna();
        int sackedBefore = d.sackedBytes();
        boolean wasInLossRecovery = c.cc.view().inLossRecovery();
        switch (ackResult) {
            case OLD:
                break;
            case SAME:
                onSameAck(c, nowNs);
                break;
            case NEW:
                onNewAck(c, nowNs, sackedBefore);
                if (c.removed) {
                    return;
                }
                break;
            default:
                throw new AssertionError(ackResult);
        }
        if (cv.sackOk() && ackResult != AckResult.OLD) {
            onSackInformation(c, nowNs, ackResult == AckResult.SAME, unaBefore, sackedBefore, wasInLossRecovery);
        }

        // Sixth: URG (RFC 9293 §3.10.7.4 sixth step, the pointer read as RFC 6093 §4 and Linux's tcp_check_urg do),
        // in the states that still take text; the mark is applied as the bytes are delivered (Urgent).
        if (seg.isUrg() && c.state().canReceiveData()) {
            onUrgent(c);
        }

        // Seventh and eighth: text and FIN.
        if (seg.payloadLength() > 0 || seg.isFin()) {
            int discardedBefore = c.rod.view().urgentDiscarded();
            segmentText(c, nowNs);
            int discarded = c.rod.view().urgentDiscarded() - discardedBefore;
            if (discarded > 0) {
                counters.add(Counter.TCP_URG_DISCARDED, discarded);
            }
        }
    }

    /**
     * Marks the urgent octet the segment's pointer names. A zero pointer or one beyond the window we advertised is
     * ignored and counted; the segment itself is processed as usual (RFC 6093 §5: urgent data is a hint to the
     * application, never a reason to drop data).
     */
    private void onUrgent(TcpConnection c) {
        int rcvWnd = FlowControl.receiveWindow(c.flow.view(), c.rod.view());
        if (!c.rod.onUrgentPointer(seg, Math.max(rcvWnd, seg.payloadLength()))) {
            counters.inc(Counter.TCP_URG_INVALID);
        }
    }

    /** SEG.ACK = SND.UNA: maybe a duplicate ACK (RFC 5681 §2), and maybe a window update. */
    private void onSameAck(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        FlowView fv = c.flow.view();
        // Classified against the window before this segment updates it (RFC 5681 §2 (e)).
        int count = c.rod.onAckOfSndUna(seg, fv.sndWnd(), fv.sndWndShift());
        c.flow.onAcceptableAck(seg);
        if (count == 0) {
            return;
        }
        if (c.cm.view().sackOk()) {
            // With SACK, RFC 6675 decides: onSackInformation enters recovery and NextSeg picks what to resend.
            return;
        }
        CongestionControl.DupAckAction action = c.cc.onDuplicateAck(count, d, nowNs);
        if (action == CongestionControl.DupAckAction.FAST_RETRANSMIT) {
            counters.inc(Counter.TCP_FAST_RETRANSMITS);
            sender.retransmitFirst(c, nowNs);
        }
    }

    /**
     * SACK blocks of an acceptable ACK go to the scoreboard and mark RACK's segment records; then the tail-loss
     * probe's outcome (RFC 8985 §7.4) and RACK loss detection (RFC 8985 §6.2), which starts SACK recovery; during
     * recovery PRR (RFC 6937) sets how much may be sent. The retransmissions themselves go out from {@link #output}.
     */
    private void onSackInformation(
            TcpConnection c, long nowNs, boolean sameAck, int unaBefore, int sackedBefore, boolean inLossRecovery) {
        DeliveryView d = c.rod.view();
        int dsacksBefore = d.dsacksReceivedCount();
        int ofoDsacksBefore = d.dsacksOfoReceivedCount();
        if (seg.options().sackBlockCount() > 0) {
            c.rod.onSackBlocks(seg, nowNs);
        }
        // RFC 2883 §4: a D-SACK at or below the cumulative ACK (TCPDSACKRecv) or inside the second block, above it
        // (TCPDSACKOfoRecv).
        int ofoDsacks = d.dsacksOfoReceivedCount() - ofoDsacksBefore;
        counters.add(Counter.TCP_DSACK_RECV, d.dsacksReceivedCount() - dsacksBefore - ofoDsacks);
        counters.add(Counter.TCP_DSACK_OFO_RECV, ofoDsacks);
        boolean pureDuplicate =
                sameAck && seg.payloadLength() == 0 && seg.options().sackBlockCount() == 0;
        if (c.rod.onAckForProbe(seg, pureDuplicate)) {
            counters.inc(Counter.TCP_LOSS_PROBE_RECOVERY);
            c.cc.onLossProbeRepaired(d, nowNs);
        }
        if (inLossRecovery) {
            // F-RTO (RFC 5682 §3, SACK-enhanced, as Linux's tcp_process_loss) during RTO recovery.
            boolean newDataSendable =
                    d.unsentBytes() > 0 && Seq.gt(d.sndUna() + c.flow.view().sndWnd(), d.sndNxt());
            ReliableOrderedDelivery.FrtoOutcome frto = c.rod.onAckInRtoRecovery(
                    d.sndUna() != unaBefore,
                    d.sackedBytes() != sackedBefore,
                    sameAck && seg.payloadLength() == 0,
                    newDataSendable);
            if (frto == ReliableOrderedDelivery.FrtoOutcome.SPURIOUS) {
                counters.inc(Counter.TCP_SPURIOUS_RTOS);
                c.cc.undoRetransmitTimeout();
            }
        }
        if (d.flightSize() == 0) {
            return;
        }
        sender.detectLosses(c, nowNs, Seq.sub(d.sndUna(), unaBefore) + d.sackedBytes() - sackedBefore);
    }

    /** SND.UNA < SEG.ACK <= SND.MAX (RFC 9293 §3.10.7.4 fifth step, RFC 5681, RFC 6582). */
    private void onNewAck(TcpConnection c, long nowNs, int sackedBefore) {
        AckOutcome outcome = c.rod.onNewAck(
                seg.ack(), nowNs, seg.options().hasTimestamps(), seg.options().tsEcr());
        c.cm.onProgress();
        c.flow.onAcceptableAck(seg);
        boolean wasInRecovery = c.cc.view().inFastRecovery();
        // What this ACK delivers for the first time: the cumulative advance less what was SACKed before (Linux's
        // tcp_clean_rtx_queue counts only those in acked_sacked); cwnd grows by that, not by the whole advance.
        int sackedBelowNewUna = Math.max(0, sackedBefore - c.rod.view().sackedBytes());
        int delivered = Math.max(0, outcome.dataBytesAcked() - sackedBelowNewUna);
        CongestionControl.AckAction action = c.cc.onNewAck(outcome.dataBytesAcked(), delivered, c.rod.view(), nowNs);
        if (wasInRecovery && !c.cc.view().inFastRecovery()) {
            c.rod.onRecoveryExit();
        }
        if (outcome.dataBytesAcked() > 0) {
            c.handler.onAcked(c, outcome.dataBytesAcked());
        }
        if (action == CongestionControl.AckAction.RETRANSMIT_NEXT) {
            sender.retransmitFirst(c, nowNs);
        }
        if (outcome.finAcked()) {
            c.cm.onOurFinAcked(nowNs, config.timeWaitNs());
            if (c.state() == TcpState.CLOSED) {
                engine.destroy(c, null);
            }
        }
    }

    /** Seventh and eighth steps: segment text and FIN. */
    void segmentText(TcpConnection c, long nowNs) {
        TcpState state = c.state();
        if (!state.canReceiveData()) {
            // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent FIN; ignore text. A FIN
            // retransmission is answered by the acceptability check.
            if (seg.isFin() && state == TcpState.TIME_WAIT) {
                c.cm.onFinReceived(true, nowNs, config.timeWaitNs());
                c.rod.ackOwed(true, 0, 0, nowNs, 0);
            }
            return;
        }
        int rcvWnd = FlowControl.receiveWindow(c.flow.view(), c.rod.view());
        ReceiveOutcome outcome = c.rod.receive(seg, rcvWnd, c.payloadSink);
        ReliableOrderedDelivery.DsackKind dsack = c.rod.takeDsackQueued();
        if (dsack != ReliableOrderedDelivery.DsackKind.NONE && c.cm.view().sackOk()) {
            counters.inc(
                    dsack == ReliableOrderedDelivery.DsackKind.OLD
                            ? Counter.TCP_DSACK_OLD_SENT
                            : Counter.TCP_DSACK_OFO_SENT);
        }
        if (outcome.droppedQueueFull()) {
            counters.inc(Counter.TCP_DROP_OOO_QUEUE_FULL);
        } else if (outcome.outOfOrder()) {
            counters.inc(Counter.TCP_OOO_QUEUED);
        }
        boolean immediate =
                outcome.outOfOrder() || outcome.filledHole() || outcome.finConsumed() || outcome.bytesDelivered() == 0;
        c.rod.ackOwed(immediate, outcome.bytesDelivered(), c.cm.view().sendMss(), nowNs, config.delayedAckNs());
        if (outcome.finConsumed()) {
            boolean entered = c.cm.onFinReceived(c.rod.view().isFinAcked(), nowNs, config.timeWaitNs());
            c.handler.onFin(c);
            if (entered) {
                c.rod.stopRetransmitTimer();
            }
        }
    }

    /** A valid reset (RFC 9293 §3.10.7.4 second step). */
    private void onReset(TcpConnection c) {
        TcpState state = c.state();
        if (state == TcpState.SYN_RECEIVED && c.cm.view().isPassiveOpen()) {
            // Back to LISTEN: the half-open child just goes away.
            c.cm.onResetInSynReceived();
            engine.destroy(c, TcpError.RESET);
            return;
        }
        TcpError error;
        if (state == TcpState.SYN_RECEIVED) {
            error = TcpError.REFUSED;
        } else if (state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT) {
            error = null;
        } else {
            error = TcpError.RESET;
            counters.inc(Counter.TCP_ESTAB_RESETS);
        }
        if (error != null) {
            engine.fail(c, error);
        } else {
            c.cm.onFailure(TcpError.RESET);
            engine.destroy(c, null);
        }
    }

    /** A SYN on a synchronized connection (RFC 5961 §4.2): counted (Linux's TCPSYNChallenge), then challenged. */
    private void synChallenge(TcpConnection c, long nowNs) {
        counters.inc(Counter.TCP_SYN_CHALLENGE);
        challengeAck(c, nowNs);
    }

    /**
     * The ACK owed for an unacceptable segment (RFC 9293 §3.10.7.4 first step) or a PAWS drop (RFC 7323 §5.3 R1).
     * A segment carrying data or a FIN always gets it (a retransmission whose ACK was lost must draw one, or the
     * loss costs a timeout; Linux: "data packets without SYNs are not likely part of an ACK loop"); one without is
     * answered at most once per {@link TcpConfig#invalidAckRateLimitNs()} per connection (Linux's
     * tcp_oow_rate_limited), which ends ACK loops between two stacks that disagree about the sequence space.
     */
    private void invalidSegmentAck(TcpConnection c, long nowNs, Counter skipped) {
        if (seg.segLen() > 0 || c.cm.allowInvalidSegmentAck(nowNs, config.invalidAckRateLimitNs())) {
            c.rod.ackOwed(true, 0, 0, nowNs, 0);
        } else {
            counters.inc(skipped);
        }
    }

    /**
     * A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), limited twice (RFC 5961 §7, Linux's tcp_send_challenge_ack):
     * per connection, at most one per {@link TcpConfig#invalidAckRateLimitNs()} (the same clock as
     * {@link #invalidSegmentAck}); and per stack, a budget per second drawn at random from [limit/2, limit*3/2). A
     * fixed stack-wide budget is a side channel (CVE-2016-5696): an off-path attacker guesses a victim
     * connection's sequence number with a spoofed RST, then counts the challenge ACKs its own connection draws in
     * the same second; one fewer means the guess hit the window. The per-connection limit leaves the attacker's
     * own connection one challenge ACK per interval whatever the victim does, and the random budget hides the one
     * the victim took when the attacker spreads its probes over many connections.
     */
    private void challengeAck(TcpConnection c, long nowNs) {
        if (!c.cm.allowInvalidSegmentAck(nowNs, config.invalidAckRateLimitNs())) {
            counters.inc(Counter.TCP_ACK_SKIPPED_CHALLENGE);
            return;
        }
        int limit = config.challengeAckLimitPerSecond();
        if (limit != Integer.MAX_VALUE) {
            if (!challengeWindowStarted || nowNs - challengeWindowStartNs >= ONE_SECOND_NS) {
                challengeWindowStarted = true;
                challengeWindowStartNs = nowNs;
                int half = (limit + 1) >>> 1;
                challengeBudget = (int) Math.min(Integer.MAX_VALUE, (long) half + budgetRandom.nextInt(limit));
            }
            if (challengeBudget <= 0) {
                counters.inc(Counter.TCP_CHALLENGE_ACKS_SUPPRESSED);
                return;
            }
            challengeBudget--;
        }
        counters.inc(Counter.TCP_CHALLENGE_ACKS);
        writer.sendAck(c, nowNs);
    }
}

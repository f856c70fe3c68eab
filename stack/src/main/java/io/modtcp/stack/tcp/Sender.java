package io.modtcp.stack.tcp;

import io.modtcp.stack.link.Offload;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.SegmentSizing;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.NextSeg;
import io.modtcp.stack.tcp.flow.FlowView;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;

/**
 * What a connection sends when it may (RFC 9293 §3.10.7 and §3.10.8 "send whatever is owed"): the SYN or SYN-ACK,
 * new data and the FIN as the windows allow (FlowControl decides Nagle and silly-window avoidance), during SACK
 * recovery the loop "while pipe < cwnd send NextSeg" (ReliableOrderedDelivery chooses the segment, RFC 6675 §5), the
 * fast retransmission (RFC 5681 §3.2, RFC 6582), a bare ACK, and the persist timer. gVisor's snd.go.
 */
final class Sender {
    /** RFC 9293 §3.7.1's default MSS: no segment is cut smaller than this by window bounding. */
    private static final int MIN_SEGMENT = 536;

    private final TcpEngine engine;
    private final SegmentWriter writer;
    private final Counters counters;

    Sender(TcpEngine engine, SegmentWriter writer, Counters counters) {
        this.engine = engine;
        this.writer = writer;
        this.counters = counters;
    }

    /**
     * Sends whatever the connection owes: SYN or SYN-ACK, data the windows allow (Nagle and sender-side SWS
     * avoidance, RFC 9293 §3.7.4 and §3.8.6.2.1), the FIN, or a bare ACK; then re-arms timers.
     */
    void output(TcpConnection c, long nowNs) {
        if (c.removed) {
            return;
        }
        TcpState state = c.state();
        DeliveryView d = c.rod.view();
        if ((state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) && d.sndNxt() == d.iss()) {
            int flags = state == TcpState.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK;
            writer.sendSegment(c, d.iss(), 0, flags, true, nowNs);
        }
        if (state.canTransmitData()) {
            if (c.cc.view().inSackRecovery() || c.cc.view().inLossRecovery()) {
                sendInRecovery(c, nowNs);
            } else {
                sendData(c, nowNs);
            }
        }
        if (d.isAckPending() && state != TcpState.SYN_SENT && state != TcpState.CLOSED) {
            writer.sendAck(c, nowNs);
        }
        updatePersist(c, nowNs);
        // RFC 8985 §7.2: a tail-loss probe is armed while data is outstanding on an open SACK connection.
        boolean probeAllowed = c.cm.view().sackOk()
                && state.canTransmitData()
                && !c.cc.view().inFastRecovery()
                && !c.cc.view().inLossRecovery()
                && d.retries() == 0;
        c.rod.updateProbeTimer(probeAllowed, nowNs, segmentPayload(c));
        engine.updateTimer(c);
    }

    private void sendData(TcpConnection c, long nowNs) {
        sendData(c, nowNs, false);
    }

    /**
     * Sends new data (and the FIN) as the windows, Nagle and SWS avoidance allow. In {@code recovery} mode it sends
     * at most one segment and leaves the congestion window to the caller's pipe accounting.
     *
     * @return true if a segment went out
     */
    private boolean sendData(TcpConnection c, long nowNs, boolean recovery) {
        DeliveryView d = c.rod.view();
        FlowView fv = c.flow.view();
        ConnectionView cv = c.cm.view();
        int mss = segmentPayload(c);
        if (d.flightSize() == 0 && d.unsentBytes() > 0 && d.lastSendNs() != 0 && nowNs - d.lastSendNs() > d.rtoNs()) {
            c.cc.onIdleRestart();
        }
        boolean sent = false;
        while (true) {
            int unsent = d.unsentBytes();
            boolean finPending = d.isFinQueued() && Seq.leq(d.sndNxt(), c.rod.finSeq());
            if (unsent == 0 && !finPending) {
                break;
            }
            int window =
                    recovery ? fv.sndWnd() : Math.min(fv.sndWnd(), c.cc.view().cwnd());
            int usable = Math.max(0, Seq.sub(d.sndUna() + window, d.sndNxt()));
            // With TSO (docs/tun.md) one packet carries up to a super-segment, cut to whole MSS but for the tail.
            // Not in urgent mode: a segment with URG is one MSS (SegmentWriter).
            int goal = recovery
                            || d.urgentMode()
                            || !Offload.tso(c.route.link(), cv.remoteAddr().isV4())
                    ? mss
                    : SegmentSizing.tsoGoal(mss, c.cc.view().cwnd(), c.cc.view().ssthresh(), d.srttNs());
            int len = SegmentSizing.length(goal, mss, unsent, usable);
            boolean fin = finPending && len == unsent && usable > len;
            if (len == 0 && !fin) {
                break;
            }
            // Nagle and sender-side SWS avoidance (RFC 896, RFC 9293 §3.8.6.2.1): FlowControl decides.
            if (!c.flow.isSendAllowed(len, mss, d, cv)) {
                break;
            }
            c.flow.onDataSegmentSent();
            int flags = TcpHeader.ACK | (len > 0 && len == unsent ? TcpHeader.PSH : 0) | (fin ? TcpHeader.FIN : 0);
            writer.sendSegment(c, d.sndNxt(), len, flags, true, nowNs);
            sent = true;
            if (fin || recovery) {
                break;
            }
        }
        return sent;
    }

    /**
     * Sending during SACK recovery (RFC 6675 §5 step C) and RTO recovery with the scoreboard kept (RFC 6675 §5.1):
     * while cwnd - pipe >= 1 SMSS, NextSeg: first the segments marked lost, then new data the receive window allows.
     * An F-RTO round (RFC 5682 §3 step 2b) sends new data only; if none could go, the lost segments go.
     */
    private void sendInRecovery(TcpConnection c, long nowNs) {
        int smss = c.cm.view().sendMss();
        int mss = segmentPayload(c);
        boolean rack = c.cm.view().sackOk();
        if (d(c).isFrtoNewDataRound()) {
            boolean sent = false;
            while (c.cc.view().cwnd() - c.rod.rackPipe() >= mss && sendData(c, nowNs, true)) {
                sent = true;
            }
            c.rod.onFrtoNewDataRoundDone();
            if (sent) {
                return;
            }
        }
        for (int guard = 0; guard < 10_000; guard++) {
            // RFC 6937: cwnd is pipe + PRR's sndcnt, so this sends what PRR allows.
            int pipe = rack ? c.rod.rackPipe() : c.rod.pipe(smss);
            if (c.cc.view().cwnd() - pipe < mss) {
                return;
            }
            long next = rack ? c.rod.rackNextSeg(mss) : c.rod.nextSeg(smss, mss);
            if (next == NextSeg.NONE) {
                return;
            }
            if (next != NextSeg.NEW_DATA) {
                int seq = NextSeg.seq(next);
                int len = NextSeg.length(next);
                boolean fin = NextSeg.fin(next);
                writer.sendSegment(c, seq, len, TcpHeader.ACK | (fin ? TcpHeader.FIN : 0), true, nowNs);
                c.rod.onRecoveryRetransmit(seq, len + (fin ? 1 : 0));
                c.cc.onRecoverySent(len + (fin ? 1 : 0));
                // Retransmissions of an RTO recovery are not SACK recovery's (Linux counts them apart, as
                // TCPSlowStartRetrans); they show in TCP_RETRANS_SEGS.
                if (c.cc.view().inSackRecovery()) {
                    counters.inc(Counter.TCP_SACK_RETRANSMITS);
                }
                continue;
            }
            int before = d(c).sndNxt();
            if (!sendData(c, nowNs, true)) {
                return;
            }
            c.cc.onRecoverySent(Seq.sub(d(c).sndNxt(), before));
        }
    }

    private static DeliveryView d(TcpConnection c) {
        return c.rod.view();
    }

    /**
     * RACK loss detection (RFC 8985 §6.2) after an ACK was processed or the RACK timer fired: marks what is lost;
     * the first loss starts SACK recovery (RFC 6675 §5 with RACK in place of IsLost/DupThresh, as Linux's
     * tcp_time_to_recover), whose retransmissions go out from {@link #output}.
     */
    void detectLosses(TcpConnection c, long nowNs, int deliveredBytes) {
        DeliveryView d = c.rod.view();
        // RACK.reo_wnd is 0 in RTO recovery as in fast recovery (Linux's tcp_rack_reo_wnd: state >= Recovery).
        c.rod.rackDetectLoss(nowNs, c.cc.view().inFastRecovery() || c.cc.view().inLossRecovery());
        int lostRetransmits = c.rod.rackLostRetransmits();
        if (lostRetransmits > 0) {
            counters.add(Counter.TCP_LOST_RETRANSMIT, lostRetransmits);
        }
        if (!c.cc.view().inFastRecovery() && d.flightSize() > 0 && c.rod.hasRackLost()) {
            if (c.cc.onSackLoss(d, nowNs)) {
                counters.inc(Counter.TCP_FAST_RETRANSMITS);
                counters.inc(Counter.TCP_SACK_RECOVERIES);
                c.rod.onRecoveryStart();
            }
        }
        // RFC 6937 §3.1, on every ACK of the recovery (the one that starts it included): cwnd = pipe + sndcnt.
        c.cc.onRecoveryAck(deliveredBytes, c.rod.rackPipe());
    }

    /** The RACK reordering timer fired (RFC 8985 §6.2): detect again with the current time. */
    void onRackTimer(TcpConnection c, long nowNs) {
        c.rod.onRackTimerExpired();
        if (c.cm.view().sackOk() && c.state().canTransmitData()) {
            detectLosses(c, nowNs, 0);
        }
    }

    /**
     * The probe timeout fired (RFC 8985 §7.3): send one new segment if there is one and the receive window allows
     * it, else retransmit the last segment sent; either way the probe draws an ACK (with SACK) that lets RACK detect
     * a tail loss without waiting for the RTO. At most one probe per episode.
     */
    void onLossProbeTimer(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        if (!c.state().canTransmitData() || d.flightSize() == 0 || c.cc.view().inFastRecovery()) {
            c.rod.onProbeSkipped();
            return;
        }
        int before = d.sndNxt();
        if (d.unsentBytes() > 0 && Seq.gt(d.sndUna() + c.flow.view().sndWnd(), d.sndNxt())) {
            c.flow.onDataSegmentSent();
            int usable = Seq.sub(d.sndUna() + c.flow.view().sndWnd(), d.sndNxt());
            int len = Math.min(segmentPayload(c), Math.min(d.unsentBytes(), usable));
            int flags = TcpHeader.ACK | (len == d.unsentBytes() ? TcpHeader.PSH : 0);
            writer.sendSegment(c, before, len, flags, true, nowNs);
        }
        boolean newData = Seq.gt(d.sndNxt(), before);
        if (!newData) {
            // The last segment again (Linux's tcp_send_loss_probe retransmits the tail skb).
            int end = d.sndMax();
            boolean fin = d.isFinSent() && !d.isFinAcked();
            int dataEnd = fin ? end - 1 : end;
            int len = Math.max(0, Math.min(segmentPayload(c), Seq.sub(dataEnd, d.sndUna())));
            if (len == 0 && !fin) {
                c.rod.onProbeSkipped();
                return;
            }
            writer.sendSegment(c, dataEnd - len, len, TcpHeader.ACK | (fin ? TcpHeader.FIN : 0), true, nowNs);
        }
        counters.inc(Counter.TCP_LOSS_PROBES);
        c.rod.onProbeSent(!newData, nowNs);
    }

    /** Fast retransmit or a NewReno partial ACK: one segment from SND.UNA (RFC 5681 §3.2, RFC 6582 §3.2). */
    void retransmitFirst(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        int sent = Seq.sub(d.sndMax(), d.sndUna());
        int dataOutstanding = Math.min(sent, d.sendQueued());
        int len = Math.min(segmentPayload(c), dataOutstanding);
        boolean fin = len == dataOutstanding && d.isFinSent() && !d.isFinAcked();
        if (len == 0 && !fin) {
            return;
        }
        int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0);
        writer.sendSegment(c, d.sndUna(), len, flags, true, nowNs);
    }

    private void updatePersist(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        boolean somethingToSend = d.unsentBytes() > 0 || (d.isFinQueued() && !d.isFinSent());
        // Nothing outstanding since SND.NXT (a timeout may have rewound it) and the window keeps us from sending:
        // the persist timer, not the retransmission timer, keeps asking (a zero window is no loss).
        if (somethingToSend && d.sndNxt() == d.sndUna() && c.state().canTransmitData()) {
            c.rod.stopRetransmitTimer();
            c.flow.armPersist(nowNs, d.rtoNs());
        } else {
            c.flow.cancelPersist();
        }
    }

    /** Payload bytes per full segment: the send MSS less the options every segment carries (RFC 6691 §3). */
    static int segmentPayload(TcpConnection c) {
        int mss = c.cm.view().sendMss();
        // Never more than half the largest window the peer offered (Linux's tcp_bound_to_half_wnd): with a 64 KiB
        // MSS and a 64 KiB window, one segment would fill the window and the peer's delayed ACK would pace us at one
        // segment per ACK timer.
        int maxWindow = c.flow.view().maxSndWnd();
        if (maxWindow > 2 * MIN_SEGMENT) {
            mss = Math.min(mss, maxWindow / 2);
        }
        return c.rod.view().timestampsEnabled() ? mss - SegmentWriter.TIMESTAMPS_OPTION_BYTES : mss;
    }
}

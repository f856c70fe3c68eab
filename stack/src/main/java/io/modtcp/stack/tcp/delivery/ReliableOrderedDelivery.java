package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The sequence space, retransmission and reassembly; see the package documentation for what it owns.
 *
 * <p>Its rules live in package-private parts, each with its own state: {@link SendBuffer}, {@link ReassemblyQueue},
 * {@link RttEstimator}, {@link Timestamps}, {@link SackSender} and {@link SackScoreboard} (the sender's SACK state),
 * {@link Rack} (RACK-TLP and the per-segment retransmission records), {@link SackReceiver} (the D-SACK and block
 * order of the ACKs we send) and {@link AckGenerator} (when an ACK is owed). This class keeps the sequence variables
 * (SND.UNA, SND.NXT, SND.MAX, RCV.NXT), the retransmission timer and RTO recovery with F-RTO, and the component's
 * public operations. It is longer than the ~700 lines STYLE.md aims at, and stays one class on purpose: about a
 * quarter is {@link DeliveryView}'s implementation, which must be a private nested class (ArchUnit's
 * viewImplementationsArePrivateNestedClasses) reading private fields, and most of the rest are the one-line
 * delegations that are the component's public, RFC-cited API (the orchestrator may call only this class). Moving
 * the sequence variables out would turn every rule into getter/setter traffic between two classes of one component.
 */
public final class ReliableOrderedDelivery {
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /**
     * Bytes the out-of-order queue may hold beyond twice the receive window: with a window of a few hundred bytes,
     * the per-buffer overhead alone would otherwise exceed the bound.
     */
    public static final int OUT_OF_ORDER_HELD_FLOOR = 8192;

    private static final int[] NO_RANGES = new int[0];

    /** Which duplicate a D-SACK queued for the next ACK reports (RFC 2883 §4; Linux's TCPDSACK*Sent). */
    public enum DsackKind {
        NONE,
        /** Data below RCV.NXT (TCPDSACKOldSent). */
        OLD,
        /** Data already held out of order (TCPDSACKOfoSent). */
        OUT_OF_ORDER
    }

    /** The kind of the D-SACK queued since the last call, for the counters; NONE if none. */
    public DsackKind takeDsackQueued() {
        return sackReceiver.takeQueued();
    }

    private int iss;
    private int irs;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int rcvNxt;

    /** Sequence number of the send buffer's first byte. */
    private int bufSeq;

    private final SendBuffer sendBuffer;
    private final ReassemblyQueue reassembly;
    private final MemoryBudget memory;
    private final RttEstimator rtt;

    private boolean finQueued;
    private boolean finReceived;

    private boolean rttTiming;
    private int rttSeq;
    private long rttStartNs;

    private long rtoDeadlineNs = NO_DEADLINE;
    /** The retransmission timer expired while our SYN was unacknowledged (RFC 6298 §5.7). */
    private boolean synTimedOut;

    private int retries;
    private int dupAcks;

    /** RTO recovery (RFC 6675 §5.1): SND.MAX when the timer expired, or as F-RTO moved it (RFC 5682 step 2b). */
    private int rtoRecoveryHigh;
    /** F-RTO (RFC 5682) is testing the last timeout. */
    private boolean frto;
    /** F-RTO step 2b: the next sending round sends new data only. */
    private boolean frtoNewData;

    private final SackSender sack = new SackSender();
    /** RACK-TLP (RFC 8985): per-segment transmit records, the RACK state and timer, the tail-loss probe. */
    private final Rack rack = new Rack();
    /** The receiver's SACK state: the D-SACK to send (RFC 2883) and the order of the blocks (RFC 2018 §4). */
    private final SackReceiver sackReceiver = new SackReceiver();

    private long lastSendNs;

    private final Timestamps ts = new Timestamps();
    /** SND.UP and RCV.UP (RFC 9293 §3.8.5, RFC 6093). */
    private final Urgent urgent = new Urgent();

    private int lastAckSent;

    /** Whether an ACK is owed now or by the delayed-ACK timer. */
    private final AckGenerator acks = new AckGenerator();

    private final DeliveryView view = new View();
    /** Filled and returned by {@link #onNewAck} and {@link #receive}: nothing allocated per segment. */
    private final AckOutcome ackOutcome = new AckOutcome(0, false, false, false);

    private final ReceiveOutcome receiveOutcome = new ReceiveOutcome(0, false, false, false, false);

    /** With an unlimited memory budget (a connection tested on its own). */
    public ReliableOrderedDelivery(TcpConfig config, ByteBufAllocator alloc) {
        this(config, alloc, MemoryBudget.unlimited());
    }

    /** @param memory the stack's budget for received data held, charged by the reassembly queue */
    public ReliableOrderedDelivery(TcpConfig config, ByteBufAllocator alloc, MemoryBudget memory) {
        this.sendBuffer = new SendBuffer(alloc);
        this.memory = memory;
        this.reassembly = new ReassemblyQueue(config.maxOutOfOrderSegments(), memory, alloc);
        this.rtt = new RttEstimator(config.initialRtoNs(), config.minRtoNs(), config.maxRtoNs());
    }

    public DeliveryView view() {
        return view;
    }

    // ---- initialisation (RFC 9293 §3.4.1) ----

    /** Chooses the initial send sequence number; the SYN occupies ISS. */
    public void initSend(int iss) {
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        sack.init(iss);
        this.bufSeq = iss + 1;
    }

    /** Takes the peer's SYN: IRS = SEG.SEQ, RCV.NXT = SEG.SEQ + 1. */
    public void initReceive(int irs) {
        this.irs = irs;
        this.rcvNxt = irs + 1;
        this.lastAckSent = irs + 1;
    }

    /**
     * The SYN-ACK at ISS was sent before this connection existed (a SYN cookie, RFC 4987 §3.6): SND.NXT = SND.MAX =
     * ISS + 1, nothing timed and no timer (the segment that acknowledges it is being processed).
     */
    public void onStatelessSynSent() {
        sndNxt = iss + 1;
        sndMax = iss + 1;
    }

    // ---- timestamps (RFC 7323 §3 to §5): the state and rules are Timestamps' ----

    /**
     * The TSval clock of a connection with TSval offset {@code offset} at {@code nowNs}, before the per-connection
     * clamp: what a connection not yet created (a SYN cookie's SYN-ACK) would send.
     */
    public static int tsClock(int offset, long nowNs) {
        return Timestamps.clockAt(offset, nowNs);
    }

    /** Our TSval clock is milliseconds plus a per-connection {@code offset} (RFC 7323 §7.1); set before the SYN. */
    public void initTimestampClock(int offset) {
        ts.initClock(offset);
    }

    /** Timestamps were negotiated (both SYNs carried the option): every segment but a RST carries them. */
    public void enableTimestamps() {
        ts.enable();
    }

    /** The one TSval source: the TSval for a segment sent now, non-decreasing (RFC 7323 §5.4), recorded as sent. */
    public int nextTsVal(long nowNs) {
        return ts.nextTsVal(nowNs);
    }

    /** PAWS (RFC 7323 §5.3 R1): a segment whose TSval is older than TS.Recent is a stale duplicate. RSTs are exempt. */
    public boolean isPawsReject(InSegment seg) {
        return ts.isPawsReject(seg);
    }

    /** RFC 7323 §4.3 (and §5.3 R3): TS.Recent takes the TSval of a segment that covers Last.ACK.sent. */
    public void onTimestamp(InSegment seg) {
        ts.onTimestamp(seg, lastAckSent);
    }

    // ---- acceptability (RFC 9293 §3.10.7.4, first step) ----

    /** The four-case acceptability test against the receive window we advertised. */
    public boolean isAcceptable(InSegment seg, int rcvWnd) {
        int segLen = seg.segLen();
        int seq = seg.seq();
        if (segLen == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : Seq.inWindow(seq, rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0) {
            return false;
        }
        return Seq.inWindow(seq, rcvNxt, rcvWnd) || Seq.inWindow(seq + segLen - 1, rcvNxt, rcvWnd);
    }

    // ---- ACK processing (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5.2) ----

    public AckResult classifyAck(int ack, int maxSndWnd) {
        if (Seq.gt(ack, sndMax)) {
            return AckResult.TOO_NEW;
        }
        if (Seq.lt(ack, sndUna - maxSndWnd)) {
            return AckResult.TOO_OLD;
        }
        if (Seq.lt(ack, sndUna)) {
            return AckResult.OLD;
        }
        return ack == sndUna ? AckResult.SAME : AckResult.NEW;
    }

    /**
     * Takes an ACK classified {@link AckResult#NEW}: advances SND.UNA, frees acknowledged bytes, samples the RTT
     * (Karn: only a segment never retransmitted), and manages the retransmission timer (RFC 6298 §5.2, §5.3).
     */
    public AckOutcome onNewAck(int ack, long nowNs) {
        return onNewAck(ack, nowNs, false, 0);
    }

    /**
     * As {@link #onNewAck(int, long)}, with the segment's timestamp echo: when no segment was being timed (after a
     * retransmission, where Karn's rule forbids a sample), a TSecr gives a valid sample (RFC 7323 §4.1). Segments
     * are otherwise timed with the nanosecond clock, which is more precise than the 1 ms TSval clock.
     */
    public AckOutcome onNewAck(int ack, long nowNs, boolean hasEcho, int tsEcr) {
        boolean synAcked = sndUna == iss && Seq.gt(ack, iss);
        int dataEnd = bufSeq + sendBuffer.length();
        int dataAcked = Math.max(0, Seq.sub(Seq.min(ack, dataEnd), bufSeq));
        boolean finAcked = finQueued && Seq.gt(ack, dataEnd) && !Seq.gt(sndUna, dataEnd);
        if (dataAcked > 0) {
            sendBuffer.drop(dataAcked);
            bufSeq += dataAcked;
        }
        sndUna = ack;
        urgent.onCumulativeAck(sndUna);
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        if (frtoNewData && !Seq.lt(sndUna, rtoRecoveryHigh)) {
            frtoNewData = false;
        }
        rack.onCumulativeAck(ack, nowNs);
        sack.onCumulativeAck(sndUna);
        boolean sampled = false;
        if (rttTiming && Seq.geq(ack, rttSeq)) {
            rtt.sample(nowNs - rttStartNs);
            rttTiming = false;
            sampled = true;
        } else if (!rttTiming && ts.enabled() && hasEcho && tsEcr != 0) {
            long rttMs = Math.max(1, ts.clock(nowNs) - tsEcr);
            if (rttMs < 3_600_000L) {
                rtt.sample(rttMs * 1_000_000L);
                sampled = true;
            }
        }
        rtt.resetBackoff();
        if (synAcked && synTimedOut) {
            rtt.fallBackAfterSynTimeout();
        }
        retries = 0;
        dupAcks = 0;
        rtoDeadlineNs = sndUna == sndMax ? NO_DEADLINE : nowNs + rtt.rtoNs();
        return ackOutcome.set(dataAcked, synAcked, finAcked, sampled);
    }

    /**
     * Takes an acceptable ACK with SEG.ACK = SND.UNA (classified {@link AckResult#SAME}), before the send window is
     * updated from it, and counts it if it is a duplicate by RFC 5681 §2's definition: (a) the receiver has
     * outstanding data, (b) the segment carries no data, (c) neither SYN nor FIN, (d) SEG.ACK equals SND.UNA (the
     * greatest acknowledgment received), and (e) the advertised window is the same as the last one's. Anything else
     * (a window update, data, a FIN) resets the count: duplicates must be consecutive. The send window is FlowControl's
     * and comes in as values (delivery may not depend on flow, which reads delivery).
     *
     * @param sndWnd SND.WND before this segment (scaled, in bytes)
     * @param sndWndShift the peer's window scale shift, which applies to SEG.WND
     * @return the number of consecutive duplicate ACKs, or 0 if this one is not a duplicate
     */
    public int onAckOfSndUna(InSegment seg, int sndWnd, int sndWndShift) {
        boolean duplicate = Seq.gt(sndMax, sndUna)
                && seg.payloadLength() == 0
                && !seg.isSyn()
                && !seg.isFin()
                && seg.ack() == sndUna
                && seg.window() << sndWndShift == sndWnd;
        if (!duplicate) {
            dupAcks = 0;
            return 0;
        }
        return ++dupAcks;
    }

    /** Counts a duplicate ACK whose RFC 5681 §2 conditions the caller checked; returns the count. */
    public int onDuplicateAck() {
        return ++dupAcks;
    }

    /** An ACK that is not a duplicate by RFC 5681 §2 resets the count. */
    public void resetDuplicateAcks() {
        dupAcks = 0;
    }

    // ---- sending ----

    /** Queues application data (ownership passes). */
    public void queueData(ByteBuf data) {
        if (finQueued) {
            data.release();
            throw new IllegalStateException("data queued after FIN");
        }
        sendBuffer.append(data);
    }

    /**
     * Queues application data whose last octet is urgent (Java's {@code Socket.sendUrgentData}): SND.UP moves to the
     * sequence number after it (RFC 6093 §4, Linux's tcp_mark_urg).
     */
    public void queueUrgentData(ByteBuf data) {
        queueData(data);
        urgent.onUrgentQueued(bufSeq + sendBuffer.length());
    }

    /** The urgent pointer field for a segment starting at {@code seq}, or -1 for URG clear (see Urgent). */
    public int urgentPointer(int seq) {
        return urgent.pointerFor(seq, sndNxt);
    }

    /** SO_OOBINLINE: an urgent octet received is delivered in line (on) or taken out of the stream (off). */
    public void urgentInline(boolean on) {
        urgent.inline(on);
    }

    /**
     * The URG bit of an acceptable segment (RFC 9293 §3.10.7.4 sixth step, read as RFC 6093 §4 and Linux do):
     * returns false if the pointer was invalid (zero, or beyond the window) and was ignored.
     */
    public boolean onUrgentPointer(InSegment seg, int rcvWnd) {
        return urgent.onPointer(seg.seq(), seg.urgentPointer(), rcvNxt, rcvWnd) != Urgent.Mark.INVALID;
    }

    /** Queues our FIN after all queued data. */
    public void queueFin() {
        finQueued = true;
    }

    /** The sequence number our FIN occupies (valid once queued). */
    public int finSeq() {
        return bufSeq + sendBuffer.length();
    }

    /** Copies the payload for a segment starting at {@code seq} into {@code dst}. */
    public void copyPayload(int seq, int len, ByteBuf dst) {
        sendBuffer.copy(Seq.sub(seq, bufSeq), len, dst);
    }

    /**
     * Records a segment sent at {@code seq} occupying {@code segLen} sequence numbers (SYN and FIN included). Moves
     * SND.NXT when the segment starts there, times it when nothing is being timed and it is not a retransmission
     * (Karn), and starts the retransmission timer if it is not running (RFC 6298 §5.1).
     */
    public void onSegmentSent(int seq, int segLen, long nowNs) {
        if (segLen == 0) {
            return;
        }
        lastSendNs = nowNs;
        int end = seq + segLen;
        boolean retransmission = Seq.lt(seq, sndMax);
        if (Seq.gt(seq, iss)) {
            rack.onSent(seq, segLen, sndMax, nowNs);
        }
        if (retransmission) {
            rttTiming = false;
        } else if (!rttTiming) {
            rttTiming = true;
            rttSeq = end;
            rttStartNs = nowNs;
        }
        if (seq == sndNxt || Seq.gt(end, sndNxt)) {
            sndNxt = Seq.max(sndNxt, end);
        }
        sndMax = Seq.max(sndMax, end);
        if (rtoDeadlineNs == NO_DEADLINE) {
            rtoDeadlineNs = nowNs + rtt.rtoNs();
        }
    }

    /** What the retransmission timer's expiry asks for. */
    public enum RtoOutcome {
        /** Go-back-N from SND.UNA (no SACK, the SYN, or a peer that reneged). */
        RETRANSMIT,
        /**
         * The SACK scoreboard was kept (RFC 6675 §5.1) and the segments not SACKed are marked lost: the sender
         * retransmits those, as in SACK recovery, from SND.UNA up, and SND.NXT stays where it was.
         */
        RETRANSMIT_LOST,
        GIVE_UP
    }

    /** As {@link #onRtoExpired(long, int, boolean, boolean)} without SACK: go-back-N. */
    public RtoOutcome onRtoExpired(long nowNs, int maxRetries) {
        return onRtoExpired(nowNs, maxRetries, false, false);
    }

    /**
     * The retransmission timer expired (RFC 6298 §5.4 to §5.6): back off, or give up after {@code maxRetries}.
     * Without SACK (or before the SYN is acknowledged, or when the peer reneged: SND.UNA itself SACKed, RFC 2018 §8)
     * SND.NXT is rewound to SND.UNA so the oldest segment goes again (the go-back-N recovery of RFC 5681 §3.1). With
     * SACK the scoreboard is kept: RFC 6675 §5.1 ("SACKed data is not retransmitted after the RTO"), and the segments
     * not SACKed are marked lost as Linux's tcp_timeout_mark_lost does (but those sent less than RACK.rtt ago, the
     * first excepted); the sender then retransmits exactly those, and RACK (RFC 8985 §6.2) keeps detecting lost
     * retransmissions during this RTO recovery, which lasts until SND.UNA reaches SND.MAX as it is now.
     *
     * @param sackOk SACK was negotiated
     * @param frto detect a spurious timeout (RFC 5682, SACK-enhanced, as Linux's tcp_process_loss); Linux enables it
     *     unless the timeout interrupted a fast recovery on its first expiry
     */
    public RtoOutcome onRtoExpired(long nowNs, int maxRetries, boolean sackOk, boolean frto) {
        rttTiming = false;
        dupAcks = 0;
        if (++retries > maxRetries) {
            rtoDeadlineNs = NO_DEADLINE;
            return RtoOutcome.GIVE_UP;
        }
        if (sndUna == iss) {
            synTimedOut = true;
        }
        rtt.backOff();
        rtoDeadlineNs = nowNs + rtt.rtoNs();
        if (sackOk && Seq.gt(sndUna, iss) && Seq.gt(sndMax, sndUna) && !sack.isReneging(sndUna)) {
            sack.onTimeoutKeep(sndUna);
            rtoRecoveryHigh = sndMax;
            rack.onTimeoutMarkLost(nowNs, sndMax, frto);
            this.frto = frto;
            frtoNewData = false;
            return RtoOutcome.RETRANSMIT_LOST;
        }
        sndNxt = sndUna;
        sack.onTimeout(sndUna);
        rack.onTimeout();
        this.frto = false;
        frtoNewData = false;
        return RtoOutcome.RETRANSMIT;
    }

    /** What an ACK during RTO recovery says about the timeout (RFC 5682). */
    public enum FrtoOutcome {
        NONE,
        /** The timeout was spurious: the originals arrived; congestion control undoes its response. */
        SPURIOUS,
        /** RFC 5682 §3 step 2b: send new data (not retransmissions) to test the timeout. */
        SEND_NEW
    }

    /**
     * F-RTO (RFC 5682 §3 with SACK, as Linux's tcp_process_loss), for an ACK that arrived during the RTO recovery of
     * {@link RtoOutcome#RETRANSMIT_LOST}, after its cumulative ACK and SACK blocks were taken. Step 3b: an original
     * transmission sent before the timeout, never retransmitted, was (S)ACKed: the timeout was spurious, the loss
     * marks go (RACK marks again what is really lost). Step 2b: the first ACK that advances SND.UNA but not to the
     * recovery point lets new data out instead of retransmissions; step 3a: if the ACK after that SACKs data or is a
     * duplicate, the loss was real and F-RTO ends.
     *
     * @param unaAdvanced the ACK moved SND.UNA
     * @param dataSacked the ACK SACKed new data
     * @param duplicate the ACK is a duplicate
     * @param newDataSendable unsent data exists and the peer's window takes some
     */
    public FrtoOutcome onAckInRtoRecovery(
            boolean unaAdvanced, boolean dataSacked, boolean duplicate, boolean newDataSendable) {
        boolean orig = rack.takeOrigDelivered();
        if (!frto) {
            return FrtoOutcome.NONE;
        }
        if (orig) {
            endFrto();
            rack.unmarkLost();
            return FrtoOutcome.SPURIOUS;
        }
        if (!Seq.lt(sndUna, rtoRecoveryHigh)) {
            endFrto(); // recovered (RFC 5682 step 2a): nothing left to test
            return FrtoOutcome.NONE;
        }
        if (Seq.gt(sndNxt, rtoRecoveryHigh)) {
            if (dataSacked || duplicate) {
                endFrto(); // step 3a: the loss was real
            }
            return FrtoOutcome.NONE;
        }
        if (unaAdvanced && Seq.lt(sndUna, rtoRecoveryHigh)) {
            rtoRecoveryHigh = sndNxt;
            rack.setOrigLimit(sndNxt);
            if (newDataSendable) {
                frtoNewData = true;
                return FrtoOutcome.SEND_NEW;
            }
            endFrto();
        }
        return FrtoOutcome.NONE;
    }

    /**
     * The sender's round after {@link FrtoOutcome#SEND_NEW} is over: if no new data went out, F-RTO ends and the
     * lost segments are retransmitted (Linux's tcp_xmit_recovery).
     */
    public void onFrtoNewDataRoundDone() {
        frtoNewData = false;
        if (!Seq.gt(sndNxt, rtoRecoveryHigh)) {
            endFrto();
        }
    }

    private void endFrto() {
        frto = false;
        frtoNewData = false;
        rack.stopWatchingOrig();
    }

    /**
     * Rewinds SND.NXT to SND.UNA so that the next output resends from the oldest unacknowledged sequence number
     * (the SYN-ACK after a duplicate SYN or in a simultaneous open).
     */
    public void rewindToUnacknowledged() {
        sndNxt = sndUna;
    }

    /** Stops the retransmission timer (nothing outstanding, or the connection ended). */
    public void stopRetransmitTimer() {
        rtoDeadlineNs = NO_DEADLINE;
    }

    // ---- receiving (RFC 9293 §3.10.7.4, seventh and eighth steps) ----

    /**
     * Takes the text and FIN of an acceptable segment, trimmed to [RCV.NXT, RCV.NXT + rcvWnd). In-order bytes go to
     * {@code sink}, followed by whatever the reassembly queue can now release; later bytes are held.
     */
    public ReceiveOutcome receive(InSegment seg, int rcvWnd, PayloadSink sink) {
        int start = seg.payloadSeq();
        int len = seg.payloadLength();
        boolean fin = seg.isFin();
        int skip = 0;
        if (Seq.lt(start, rcvNxt)) {
            skip = Math.min(len, Seq.sub(rcvNxt, start));
        }
        int windowEnd = rcvNxt + rcvWnd;
        int dataStart = start + skip;
        int take = len - skip;
        if (Seq.gt(dataStart + take, windowEnd)) {
            take = Math.max(0, Seq.sub(windowEnd, dataStart));
            fin = false;
        }
        if (dataStart != rcvNxt) {
            if (Seq.lt(dataStart, rcvNxt)) {
                // Entirely old, or a FIN we already have: report the duplicate (RFC 2883 §4).
                if (len > 0) {
                    sackReceiver.duplicate(start, start + len, DsackKind.OLD);
                }
                return ReceiveOutcome.NOTHING;
            }
            if (take == 0 && !fin) {
                return ReceiveOutcome.NOTHING;
            }
            sackReceiver.outOfOrderAt(dataStart);
            // Bounded in bytes held: twice the window, which is at most the receive buffer's free space, plus a
            // floor so that a small window still holds a few small segments despite their overhead.
            boolean stored = reassembly.insert(
                    dataStart, seg.retainedPayload(skip, take), fin, 2L * rcvWnd + OUT_OF_ORDER_HELD_FLOOR);
            if (reassembly.duplicateFound()) {
                // RFC 2883 §4 (Linux's tcp_data_queue_ofo): part of it was already held out of order.
                sackReceiver.duplicate(reassembly.duplicateStart(), reassembly.duplicateEnd(), DsackKind.OUT_OF_ORDER);
            }
            return receiveOutcome.set(0, false, true, !stored, false);
        }
        if (take > 0
                && !memory.hasRoomFor(take + MemoryBudget.BUFFER_OVERHEAD, reassembly, Counter.TCP_RCV_DROP_MEMORY)) {
            // The stack's memory budget is spent even after pruning out-of-order data: drop, as Linux's
            // tcp_data_queue does when tcp_try_rmem_schedule fails; the peer retransmits. (The socket charges the
            // bytes it keeps; a segment may take the total over by at most its own size.)
            return ReceiveOutcome.NOTHING;
        }
        if (skip > 0) {
            // RFC 2883 §4 (Linux's tcp_data_queue): the part below RCV.NXT was a duplicate.
            sackReceiver.duplicate(start, rcvNxt, DsackKind.OLD);
        }
        boolean filledHole = take > 0 && !reassembly.isEmpty();
        // An urgent octet marked is taken out of (or let through) the in-order bytes on their way to the socket.
        PayloadSink out = urgent.sink(sink, rcvNxt);
        if (take > 0) {
            out.deliver(seg.retainedPayload(skip, take));
            rcvNxt += take;
        }
        int before = rcvNxt;
        rcvNxt = reassembly.pollContiguous(rcvNxt, out);
        int delivered = take + Seq.sub(rcvNxt, before);
        boolean finNow = fin || reassembly.isFinAt(rcvNxt);
        if (finNow && !finReceived) {
            finReceived = true;
            rcvNxt += 1;
            reassembly.release();
        }
        return receiveOutcome.set(delivered, finNow, false, false, filledHole);
    }

    // ---- ACK generation (RFC 1122 §4.2.3.2, RFC 5681 §4.2) ----

    /**
     * TCP_QUICKACK (Linux tcp(7)): on, ACKs are not delayed (RFC 1122 §4.2.3.2 makes the delay a SHOULD) and an ACK
     * the delayed-ACK timer holds is owed now; off, the normal delayed-ACK rule. DEVIATION(Linux): Linux's quick-ACK
     * mode is not permanent (the kernel may leave it after some segments); here it lasts until turned off.
     */
    public void quickAck(boolean on) {
        acks.quickAck(on);
    }

    /**
     * Notes that an ACK is owed. {@code immediate} for out-of-order data, filled holes, FINs and duplicates; in-order
     * data is acknowledged at least every second full-sized segment, else within the delayed-ACK time. RFC 5681 §4.2
     * ("an ACK SHOULD be generated for at least every second full-sized segment") is applied to bytes, as Linux's
     * {@code __tcp_ack_snd_check} does: one super-segment of two MSS or more (GRO/GSO, a large MTU) is acknowledged
     * at once, and smaller ones add up; counting packets would let one 64 KiB segment wait for the timer.
     */
    public void ackOwed(boolean immediate, int segmentBytes, int mss, long nowNs, long delayedAckNs) {
        acks.ackOwed(immediate, segmentBytes, mss, nowNs, delayedAckNs);
    }

    /**
     * The application has read everything delivered. If the delayed ACK waits for data that ended with a short
     * segment (the end of the sender's burst: its send buffer or its writes ran out), the ACK is owed now: the sender
     * may be waiting for it to free its send buffer, and nothing more will arrive to trigger it. Streams of full
     * segments keep the every-second-segment rule. DEVIATION(RFC 1122 §4.2.3.2): the ACK is sent before the delay
     * ends, as Linux's tcp_cleanup_rbuf does for "pushed" data.
     *
     * @return true if an ACK is now owed
     */
    public boolean onReceiveQueueDrained() {
        return acks.onReceiveQueueDrained();
    }

    /** The delayed-ACK timer expired: the ACK is owed now. */
    public void onDelayedAckExpired() {
        acks.onDelayedAckExpired();
    }

    /** A segment carrying our current RCV.NXT went out: nothing is owed any more. */
    public void onAckSent() {
        lastAckSent = rcvNxt;
        acks.onAckSent();
    }

    // ---- SACK, sender side (RFC 2018, RFC 2883, RFC 6675): the state and rules are SackSender's ----

    /**
     * Takes the SACK blocks of an arriving ACK (after its cumulative ACK was processed); a D-SACK (RFC 2883 §4) is
     * counted, not added.
     *
     * @return bytes newly SACKed
     */
    public int onSackBlocks(InSegment seg, long nowNs) {
        return sack.onSackBlocks(seg, sndUna, sndMax, sndNxt, rack, nowNs);
    }

    // ---- RACK-TLP (RFC 8985): the state and rules are Rack's ----

    /**
     * RFC 8985 §6.2 RACK_detect_loss, run on every ACK (after its cumulative ACK and SACK blocks were taken) and when
     * the RACK timer fires: marks lost the segments sent before the most recently delivered one whose reordering
     * window has passed, and arms the RACK timer for the others.
     *
     * @param inRecovery fast recovery is running (the reordering window is then 0 unless reordering was seen)
     * @return the number of segments newly marked lost
     */
    public int rackDetectLoss(long nowNs, boolean inRecovery) {
        return rack.detectLoss(nowNs, inRecovery, rtt.srttNs());
    }

    /** Retransmissions the last {@link #rackDetectLoss} found lost (Linux's TCPLostRetransmit). */
    public int rackLostRetransmits() {
        return rack.lostRetransmits();
    }

    /** Whether a segment is marked lost and not yet retransmitted. */
    public boolean hasRackLost() {
        return rack.hasLost();
    }

    /** RFC 6675 §4 SetPipe with RACK's loss marks: bytes neither SACKed nor lost (retransmissions count again). */
    public int rackPipe() {
        return rack.pipe(sndUna);
    }

    /**
     * NextSeg with RACK's loss marks (RFC 8985 §6.2: RACK replaces IsLost): rule (1) the first segment marked lost,
     * not SACKed, up to {@code mss} bytes of its unSACKed run; rule (2), new data, is the caller's on
     * {@link NextSeg#NEW_DATA}. Rules (3) and (4) of RFC 6675 (the rescue retransmission) are not used: RFC 8985's
     * tail-loss probe repairs a lost tail instead, as in Linux.
     */
    public long rackNextSeg(int mss) {
        if (frtoNewData) {
            return NextSeg.NEW_DATA;
        }
        int lost = rack.firstLost(sndUna);
        if (lost < 0) {
            return NextSeg.NEW_DATA;
        }
        int seq = Seq.max(rack.start(lost), sndUna);
        int end = rack.end(lost);
        int dataEnd = sndUna + Math.min(sendBuffer.length(), Seq.sub(sndMax, sndUna));
        int len = Math.max(0, Math.min(Math.min(holeLength(seq, mss), Seq.sub(end, seq)), Seq.sub(dataEnd, seq)));
        boolean fin = view.isFinSent() && seq + len == finSeq() && Seq.gt(end, finSeq());
        return len == 0 && !fin ? NextSeg.NONE : NextSeg.encode(seq, len, fin);
    }

    /** The RACK timer fired (RFC 8985 §6.2): the caller runs {@link #rackDetectLoss} again. */
    public void onRackTimerExpired() {
        rack.clearRackTimer();
    }

    /** A DSACK-free recovery ended (RFC 8985 §6.2 step 4, reo_wnd_persist). */
    public void onRecoveryExit() {
        rack.onRecoveryExit();
    }

    /**
     * RFC 8985 §7.2: arms (or keeps, or cancels) the probe timeout. {@code allowed}: SACK negotiated, the connection
     * open and not in recovery, data outstanding.
     */
    public void updateProbeTimer(boolean allowed, long nowNs, int mss) {
        rack.updateProbeTimer(
                allowed && Seq.gt(sndMax, sndUna), nowNs, rtt.srttNs(), rtoDeadlineNs, Seq.sub(sndMax, sndUna), mss);
    }

    /** The probe timeout fired and a probe (new data, or the last segment again) went out (RFC 8985 §7.3). */
    public void onProbeSent(boolean retransmission, long nowNs) {
        rack.onProbeSent(sndNxt, retransmission);
        // RFC 8985 §7.3: after the probe, the RTO timer is restarted.
        rtoDeadlineNs = nowNs + rtt.rtoNs();
    }

    /** The probe timeout fired with nothing to send. */
    public void onProbeSkipped() {
        rack.onProbeSkipped();
    }

    /**
     * RFC 8985 §7.4 TLP_process_ack, after the ACK's cumulative ACK and SACK blocks were taken.
     *
     * @return true if the probe repaired a loss (congestion control must respond)
     */
    public boolean onAckForProbe(InSegment seg, boolean pureDuplicate) {
        boolean dsack = seg.options().sackBlockCount() > 0
                && SackSender.isDsack(
                        seg, seg.options().sackLeft(0), seg.options().sackRight(0));
        int dsackEnd = dsack ? seg.options().sackRight(0) : 0;
        return rack.onAck(seg.ack(), dsack, dsackEnd, pureDuplicate) == Rack.TlpAck.REPAIRED;
    }

    /** RFC 6675 §4 IsLost(seq): enough SACKed data above it. */
    public boolean isLost(int seq, int smss) {
        return sack.isLost(seq, smss, sndUna, sndMax);
    }

    /** RFC 6675 §4 SetPipe: the octets still in the network. */
    public int pipe(int smss) {
        return sack.pipe(smss, sndUna, sndMax);
    }

    /** RFC 6675 §4 NextSeg rule (1): the first lost, unSACKed sequence number above HighRxt, or -1. */
    public long nextLostSeq(int smss) {
        return sack.nextLostSeq(smss, sndUna, sndMax);
    }

    /**
     * RFC 6675 §4 NextSeg during SACK recovery, rule (1): the first unSACKed sequence number above HighRxt that
     * IsLost() says is lost, with the length of its unSACKed run (at most {@code mss}) and whether our FIN ends it.
     * Rule (2) (new data the windows allow) is the caller's when {@link NextSeg#NEW_DATA} is returned; rules (3) and
     * (4) (rescue retransmission) are not implemented. The caller sends the segment and reports it with
     * {@link #onRecoveryRetransmit}.
     *
     * @return a segment encoded as {@link NextSeg} decodes it, or {@link NextSeg#NEW_DATA} or {@link NextSeg#NONE}
     */
    public long nextSeg(int smss, int mss) {
        long lost = nextLostSeq(smss);
        if (lost < 0) {
            return NextSeg.NEW_DATA;
        }
        int seq = (int) lost;
        int dataEnd = sndUna + Math.min(sendBuffer.length(), Seq.sub(sndMax, sndUna));
        int len = Math.max(0, Math.min(holeLength(seq, mss), Seq.sub(dataEnd, seq)));
        boolean fin = view.isFinSent() && seq + len == finSeq();
        return len == 0 && !fin ? NextSeg.NONE : NextSeg.encode(seq, len, fin);
    }

    /** The length of the unSACKed run at {@code seq}, at most {@code max}. */
    public int holeLength(int seq, int max) {
        return sack.holeLength(seq, max, sndMax);
    }

    /** A retransmission of [seq, seq + len) went out during SACK recovery. */
    public void onRecoveryRetransmit(int seq, int len) {
        sack.onRecoveryRetransmit(seq, len);
    }

    /** Recovery begins (HighRxt is kept: see {@link SackSender#onRecoveryStart}). */
    public void onRecoveryStart() {
        endFrto();
        rack.onRecoveryStart();
        sack.onRecoveryStart(sndUna);
    }

    // ---- SACK, receiver side (RFC 2018 §4, RFC 2883 §4) ----

    /**
     * Fills up to {@code max} SACK blocks for the next ACK: a pending D-SACK first, then the block holding the most
     * recent out-of-order segment, then the other held blocks, highest first. Clears the D-SACK.
     *
     * @return the number of blocks written
     */
    public int sackBlocks(int[] left, int[] right, int max) {
        return sackReceiver.fill(reassembly.size() == 0 ? NO_RANGES : reassembly.ranges(), left, right, max);
    }

    /**
     * An unacceptable segment arrived: if its text lies wholly below RCV.NXT it is a duplicate, which the next ACK
     * reports as a D-SACK (RFC 2883 §4).
     *
     * @return true if it was such a duplicate (Linux counts it TCPDSACKOldSent, not as an out-of-window drop)
     */
    public boolean onUnacceptableSegment(InSegment seg) {
        int start = seg.payloadSeq();
        int len = seg.payloadLength();
        if (len > 0 && Seq.leq(start + len, rcvNxt)) {
            sackReceiver.duplicate(start, start + len, DsackKind.OLD);
            return true;
        }
        return false;
    }

    /** True if the next ACK has SACK information to carry. */
    public boolean hasSackInformation() {
        return sackReceiver.pending() || reassembly.size() > 0;
    }

    /** Frees every buffer (connection gone). */
    public void release() {
        sendBuffer.release();
        reassembly.release();
        rtoDeadlineNs = NO_DEADLINE;
        acks.stop();
        rack.onTimeout();
    }

    /** The held out-of-order ranges as [start, end) pairs (for tests and, later, SACK blocks). */
    public int[] outOfOrderRanges() {
        return reassembly.ranges();
    }

    private final class View implements DeliveryView {
        @Override
        public int iss() {
            return iss;
        }

        @Override
        public int irs() {
            return irs;
        }

        @Override
        public int sndUna() {
            return sndUna;
        }

        @Override
        public int sndNxt() {
            return sndNxt;
        }

        @Override
        public int sndMax() {
            return sndMax;
        }

        @Override
        public int rcvNxt() {
            return rcvNxt;
        }

        @Override
        public int flightSize() {
            return Seq.sub(sndMax, sndUna);
        }

        @Override
        public int sendQueued() {
            return sendBuffer.length();
        }

        @Override
        public int unsentBytes() {
            int sentData = Math.max(0, Seq.sub(sndNxt, bufSeq));
            return Math.max(0, sendBuffer.length() - sentData);
        }

        @Override
        public boolean isSynAcked() {
            return Seq.gt(sndUna, iss);
        }

        @Override
        public boolean isFinQueued() {
            return finQueued;
        }

        @Override
        public boolean isFinSent() {
            return finQueued && Seq.gt(sndMax, finSeq());
        }

        @Override
        public boolean isFinAcked() {
            return finQueued && Seq.gt(sndUna, finSeq());
        }

        @Override
        public boolean isFinReceived() {
            return finReceived;
        }

        @Override
        public int dupAcks() {
            return dupAcks;
        }

        @Override
        public long rtoNs() {
            return rtt.rtoNs();
        }

        @Override
        public long srttNs() {
            return rtt.srttNs();
        }

        @Override
        public long rttvarNs() {
            return rtt.rttvarNs();
        }

        @Override
        public long rtoDeadlineNs() {
            return rtoDeadlineNs;
        }

        @Override
        public long delayedAckDeadlineNs() {
            return acks.delayedAckDeadlineNs();
        }

        @Override
        public boolean isAckPending() {
            return acks.ackNow();
        }

        @Override
        public int retries() {
            return retries;
        }

        @Override
        public int outOfOrderSegments() {
            return reassembly.size();
        }

        @Override
        public int tsRecent() {
            return ts.tsRecent();
        }

        @Override
        public boolean timestampsEnabled() {
            return ts.enabled();
        }

        @Override
        public boolean urgentMode() {
            return urgent.sendMode();
        }

        @Override
        public int sndUp() {
            return urgent.sndUp();
        }

        @Override
        public boolean isUrgentMarked() {
            return urgent.receivePending();
        }

        @Override
        public int rcvUrgentSeq() {
            return urgent.urgentSeq();
        }

        @Override
        public boolean urgentInline() {
            return urgent.inline();
        }

        @Override
        public int urgentDiscarded() {
            return urgent.discarded();
        }

        @Override
        public int sackedBytes() {
            return sack.sackedBytes();
        }

        @Override
        public int dsacksReceivedCount() {
            return sack.dsacksReceived();
        }

        @Override
        public long lastSendNs() {
            return lastSendNs;
        }

        @Override
        public int highRxt() {
            return sack.highRxt();
        }

        @Override
        public int dsacksOfoReceivedCount() {
            return sack.dsacksOfoReceived();
        }

        @Override
        public boolean isFrtoNewDataRound() {
            return frtoNewData;
        }

        @Override
        public boolean isFrtoActive() {
            return frto;
        }

        @Override
        public long rackTimerDeadlineNs() {
            return rack.rackTimerNs();
        }

        @Override
        public long lossProbeDeadlineNs() {
            return rack.probeTimerNs();
        }

        @Override
        public boolean isLossProbeOutstanding() {
            return rack.tlpOutstanding();
        }

        @Override
        public long minRttNs() {
            return rack.minRttNs();
        }

        @Override
        public int reorderingWindowMultiplier() {
            return rack.reoWndMult();
        }

        @Override
        public boolean reorderingSeen() {
            return rack.reorderingSeen();
        }

        @Override
        public String toString() {
            return "una=" + Seq.sub(sndUna, iss) + " nxt=" + Seq.sub(sndNxt, iss) + " max=" + Seq.sub(sndMax, iss)
                    + " rcvNxt=" + Seq.sub(rcvNxt, irs) + " queued=" + sendBuffer.length() + " unsent=" + unsentBytes()
                    + " fin=" + finQueued + "/" + isFinSent() + "/" + isFinAcked() + " rto=" + rtt.rtoNs() / 1_000_000
                    + "ms deadline=" + (rtoDeadlineNs == NO_DEADLINE ? "-" : Long.toString(rtoDeadlineNs))
                    + " retries=" + retries + " dupacks=" + dupAcks + " ooo=" + reassembly.size();
        }

        @Override
        public int outOfOrderBytes() {
            return reassembly.bytes();
        }

        @Override
        public long outOfOrderHeldBytes() {
            return reassembly.heldBytes();
        }
    }
}

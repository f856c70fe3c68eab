package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The sequence space, retransmission and reassembly; see the package documentation for what it owns. */
public final class ReliableOrderedDelivery {
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /**
     * Bytes the out-of-order queue may hold beyond twice the receive window: with a window of a few hundred bytes,
     * the per-buffer overhead alone would otherwise exceed the bound.
     */
    public static final int OUT_OF_ORDER_HELD_FLOOR = 8192;

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

    private final SackSender sack = new SackSender();
    /** RACK-TLP (RFC 8985): per-segment transmit records, the RACK state and timer, the tail-loss probe. */
    private final Rack rack = new Rack();
    /** RFC 2883: a duplicate to report as the first SACK block of the next ACK. */
    private boolean dsackPending;

    private int dsackStart;
    private int dsackEnd;
    /** Where the latest out-of-order segment started: its block goes first (RFC 2018 §4). */
    private int lastOutOfOrderSeq;

    private long lastSendNs;

    private final Timestamps ts = new Timestamps();
    private int lastAckSent;

    private boolean ackNow;
    /** TCP_QUICKACK set on: every in-order segment is acknowledged at once. */
    private boolean quickAck;

    private long delayedAckDeadlineNs = NO_DEADLINE;
    /** A segment shorter than a full one is among those not yet acknowledged: the end of the sender's burst. */
    private boolean shortSegmentUnacked;

    /** In-order data bytes received since our last ACK (the delayed-ACK rule counts bytes, not packets). */
    private long unackedBytes;

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
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
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
        RETRANSMIT,
        GIVE_UP
    }

    /**
     * The retransmission timer expired (RFC 6298 §5.4 to §5.6): back off, rewind SND.NXT to SND.UNA so the oldest
     * segment goes again (the go-back-N recovery of RFC 5681 §3.1 after a timeout), or give up after
     * {@code maxRetries}.
     */
    public RtoOutcome onRtoExpired(long nowNs, int maxRetries) {
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
        sndNxt = sndUna;
        // RFC 6675 §5.1 and RFC 2018 §8: after a timeout the SACK information may be stale (the receiver may renege).
        sack.onTimeout(sndUna);
        rack.onTimeout();
        rtoDeadlineNs = nowNs + rtt.rtoNs();
        return RtoOutcome.RETRANSMIT;
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
                    dsackPending = true;
                    dsackStart = start;
                    dsackEnd = start + len;
                }
                return ReceiveOutcome.NOTHING;
            }
            if (take == 0 && !fin) {
                return ReceiveOutcome.NOTHING;
            }
            lastOutOfOrderSeq = dataStart;
            // Bounded in bytes held: twice the window, which is at most the receive buffer's free space, plus a
            // floor so that a small window still holds a few small segments despite their overhead.
            boolean stored = reassembly.insert(
                    dataStart, seg.retainedPayload(skip, take), fin, 2L * rcvWnd + OUT_OF_ORDER_HELD_FLOOR);
            return receiveOutcome.set(0, false, true, !stored, false);
        }
        if (take > 0
                && !memory.hasRoomFor(take + MemoryBudget.BUFFER_OVERHEAD, reassembly, Counter.TCP_RCV_DROP_MEMORY)) {
            // The stack's memory budget is spent even after pruning out-of-order data: drop, as Linux's
            // tcp_data_queue does when tcp_try_rmem_schedule fails; the peer retransmits. (The socket charges the
            // bytes it keeps; a segment may take the total over by at most its own size.)
            return ReceiveOutcome.NOTHING;
        }
        boolean filledHole = take > 0 && !reassembly.isEmpty();
        if (take > 0) {
            sink.deliver(seg.retainedPayload(skip, take));
            rcvNxt += take;
        }
        int before = rcvNxt;
        rcvNxt = reassembly.pollContiguous(rcvNxt, sink);
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
        quickAck = on;
        if (on && delayedAckDeadlineNs != NO_DEADLINE) {
            delayedAckDeadlineNs = NO_DEADLINE;
            ackNow = true;
        }
    }

    /**
     * Notes that an ACK is owed. {@code immediate} for out-of-order data, filled holes, FINs and duplicates; in-order
     * data is acknowledged at least every second full-sized segment, else within the delayed-ACK time. RFC 5681 §4.2
     * ("an ACK SHOULD be generated for at least every second full-sized segment") is applied to bytes, as Linux's
     * {@code __tcp_ack_snd_check} does: one super-segment of two MSS or more (GRO/GSO, a large MTU) is acknowledged
     * at once, and smaller ones add up; counting packets would let one 64 KiB segment wait for the timer.
     */
    public void ackOwed(boolean immediate, int segmentBytes, int mss, long nowNs, long delayedAckNs) {
        if (immediate || quickAck) {
            ackNow = true;
            return;
        }
        if (segmentBytes > 0 && segmentBytes < mss) {
            shortSegmentUnacked = true;
        }
        unackedBytes += Math.max(0, segmentBytes);
        if (unackedBytes >= 2L * mss) {
            ackNow = true;
        } else if (delayedAckDeadlineNs == NO_DEADLINE) {
            delayedAckDeadlineNs = nowNs + delayedAckNs;
        }
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
        if (delayedAckDeadlineNs == NO_DEADLINE || !shortSegmentUnacked) {
            return false;
        }
        delayedAckDeadlineNs = NO_DEADLINE;
        ackNow = true;
        return true;
    }

    /** The delayed-ACK timer expired: the ACK is owed now. */
    public void onDelayedAckExpired() {
        delayedAckDeadlineNs = NO_DEADLINE;
        ackNow = true;
    }

    /** A segment carrying our current RCV.NXT went out: nothing is owed any more. */
    public void onAckSent() {
        lastAckSent = rcvNxt;
        ackNow = false;
        unackedBytes = 0;
        shortSegmentUnacked = false;
        delayedAckDeadlineNs = NO_DEADLINE;
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
        int n = 0;
        if (dsackPending && max > 0) {
            left[n] = dsackStart;
            right[n] = dsackEnd;
            n++;
            dsackPending = false;
        }
        if (reassembly.size() == 0) {
            return n;
        }
        return SackBlocks.fill(reassembly.ranges(), lastOutOfOrderSeq, left, right, n, max);
    }

    /**
     * An unacceptable segment arrived: if its text lies wholly below RCV.NXT it is a duplicate, which the next ACK
     * reports as a D-SACK (RFC 2883 §4).
     */
    public void onUnacceptableSegment(InSegment seg) {
        int start = seg.payloadSeq();
        int len = seg.payloadLength();
        if (len > 0 && Seq.leq(start + len, rcvNxt)) {
            dsackPending = true;
            dsackStart = start;
            dsackEnd = start + len;
        }
    }

    /** True if the next ACK has SACK information to carry. */
    public boolean hasSackInformation() {
        return dsackPending || reassembly.size() > 0;
    }

    /** Frees every buffer (connection gone). */
    public void release() {
        sendBuffer.release();
        reassembly.release();
        rtoDeadlineNs = NO_DEADLINE;
        delayedAckDeadlineNs = NO_DEADLINE;
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
            return delayedAckDeadlineNs;
        }

        @Override
        public boolean isAckPending() {
            return ackNow;
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

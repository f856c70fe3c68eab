package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The sequence space, retransmission and reassembly; see the package documentation for what it owns. */
public final class ReliableOrderedDelivery {
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** RFC 6675 DupThresh. */
    private static final int CONGESTION_DUPTHRESH = 3;

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

    private final SackScoreboard scoreboard = new SackScoreboard();
    /** RFC 6675 HighRxt: the highest sequence number retransmitted during the current recovery (plus one). */
    private int highRxt;
    /** RFC 2883: a duplicate to report as the first SACK block of the next ACK. */
    private boolean dsackPending;

    private int dsackStart;
    private int dsackEnd;
    /** Where the latest out-of-order segment started: its block goes first (RFC 2018 §4). */
    private int lastOutOfOrderSeq;

    private int dsacksReceived;
    private long lastSendNs;

    private boolean timestamps;
    private int tsOffset;
    private int tsRecent;
    private boolean tsRecentValid;
    private int lastAckSent;

    private boolean ackNow;
    private long delayedAckDeadlineNs = NO_DEADLINE;
    /** A segment shorter than a full one is among those not yet acknowledged: the end of the sender's burst. */
    private boolean shortSegmentUnacked;

    /** In-order data bytes received since our last ACK (the delayed-ACK rule counts bytes, not packets). */
    private long unackedBytes;

    private final DeliveryView view = new View();

    public ReliableOrderedDelivery(TcpConfig config, ByteBufAllocator alloc) {
        this.sendBuffer = new SendBuffer(alloc);
        this.reassembly = new ReassemblyQueue(config.maxOutOfOrderSegments());
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
        this.highRxt = iss;
        this.bufSeq = iss + 1;
    }

    /** Takes the peer's SYN: IRS = SEG.SEQ, RCV.NXT = SEG.SEQ + 1. */
    public void initReceive(int irs) {
        this.irs = irs;
        this.rcvNxt = irs + 1;
        this.lastAckSent = irs + 1;
    }

    // ---- timestamps (RFC 7323 §3 to §5) ----

    /** Timestamps were negotiated; our TSval clock is milliseconds plus a per-connection {@code offset}. */
    public void enableTimestamps(int offset) {
        this.timestamps = true;
        this.tsOffset = offset;
    }

    /** TSval for a segment sent now (RFC 7323 §5.4: a 1 ms clock). */
    public int tsVal(long nowNs) {
        return (int) (nowNs / 1_000_000L) + tsOffset;
    }

    /** PAWS (RFC 7323 §5.3 R1): a segment whose TSval is older than TS.Recent is a stale duplicate. RSTs are exempt. */
    public boolean isPawsReject(InSegment seg) {
        return timestamps
                && tsRecentValid
                && !seg.isRst()
                && seg.options().hasTimestamps()
                && Seq.lt(seg.options().tsVal(), tsRecent);
    }

    /**
     * RFC 7323 §4.3 (and §5.3 R3): TS.Recent takes the TSval of a segment that covers Last.ACK.sent, so that the echo
     * reflects the segment that caused the ACK; the peer's SYN always sets it.
     */
    public void onTimestamp(InSegment seg) {
        if (!seg.options().hasTimestamps()) {
            return;
        }
        int tsVal = seg.options().tsVal();
        if (seg.isSyn() || (Seq.leq(seg.seq(), lastAckSent) && (!tsRecentValid || Seq.geq(tsVal, tsRecent)))) {
            tsRecent = tsVal;
            tsRecentValid = true;
        }
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
        scoreboard.pruneBelow(sndUna);
        if (Seq.lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
        boolean sampled = false;
        if (rttTiming && Seq.geq(ack, rttSeq)) {
            rtt.sample(nowNs - rttStartNs);
            rttTiming = false;
            sampled = true;
        } else if (!rttTiming && timestamps && hasEcho && tsEcr != 0) {
            long rttMs = Math.max(1, tsVal(nowNs) - tsEcr);
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
        return new AckOutcome(dataAcked, synAcked, finAcked, sampled);
    }

    /** Counts a duplicate ACK (the orchestrator has checked RFC 5681 §2's conditions); returns the count. */
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
        scoreboard.clear();
        highRxt = sndUna;
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
            boolean stored = reassembly.insert(dataStart, seg.retainedPayload(skip, take), fin);
            return new ReceiveOutcome(0, false, true, !stored, false);
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
        return new ReceiveOutcome(delivered, finNow, false, false, filledHole);
    }

    // ---- ACK generation (RFC 1122 §4.2.3.2, RFC 5681 §4.2) ----

    /**
     * Notes that an ACK is owed. {@code immediate} for out-of-order data, filled holes, FINs and duplicates; in-order
     * data is acknowledged at least every second full-sized segment, else within the delayed-ACK time. RFC 5681 §4.2
     * ("an ACK SHOULD be generated for at least every second full-sized segment") is applied to bytes, as Linux's
     * {@code __tcp_ack_snd_check} does: one super-segment of two MSS or more (GRO/GSO, a large MTU) is acknowledged
     * at once, and smaller ones add up; counting packets would let one 64 KiB segment wait for the timer.
     */
    public void ackOwed(boolean immediate, int segmentBytes, int mss, long nowNs, long delayedAckNs) {
        if (immediate) {
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

    // ---- SACK, sender side (RFC 2018, RFC 2883, RFC 6675) ----

    /**
     * Takes the SACK blocks of an arriving ACK (after its cumulative ACK was processed). A first block below SND.UNA
     * or inside the second block is a D-SACK (RFC 2883 §4): a duplicate the peer received, not new information.
     *
     * @return bytes newly SACKed
     */
    public int onSackBlocks(InSegment seg) {
        int count = seg.options().sackBlockCount();
        int newly = 0;
        for (int i = 0; i < count; i++) {
            int left = seg.options().sackLeft(i);
            int right = seg.options().sackRight(i);
            if (i == 0 && isDsack(seg, left, right)) {
                dsacksReceived++;
                continue;
            }
            // Ignore blocks outside what was sent (RFC 2018 §8: be robust to nonsense).
            if (!Seq.lt(left, right) || Seq.leq(right, sndUna) || Seq.gt(right, sndMax)) {
                continue;
            }
            newly += scoreboard.add(Seq.max(left, sndUna), right);
        }
        return newly;
    }

    private static boolean isDsack(InSegment seg, int left, int right) {
        if (Seq.leq(right, seg.ack())) {
            return true;
        }
        if (seg.options().sackBlockCount() > 1) {
            int l2 = seg.options().sackLeft(1);
            int r2 = seg.options().sackRight(1);
            return Seq.geq(left, l2) && Seq.leq(right, r2);
        }
        return false;
    }

    /** RFC 6675 §4 IsLost(seq): enough SACKed data above it. */
    public boolean isLost(int seq, int smss) {
        return !scoreboard.isSacked(seq)
                && Seq.lt(seq, scoreboard.lossBoundary(CONGESTION_DUPTHRESH, smss, sndUna))
                && Seq.lt(seq, sndMax);
    }

    /**
     * RFC 6675 §4 SetPipe: the octets still in the network. Every unSACKed octet in [SND.UNA, SND.MAX) counts once
     * unless it is lost; an octet retransmitted in this recovery (below HighRxt) counts once more.
     */
    public int pipe(int smss) {
        int boundary = scoreboard.lossBoundary(CONGESTION_DUPTHRESH, smss, sndUna);
        int outstanding = Seq.sub(sndMax, sndUna);
        int sacked = scoreboard.sackedBytes();
        int lost = Seq.sub(boundary, sndUna) - scoreboard.sackedBetween(sndUna, boundary);
        int retransmitted = Seq.sub(highRxt, sndUna) - scoreboard.sackedBetween(sndUna, highRxt);
        return Math.max(0, outstanding - sacked - lost + Math.max(0, retransmitted));
    }

    /**
     * RFC 6675 §4 NextSeg rule (1): the first unSACKed, lost sequence number above HighRxt, or -1 (as a long: no
     * sequence number is excluded).
     */
    public long nextLostSeq(int smss) {
        int boundary = scoreboard.lossBoundary(CONGESTION_DUPTHRESH, smss, sndUna);
        int seq = scoreboard.nextUnsacked(Seq.max(highRxt, sndUna));
        if (Seq.lt(seq, boundary) && Seq.lt(seq, sndMax)) {
            return seq & 0xffff_ffffL;
        }
        return -1;
    }

    /** The length of the unSACKed run at {@code seq}, at most {@code max}. */
    public int holeLength(int seq, int max) {
        int end = scoreboard.nextSackedStart(seq, sndMax);
        return Math.min(max, Seq.sub(end, seq));
    }

    /** A retransmission of [seq, seq + len) went out during SACK recovery. */
    public void onRecoveryRetransmit(int seq, int len) {
        highRxt = Seq.max(highRxt, seq + len);
    }

    /**
     * Recovery begins. HighRxt is not reset to SND.UNA: retransmissions of the previous episode may still be in
     * flight above it (an episode can end while holes it repaired are unacknowledged), and sending them again would
     * be needless. It never falls below SND.UNA ({@link #onNewAck}); a lost retransmission is left to the timer.
     */
    public void onRecoveryStart() {
        highRxt = Seq.max(highRxt, sndUna);
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
        int[] ranges = coalesce(reassembly.ranges());
        int first = -1;
        for (int i = 0; i < ranges.length / 2; i++) {
            if (Seq.leq(ranges[2 * i], lastOutOfOrderSeq) && Seq.lt(lastOutOfOrderSeq, ranges[2 * i + 1])) {
                first = i;
            }
        }
        if (first >= 0 && n < max) {
            left[n] = ranges[2 * first];
            right[n] = ranges[2 * first + 1];
            n++;
        }
        for (int i = ranges.length / 2 - 1; i >= 0 && n < max; i--) {
            if (i != first) {
                left[n] = ranges[2 * i];
                right[n] = ranges[2 * i + 1];
                n++;
            }
        }
        return n;
    }

    /** Merges touching [start, end) pairs: a SACK block is a maximal contiguous run (RFC 2018 §3). */
    private static int[] coalesce(int[] ranges) {
        int n = ranges.length / 2;
        int out = 0;
        for (int i = 0; i < n; i++) {
            if (out > 0 && ranges[2 * (out - 1) + 1] == ranges[2 * i]) {
                ranges[2 * (out - 1) + 1] = ranges[2 * i + 1];
            } else {
                ranges[2 * out] = ranges[2 * i];
                ranges[2 * out + 1] = ranges[2 * i + 1];
                out++;
            }
        }
        return out == n ? ranges : java.util.Arrays.copyOf(ranges, 2 * out);
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
            return tsRecent;
        }

        @Override
        public boolean timestampsEnabled() {
            return timestamps;
        }

        @Override
        public int sackedBytes() {
            return scoreboard.sackedBytes();
        }

        @Override
        public int dsacksReceivedCount() {
            return dsacksReceived;
        }

        @Override
        public long lastSendNs() {
            return lastSendNs;
        }

        @Override
        public int highRxt() {
            return highRxt;
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
    }
}

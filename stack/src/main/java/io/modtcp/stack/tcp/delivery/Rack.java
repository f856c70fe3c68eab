package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.wire.Seq;

/**
 * RACK-TLP (RFC 8985), the loss detector used when SACK is negotiated, as Linux's tcp_recovery.c and gVisor's rack.go
 * do it. Part of ReliableOrderedDelivery, which owns the retransmission queue: this keeps one record per transmitted
 * segment of that queue (its sequence range, when it was last sent, whether it was ever retransmitted, SACKed or is
 * marked lost), the RACK state (RACK.xmit_ts, end_seq, rtt, min_RTT, the reordering window and its DSACK-driven
 * multiplier), the RACK reordering timer and the tail-loss-probe (TLP) state.
 *
 * <p>Bounded: at most {@link #MAX_RECORDS} records; beyond that a new segment is merged into the last record (less
 * precise loss marking, never more state).
 */
final class Rack {
    static final int MAX_RECORDS = 16_384;
    static final long NO_DEADLINE = Long.MAX_VALUE;
    /** RFC 8985 §6.2 step 4 and §7.2: DupThresh and WCDelAckT. */
    private static final int DUPTHRESH = 3;

    static final long WORST_CASE_DELAYED_ACK_NS = 200_000_000L;
    /** RFC 8985 §6.2 step 4: the multiplier stays raised for 16 DSACK-free recoveries. */
    private static final int REO_WND_PERSIST = 16;

    private static final byte SACKED = 1;
    private static final byte LOST = 2;
    private static final byte RETRANSMITTED = 4;

    private int[] starts = new int[0];
    private int[] ends = new int[0];
    private long[] xmitNs = new long[0];
    private byte[] flags = new byte[0];
    private int head;
    private int size;

    // RFC 8985 §6.1 per-connection state.
    private long rackXmitNs;
    private int rackEndSeq;
    private long rackRttNs;
    private long minRttNs = Long.MAX_VALUE;
    private boolean fackValid;
    private int fack;
    private boolean reorderingSeen;
    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundValid;
    private int dsackRound;
    private long rackTimerNs = NO_DEADLINE;
    /** Lost retransmissions found by the last detection (RFC 8985 §6.2: a retransmission can be lost too). */
    private int lostRetransmits;
    /**
     * RFC 5682 (F-RTO) after a timeout: whether an ACK delivered a segment never retransmitted that ends at or below
     * {@link #origLimit} (Linux's FLAG_ORIG_SACK_ACKED: the original transmission arrived, so the timeout was
     * spurious). Watched only while {@link #watchOrig}.
     */
    private boolean origDelivered;

    private boolean watchOrig;
    private int origLimit;

    // RFC 8985 §7 TLP state.
    private long probeTimerNs = NO_DEADLINE;
    private boolean probeRearm = true;
    private boolean tlpOutstanding;
    private int tlpEndSeq;
    private boolean tlpIsRetrans;

    private int mask() {
        return starts.length - 1;
    }

    private int idx(int i) {
        return (head + i) & mask();
    }

    // ---- the retransmission queue's per-segment records ----

    /**
     * A segment [seq, seq + len) went out at {@code nowNs}; {@code sndMax} is SND.MAX before it. New data gets a
     * record; a retransmission refreshes the records it covers (xmit_ts = now, retransmitted, no longer lost).
     */
    void onSent(int seq, int len, int sndMax, long nowNs) {
        int end = seq + len;
        if (Seq.geq(seq, sndMax)) {
            append(seq, end, nowNs);
            probeRearm = true;
            return;
        }
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if (Seq.geq(starts[k], end)) {
                break;
            }
            if (!Seq.gt(ends[k], seq)) {
                continue;
            }
            // A retransmission of part of a record (a TSO super-segment resent one MSS at a time) splits it, as
            // Linux's tcp_fragment: the rest keeps its own state (lost, not yet resent).
            if (Seq.lt(starts[k], seq) && split(i, seq)) {
                continue; // the part from seq is record i + 1, visited next
            }
            if (Seq.gt(ends[k], end)) {
                split(i, end);
                k = idx(i);
            }
            xmitNs[k] = nowNs;
            flags[k] = (byte) ((flags[k] | RETRANSMITTED) & ~LOST);
        }
        if (Seq.gt(end, sndMax)) {
            append(sndMax, end, nowNs);
        }
    }

    /**
     * Splits record {@code i} at {@code at} (strictly inside it): record i keeps [start, at), a new record i + 1 with
     * the same state takes [at, end). Returns false (nothing split) when the record bound is reached.
     */
    private boolean split(int i, int at) {
        if (size == starts.length) {
            if (size == MAX_RECORDS) {
                return false;
            }
            grow();
        }
        for (int j = size; j > i + 1; j--) {
            int to = idx(j);
            int from = idx(j - 1);
            starts[to] = starts[from];
            ends[to] = ends[from];
            xmitNs[to] = xmitNs[from];
            flags[to] = flags[from];
        }
        int k = idx(i);
        int n = idx(i + 1);
        starts[n] = at;
        ends[n] = ends[k];
        xmitNs[n] = xmitNs[k];
        flags[n] = flags[k];
        ends[k] = at;
        size++;
        return true;
    }

    private void append(int start, int end, long nowNs) {
        if (size == starts.length) {
            if (size == MAX_RECORDS) {
                int k = idx(size - 1);
                ends[k] = end;
                xmitNs[k] = nowNs;
                return;
            }
            grow();
        }
        int k = idx(size);
        starts[k] = start;
        ends[k] = end;
        xmitNs[k] = nowNs;
        flags[k] = 0;
        size++;
    }

    private void grow() {
        int capacity = Math.max(16, starts.length * 2);
        int[] s = new int[capacity];
        int[] e = new int[capacity];
        long[] x = new long[capacity];
        byte[] f = new byte[capacity];
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            s[i] = starts[k];
            e[i] = ends[k];
            x[i] = xmitNs[k];
            f[i] = flags[k];
        }
        starts = s;
        ends = e;
        xmitNs = x;
        flags = f;
        head = 0;
    }

    /**
     * SND.UNA advanced to {@code ack}: every record it covers that was not SACKed is delivered (RFC 8985 §6.2 step 2
     * for each), then it is forgotten.
     */
    void onCumulativeAck(int ack, long nowNs) {
        while (size > 0) {
            int k = idx(0);
            if (Seq.gt(ends[k], ack)) {
                if (Seq.lt(starts[k], ack)) {
                    starts[k] = ack;
                }
                break;
            }
            if ((flags[k] & SACKED) == 0) {
                delivered(k, nowNs);
            }
            head = (head + 1) & mask();
            size--;
        }
        if (size == 0) {
            head = 0;
        }
        probeRearm = true;
    }

    /**
     * A SACK block [left, right): the records it covers are delivered (RFC 8985 §6.2 steps 2 and 3). A record it
     * covers in part (a TSO super-segment of which one packet was lost) is split at the block's edges first, as
     * Linux's tcp_match_skb_to_sack, so that the SACKed part counts as delivered and only the rest can be lost.
     */
    void onSacked(int left, int right, long nowNs) {
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if (Seq.geq(starts[k], right)) {
                break;
            }
            if ((flags[k] & SACKED) != 0 || !Seq.gt(ends[k], left)) {
                continue;
            }
            if (Seq.lt(starts[k], left)) {
                split(i, left); // the part from left, if split off, is record i + 1, visited next
                continue;
            }
            if (Seq.gt(ends[k], right)) {
                if (!split(i, right)) {
                    continue;
                }
                k = idx(i);
            }
            flags[k] = (byte) ((flags[k] | SACKED) & ~LOST);
            delivered(k, nowNs);
        }
    }

    /** RFC 8985 §6.2 steps 2 (RACK.xmit_ts, end_seq, rtt, min_RTT) and 3 (reordering seen) for one delivered segment. */
    private void delivered(int k, long nowNs) {
        long rtt = nowNs - xmitNs[k];
        boolean retransmitted = (flags[k] & RETRANSMITTED) != 0;
        // Step 3: a never-retransmitted segment below the highest delivered one was reordered, not lost.
        if (fackValid && Seq.lt(ends[k], fack) && !retransmitted) {
            reorderingSeen = true;
        }
        if (!fackValid || Seq.gt(ends[k], fack)) {
            fack = ends[k];
            fackValid = true;
        }
        if (watchOrig && !retransmitted && Seq.leq(ends[k], origLimit)) {
            origDelivered = true;
        }
        // Step 2: an ACK for a retransmitted segment faster than min_RTT acknowledges the original (ambiguous).
        if (retransmitted && rtt < minRttNs) {
            return;
        }
        rackRttNs = rtt;
        if (!retransmitted) {
            minRttNs = Math.min(minRttNs, rtt);
        }
        if (rackXmitNs == 0 || sentAfter(xmitNs[k], ends[k], rackXmitNs, rackEndSeq)) {
            rackXmitNs = xmitNs[k];
            rackEndSeq = ends[k];
        }
    }

    private static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq.gt(seq1, seq2));
    }

    /**
     * A DSACK arrived (RFC 8985 §6.2 step 4): once per round trip the reordering window grows by min_RTT/4, and
     * stays grown for 16 recoveries.
     */
    void onDsack(int sndUna, int sndNxt) {
        if (dsackRoundValid && Seq.geq(sndUna, dsackRound)) {
            dsackRoundValid = false;
        }
        if (!dsackRoundValid) {
            dsackRoundValid = true;
            dsackRound = sndNxt;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** Fast or RTO recovery ended (RFC 8985 §6.2 step 4): one DSACK-free recovery more. */
    void onRecoveryExit() {
        if (--reoWndPersist <= 0) {
            reoWndMult = 1;
            reoWndPersist = 0;
        }
    }

    /** RFC 8985 §6.2 step 4: RACK.reo_wnd. */
    long reoWndNs(boolean inRecovery, long srttNs) {
        if (!reorderingSeen && (inRecovery || sackedSegments() >= DUPTHRESH)) {
            return 0;
        }
        if (minRttNs == Long.MAX_VALUE) {
            return 0;
        }
        return Math.min(reoWndMult * (minRttNs / 4), srttNs);
    }

    private int sackedSegments() {
        int n = 0;
        for (int i = 0; i < size && n < DUPTHRESH; i++) {
            if ((flags[idx(i)] & SACKED) != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * RFC 8985 §6.2 step 5 (RACK_detect_loss): marks lost every outstanding segment sent before RACK.segment whose
     * reordering window has passed, and arms the RACK timer for the earliest of the others.
     *
     * @return the number of segments newly marked lost
     */
    int detectLoss(long nowNs, boolean inRecovery, long srttNs) {
        lostRetransmits = 0;
        rackTimerNs = NO_DEADLINE;
        if (rackXmitNs == 0) {
            return 0;
        }
        long reoWnd = reoWndNs(inRecovery, srttNs);
        long timeout = 0;
        int marked = 0;
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if ((flags[k] & (SACKED | LOST)) != 0) {
                continue;
            }
            if (!sentAfter(rackXmitNs, rackEndSeq, xmitNs[k], ends[k])) {
                continue;
            }
            long remaining = xmitNs[k] + rackRttNs + reoWnd - nowNs;
            if (remaining <= 0) {
                if ((flags[k] & RETRANSMITTED) != 0) {
                    lostRetransmits++;
                }
                flags[k] |= LOST;
                marked++;
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        if (timeout > 0) {
            rackTimerNs = nowNs + timeout;
        }
        return marked;
    }

    int lostRetransmits() {
        return lostRetransmits;
    }

    long rackTimerNs() {
        return rackTimerNs;
    }

    /**
     * The first segment marked lost and not retransmitted since, ending above {@code sndUna}: its position for
     * {@link #start} and {@link #end}, or -1.
     */
    int firstLost(int sndUna) {
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if ((flags[k] & LOST) != 0 && Seq.gt(ends[k], sndUna)) {
                return i;
            }
        }
        return -1;
    }

    int start(int i) {
        return starts[idx(i)];
    }

    int end(int i) {
        return ends[idx(i)];
    }

    /** Whether some outstanding segment is marked lost and waits for its retransmission. */
    boolean hasLost() {
        for (int i = 0; i < size; i++) {
            if ((flags[idx(i)] & LOST) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6675 §4 SetPipe with RACK's loss marks (Linux's tcp_packets_in_flight): bytes of the outstanding segments
     * neither SACKed nor marked lost (a lost segment retransmitted is in flight again).
     */
    int pipe(int sndUna) {
        int pipe = 0;
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if ((flags[k] & (SACKED | LOST)) == 0) {
                pipe += Seq.sub(ends[k], Seq.max(starts[k], sndUna));
            }
        }
        return pipe;
    }

    /**
     * RFC 2018 §8: after a timeout without SACK, or when the peer reneged (SND.UNA itself SACKed), SACK information
     * is not trusted; go-back-N resends everything, so no mark survives. The TLP episode ends.
     */
    void onTimeout() {
        for (int i = 0; i < size; i++) {
            flags[idx(i)] &= RETRANSMITTED;
        }
        watchOrig = false;
        origDelivered = false;
        rackTimerNs = NO_DEADLINE;
        probeTimerNs = NO_DEADLINE;
        tlpOutstanding = false;
    }

    /**
     * The retransmission timer expired on a SACK connection whose scoreboard is kept (RFC 6675 §5.1: SACKed data is
     * not retransmitted after an RTO; Linux's tcp_timeout_mark_lost): every segment not SACKed is marked lost, but
     * for those sent less than RACK.rtt ago (still plausibly in flight) other than the first. The RACK and probe
     * timers stop and the TLP episode ends. {@code origLimit} is SND.MAX now, the F-RTO (RFC 5682) boundary.
     *
     * @return the number of segments marked lost
     */
    int onTimeoutMarkLost(long nowNs, int origLimit, boolean watchOrig) {
        int marked = 0;
        for (int i = 0; i < size; i++) {
            int k = idx(i);
            if ((flags[k] & SACKED) != 0) {
                continue;
            }
            if (i == 0 || xmitNs[k] + rackRttNs - nowNs <= 0) {
                flags[k] |= LOST;
                marked++;
            }
        }
        rackTimerNs = NO_DEADLINE;
        probeTimerNs = NO_DEADLINE;
        tlpOutstanding = false;
        this.origLimit = origLimit;
        this.watchOrig = watchOrig;
        origDelivered = false;
        return marked;
    }

    /** F-RTO's boundary moves (RFC 5682 §3 step 2b: new data is sent to test the timeout). */
    void setOrigLimit(int limit) {
        origLimit = limit;
    }

    /** Whether an ACK since the last call delivered an original transmission sent before {@link #origLimit}. */
    boolean takeOrigDelivered() {
        boolean d = origDelivered;
        origDelivered = false;
        return d;
    }

    /** F-RTO ended: stop watching. */
    void stopWatchingOrig() {
        watchOrig = false;
        origDelivered = false;
    }

    /**
     * A spurious timeout is undone (Linux's tcp_undo_cwnd_reduction with unmark_loss): the loss marks go; RACK marks
     * again, by time, what is really lost on the next detection.
     */
    void unmarkLost() {
        for (int i = 0; i < size; i++) {
            flags[idx(i)] &= ~LOST;
        }
    }

    /** The RACK timer fired or was made moot. */
    void clearRackTimer() {
        rackTimerNs = NO_DEADLINE;
    }

    // ---- TLP (RFC 8985 §7) ----

    /**
     * RFC 8985 §7.2: arms the PTO when a probe is allowed ({@code allowed}: SACK, open state, not in recovery, data
     * outstanding), re-arming it after new data went out or an ACK advanced; cancels it otherwise. PTO = 2·SRTT
     * (+ WCDelAckT when one segment is in flight; 1 s without an RTT sample), never beyond the RTO's expiry.
     */
    void updateProbeTimer(boolean allowed, long nowNs, long srttNs, long rtoDeadlineNs, int flight, int mss) {
        if (!allowed || tlpOutstanding) {
            probeTimerNs = NO_DEADLINE;
            probeRearm = true;
            return;
        }
        if (!probeRearm && probeTimerNs != NO_DEADLINE) {
            return;
        }
        probeRearm = false;
        long pto;
        if (srttNs > 0) {
            pto = 2 * srttNs;
            if (flight <= mss) {
                pto += WORST_CASE_DELAYED_ACK_NS;
            }
        } else {
            pto = 1_000_000_000L;
        }
        long deadline = nowNs + pto;
        if (rtoDeadlineNs != NO_DEADLINE && deadline - rtoDeadlineNs > 0) {
            deadline = rtoDeadlineNs;
        }
        probeTimerNs = deadline;
    }

    long probeTimerNs() {
        return probeTimerNs;
    }

    /** RFC 8985 §7.3: a probe went out; the episode lasts until TLP.end_seq (SND.NXT now) is acknowledged. */
    void onProbeSent(int sndNxt, boolean retransmission) {
        probeTimerNs = NO_DEADLINE;
        tlpOutstanding = true;
        tlpEndSeq = sndNxt;
        tlpIsRetrans = retransmission;
    }

    /** The PTO fired and nothing could be sent. */
    void onProbeSkipped() {
        probeTimerNs = NO_DEADLINE;
    }

    /** Whether a probe episode is open. */
    boolean tlpOutstanding() {
        return tlpOutstanding;
    }

    /** What an ACK says of an open probe episode (RFC 8985 §7.4). */
    enum TlpAck {
        NONE,
        /** The episode ended without a loss (new data probed, or the probe was a needless duplicate). */
        ENDED,
        /** The probe's retransmission repaired a loss: congestion control must respond. */
        REPAIRED
    }

    /**
     * RFC 8985 §7.4 TLP_process_ack.
     *
     * @param dsackEnd the right edge of a DSACK block on this ACK, if {@code hasDsack}
     * @param pureDupAck a duplicate ACK with no SACK information
     */
    TlpAck onAck(int ack, boolean hasDsack, int dsackEnd, boolean pureDupAck) {
        if (!tlpOutstanding || Seq.lt(ack, tlpEndSeq)) {
            return TlpAck.NONE;
        }
        if (!tlpIsRetrans || (hasDsack && dsackEnd == tlpEndSeq)) {
            tlpOutstanding = false;
            probeRearm = true;
            return TlpAck.ENDED;
        }
        if (Seq.gt(ack, tlpEndSeq)) {
            tlpOutstanding = false;
            probeRearm = true;
            return TlpAck.REPAIRED;
        }
        if (pureDupAck) {
            tlpOutstanding = false;
            probeRearm = true;
            return TlpAck.ENDED;
        }
        return TlpAck.NONE;
    }

    /** Recovery began: the probe episode is over (Linux clears tlp_high_seq on entering recovery). */
    void onRecoveryStart() {
        tlpOutstanding = false;
        probeTimerNs = NO_DEADLINE;
    }

    long minRttNs() {
        return minRttNs;
    }

    long rackRttNs() {
        return rackRttNs;
    }

    boolean reorderingSeen() {
        return reorderingSeen;
    }

    int reoWndMult() {
        return reoWndMult;
    }

    int records() {
        return size;
    }

    @Override
    public String toString() {
        return "rack{records=" + size + " rtt=" + rackRttNs + " minRtt=" + minRttNs + " mult=" + reoWndMult
                + " reordering=" + reorderingSeen + "}";
    }
}

package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.wire.Seq;

/**
 * The sender's SACK state (RFC 2018, RFC 2883, RFC 6675): the scoreboard, HighRxt and the D-SACK count, with the
 * RFC 6675 §4 rules over them (IsLost, SetPipe, NextSeg rule 1). Part of ReliableOrderedDelivery, which passes its
 * SND.UNA and SND.MAX in.
 */
final class SackSender {
    /** RFC 6675 DupThresh. */
    private static final int DUPTHRESH = 3;

    private final SackScoreboard scoreboard = new SackScoreboard();
    /** RFC 6675 HighRxt: the highest sequence number retransmitted during the current recovery (plus one). */
    private int highRxt;

    private int dsacksReceived;
    /** Of those, D-SACKs for data above the cumulative ACK (inside the second block; Linux's TCPDSACKOfoRecv). */
    private int dsacksOfoReceived;
    /** The valid blocks of the ACK being processed, sorted for RACK (scratch, no allocation per ACK). */
    private final int[] sortedLeft = new int[4];

    private final int[] sortedRight = new int[4];

    void init(int iss) {
        highRxt = iss;
    }

    /** SND.UNA advanced: forget what it covers; HighRxt never falls below it. */
    void onCumulativeAck(int sndUna) {
        scoreboard.pruneBelow(sndUna);
        if (Seq.lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
    }

    /**
     * RFC 6675 §5.1: after a timeout the scoreboard is kept (SACKed data is not retransmitted) and HighRxt restarts
     * at SND.UNA.
     */
    void onTimeoutKeep(int sndUna) {
        highRxt = sndUna;
    }

    /**
     * RFC 2018 §8: the peer reneged (it SACKed SND.UNA without acknowledging it, Linux's tcp_timeout_mark_lost
     * is_reneg): the scoreboard is dropped.
     */
    boolean isReneging(int sndUna) {
        return scoreboard.isSacked(sndUna);
    }

    /** RFC 2018 §8: after a timeout without trusted SACK information, the scoreboard is dropped. */
    void onTimeout(int sndUna) {
        scoreboard.clear();
        highRxt = sndUna;
    }

    /**
     * Takes the SACK blocks of an arriving ACK (after its cumulative ACK was processed). A first block below SND.UNA
     * or inside the second block is a D-SACK (RFC 2883 §4): a duplicate the peer received, not new information.
     *
     * @return bytes newly SACKed
     */
    int onSackBlocks(InSegment seg, int sndUna, int sndMax, int sndNxt, Rack rack, long nowNs) {
        int count = seg.options().sackBlockCount();
        int newly = 0;
        int valid = 0;
        for (int i = 0; i < count; i++) {
            int left = seg.options().sackLeft(i);
            int right = seg.options().sackRight(i);
            if (i == 0 && isDsack(seg, left, right)) {
                dsacksReceived++;
                if (Seq.gt(right, seg.ack())) {
                    dsacksOfoReceived++; // RFC 2883 §4 case 2: a duplicate above the cumulative ACK
                }
                rack.onDsack(sndUna, sndNxt);
                continue;
            }
            // Ignore blocks outside what was sent (RFC 2018 §8: be robust to nonsense).
            if (!Seq.lt(left, right) || Seq.leq(right, sndUna) || Seq.gt(right, sndMax)) {
                continue;
            }
            newly += scoreboard.add(Seq.max(left, sndUna), right);
            if (valid < sortedLeft.length) {
                // Insertion by left edge: RACK sees the segments in sequence order, as Linux's tcp_sacktag_write_queue
                // sorts the blocks (else a lower block listed later would look like reordering, RFC 8985 §6.2 step 3).
                int j = valid++;
                while (j > 0 && Seq.gt(sortedLeft[j - 1], left)) {
                    sortedLeft[j] = sortedLeft[j - 1];
                    sortedRight[j] = sortedRight[j - 1];
                    j--;
                }
                sortedLeft[j] = Seq.max(left, sndUna);
                sortedRight[j] = right;
            }
        }
        for (int i = 0; i < valid; i++) {
            rack.onSacked(sortedLeft[i], sortedRight[i], nowNs);
        }
        return newly;
    }

    static boolean isDsack(InSegment seg, int left, int right) {
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
    boolean isLost(int seq, int smss, int sndUna, int sndMax) {
        return !scoreboard.isSacked(seq)
                && Seq.lt(seq, scoreboard.lossBoundary(DUPTHRESH, smss, sndUna))
                && Seq.lt(seq, sndMax);
    }

    /**
     * RFC 6675 §4 SetPipe: the octets still in the network. Every unSACKed octet in [SND.UNA, SND.MAX) counts once
     * unless it is lost; an octet retransmitted in this recovery (below HighRxt) counts once more.
     */
    int pipe(int smss, int sndUna, int sndMax) {
        int boundary = scoreboard.lossBoundary(DUPTHRESH, smss, sndUna);
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
    long nextLostSeq(int smss, int sndUna, int sndMax) {
        int boundary = scoreboard.lossBoundary(DUPTHRESH, smss, sndUna);
        int seq = scoreboard.nextUnsacked(Seq.max(highRxt, sndUna));
        if (Seq.lt(seq, boundary) && Seq.lt(seq, sndMax)) {
            return seq & 0xffff_ffffL;
        }
        return -1;
    }

    /** The length of the unSACKed run at {@code seq}, at most {@code max}. */
    int holeLength(int seq, int max, int sndMax) {
        int end = scoreboard.nextSackedStart(seq, sndMax);
        return Math.min(max, Seq.sub(end, seq));
    }

    /** A retransmission of [seq, seq + len) went out during SACK recovery. */
    void onRecoveryRetransmit(int seq, int len) {
        highRxt = Seq.max(highRxt, seq + len);
    }

    /**
     * Recovery begins. HighRxt is not reset to SND.UNA: retransmissions of the previous episode may still be in
     * flight above it (an episode can end while holes it repaired are unacknowledged), and sending them again would
     * be needless. It never falls below SND.UNA ({@link #onCumulativeAck}); a lost retransmission is left to the
     * timer.
     */
    void onRecoveryStart(int sndUna) {
        highRxt = Seq.max(highRxt, sndUna);
    }

    int highRxt() {
        return highRxt;
    }

    int dsacksReceived() {
        return dsacksReceived;
    }

    int dsacksOfoReceived() {
        return dsacksOfoReceived;
    }

    int sackedBytes() {
        return scoreboard.sackedBytes();
    }
}

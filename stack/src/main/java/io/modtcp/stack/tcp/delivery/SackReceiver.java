package io.modtcp.stack.tcp.delivery;

/**
 * The receiver's SACK state (RFC 2018 §4, RFC 2883 §4): the D-SACK to report in the next ACK and which kind of
 * duplicate it reports, and where the latest out-of-order segment started (its block goes first). Part of
 * ReliableOrderedDelivery, which owns the reassembly queue the other blocks come from.
 */
final class SackReceiver {
    private boolean dsackPending;
    private int dsackStart;
    private int dsackEnd;
    /** The kind of the last duplicate reported, until the orchestrator counts it. */
    private ReliableOrderedDelivery.DsackKind queued = ReliableOrderedDelivery.DsackKind.NONE;
    /** Where the latest out-of-order segment started: its block goes first (RFC 2018 §4). */
    private int lastOutOfOrderSeq;

    /** A duplicate [start, end) arrived: the next ACK reports it as its first block (RFC 2883 §4). */
    void duplicate(int start, int end, ReliableOrderedDelivery.DsackKind kind) {
        dsackPending = true;
        dsackStart = start;
        dsackEnd = end;
        queued = kind;
    }

    void outOfOrderAt(int seq) {
        lastOutOfOrderSeq = seq;
    }

    boolean pending() {
        return dsackPending;
    }

    ReliableOrderedDelivery.DsackKind takeQueued() {
        ReliableOrderedDelivery.DsackKind k = queued;
        queued = ReliableOrderedDelivery.DsackKind.NONE;
        return k;
    }

    /**
     * Fills up to {@code max} SACK blocks: a pending D-SACK first, then the block holding the most recent
     * out-of-order segment, then the other held ranges, highest first. Clears the D-SACK.
     */
    int fill(int[] held, int[] left, int[] right, int max) {
        int n = 0;
        if (dsackPending && max > 0) {
            left[n] = dsackStart;
            right[n] = dsackEnd;
            n++;
            dsackPending = false;
        }
        if (held.length == 0) {
            return n;
        }
        return SackBlocks.fill(held, lastOutOfOrderSeq, left, right, n, max);
    }
}

package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.wire.Seq;

/** The receiver's SACK blocks from the held out-of-order ranges (RFC 2018 §3, §4). */
final class SackBlocks {
    private SackBlocks() {}

    /**
     * Fills {@code left}/{@code right} from index {@code n} up to {@code max} blocks: the block holding the most
     * recent out-of-order segment first (RFC 2018 §4), then the other held blocks, highest first.
     *
     * @param held the held [start, end) pairs, in order (modified: touching pairs are merged)
     * @return the number of blocks now in the arrays
     */
    static int fill(int[] held, int lastOutOfOrderSeq, int[] left, int[] right, int n, int max) {
        int[] ranges = coalesce(held);
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
}

package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.wire.Seq;
import java.util.Arrays;

/**
 * The sender's SACK scoreboard (RFC 6675 §3): the sequence ranges above SND.UNA that the peer reported holding, kept
 * sorted and merged. Bounded: a peer reporting more than {@link #MAX_RANGES} disjoint ranges loses the oldest
 * information, which only makes recovery more conservative.
 */
final class SackScoreboard {
    static final int MAX_RANGES = 64;

    private static final int[] NONE = new int[0];

    /** Grown on demand up to {@link #MAX_RANGES}: most connections never see a SACK block and keep none. */
    private int[] starts = NONE;

    private int[] ends = NONE;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    /**
     * Adds [start, end), merging with neighbours; returns the change in SACKed bytes (the bytes newly marked, less
     * those of the highest range when a full scoreboard dropped it to make room).
     */
    int add(int start, int end) {
        if (!Seq.lt(start, end)) {
            return 0;
        }
        int before = sackedBytes();
        int i = 0;
        while (i < size && Seq.lt(ends[i], start)) {
            i++;
        }
        // i: first range whose end >= start; merge every range that touches [start, end).
        int j = i;
        int s = start;
        int e = end;
        while (j < size && Seq.leq(starts[j], e)) {
            s = Seq.min(s, starts[j]);
            e = Seq.max(e, ends[j]);
            j++;
        }
        int removed = j - i;
        if (removed == 0 && size == MAX_RANGES) {
            // Full: the highest range goes (the lowest matter most for loss detection). If that is the new one, it
            // is simply not kept.
            if (i == size) {
                return 0;
            }
            size--;
        }
        int shift = 1 - removed;
        if (size + shift > starts.length) {
            int capacity = Math.min(MAX_RANGES, Math.max(4, 2 * starts.length));
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
        }
        if (shift != 0) {
            System.arraycopy(starts, j, starts, j + shift, size - j);
            System.arraycopy(ends, j, ends, j + shift, size - j);
        }
        starts[i] = s;
        ends[i] = e;
        size += shift;
        return sackedBytes() - before;
    }

    /** Forgets everything below {@code una} (cumulatively acknowledged). */
    void pruneBelow(int una) {
        int drop = 0;
        while (drop < size && Seq.leq(ends[drop], una)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(starts, drop, starts, 0, size - drop);
            System.arraycopy(ends, drop, ends, 0, size - drop);
            size -= drop;
        }
        if (size > 0 && Seq.lt(starts[0], una)) {
            starts[0] = una;
        }
    }

    boolean isSacked(int seq) {
        for (int i = 0; i < size; i++) {
            if (Seq.leq(starts[i], seq) && Seq.lt(seq, ends[i])) {
                return true;
            }
        }
        return false;
    }

    int sackedBytes() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += Seq.sub(ends[i], starts[i]);
        }
        return n;
    }

    /**
     * The boundary below which every unSACKed byte is lost by RFC 6675 §4 IsLost: at least {@code dupThresh} SACKed
     * ranges above it, or more than (dupThresh - 1) · SMSS SACKed bytes above it. Returns {@code floor} if no byte
     * qualifies.
     */
    int lossBoundary(int dupThresh, int smss, int floor) {
        int blocks = 0;
        int bytes = 0;
        for (int i = size - 1; i >= 0; i--) {
            blocks++;
            bytes += Seq.sub(ends[i], starts[i]);
            if (blocks >= dupThresh || bytes > (dupThresh - 1) * smss) {
                return Seq.max(starts[i], floor);
            }
        }
        return floor;
    }

    /** The first byte at or after {@code from} that is not SACKed (may be past every range). */
    int nextUnsacked(int from) {
        int seq = from;
        for (int i = 0; i < size; i++) {
            if (Seq.leq(starts[i], seq) && Seq.lt(seq, ends[i])) {
                seq = ends[i];
            }
        }
        return seq;
    }

    /** The start of the first SACKed range above {@code seq}, or {@code limit} if none is below it. */
    int nextSackedStart(int seq, int limit) {
        for (int i = 0; i < size; i++) {
            if (Seq.gt(starts[i], seq)) {
                return Seq.min(starts[i], limit);
            }
        }
        return limit;
    }

    /** SACKed bytes within [from, to). */
    int sackedBetween(int from, int to) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            int s = Seq.max(starts[i], from);
            int e = Seq.min(ends[i], to);
            if (Seq.lt(s, e)) {
                n += Seq.sub(e, s);
            }
        }
        return n;
    }
}

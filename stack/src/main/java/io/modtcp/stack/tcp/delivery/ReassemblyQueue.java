package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;

/**
 * Out-of-order segments waiting for the hole before them to fill (RFC 9293 §3.10.7.4, seventh step: "segments with
 * higher beginning sequence numbers ... should be held"). Kept sorted and non-overlapping; bounded in segments. An
 * out-of-order FIN is remembered by its sequence number.
 */
final class ReassemblyQueue {
    private record Entry(int seq, ByteBuf data) {
        int end() {
            return seq + data.readableBytes();
        }
    }

    private final ArrayList<Entry> entries = new ArrayList<>();
    private final int maxSegments;
    private int bytes;
    private boolean hasFin;
    private int finSeq;

    ReassemblyQueue(int maxSegments) {
        this.maxSegments = maxSegments;
    }

    int size() {
        return entries.size();
    }

    int bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return entries.isEmpty() && !hasFin;
    }

    /**
     * Inserts {@code data} (ownership passes) starting at {@code seq}; only the parts not already held are kept.
     *
     * @return false if the queue was full and (part of) the segment was dropped
     */
    boolean insert(int seq, ByteBuf data, boolean fin) {
        int end = seq + data.readableBytes();
        boolean stored = true;
        int i = 0;
        while (i < entries.size() && Seq.leq(entries.get(i).end(), seq)) {
            i++;
        }
        while (data.isReadable()) {
            if (i == entries.size() || Seq.geq(entries.get(i).seq(), end)) {
                stored = add(i, seq, data.retainedSlice());
                break;
            }
            Entry e = entries.get(i);
            if (Seq.lt(seq, e.seq())) {
                int gap = Seq.sub(e.seq(), seq);
                if (!add(i, seq, data.readRetainedSlice(gap))) {
                    stored = false;
                    break;
                }
                seq += gap;
                i++;
            }
            int overlap = Math.min(data.readableBytes(), Seq.sub(e.end(), seq));
            data.skipBytes(overlap);
            seq += overlap;
            i++;
        }
        data.release();
        if (fin && stored) {
            hasFin = true;
            finSeq = end;
        }
        return stored;
    }

    private boolean add(int index, int seq, ByteBuf data) {
        if (entries.size() >= maxSegments) {
            data.release();
            return false;
        }
        entries.add(index, new Entry(seq, data));
        bytes += data.readableBytes();
        return true;
    }

    /**
     * Hands every entry that starts at or before {@code rcvNxt} to {@code sink} in order, trimmed to start at
     * {@code rcvNxt}.
     *
     * @return the new RCV.NXT, not counting a FIN (see {@link #isFinAt})
     */
    int pollContiguous(int rcvNxt, PayloadSink sink) {
        while (!entries.isEmpty() && Seq.leq(entries.get(0).seq(), rcvNxt)) {
            Entry e = entries.remove(0);
            ByteBuf data = e.data();
            bytes -= data.readableBytes();
            if (Seq.leq(e.end(), rcvNxt)) {
                data.release();
                continue;
            }
            data.skipBytes(Seq.sub(rcvNxt, e.seq()));
            rcvNxt += data.readableBytes();
            sink.deliver(data);
        }
        return rcvNxt;
    }

    /** True if an out-of-order FIN was held and sits at {@code seq}. */
    boolean isFinAt(int seq) {
        return hasFin && finSeq == seq;
    }

    /** The sequence ranges held, as [start, end) pairs, oldest first (for SACK blocks and tests). */
    int[] ranges() {
        int[] out = new int[entries.size() * 2];
        for (int i = 0; i < entries.size(); i++) {
            out[2 * i] = entries.get(i).seq();
            out[2 * i + 1] = entries.get(i).end();
        }
        return out;
    }

    void release() {
        for (Entry e : entries) {
            e.data().release();
        }
        entries.clear();
        bytes = 0;
        hasFin = false;
    }
}

package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;

/**
 * Out-of-order segments waiting for the hole before them to fill (RFC 9293 §3.10.7.4, seventh step: "segments with
 * higher beginning sequence numbers ... should be held"). Kept sorted and non-overlapping. An out-of-order FIN is
 * remembered by its sequence number.
 *
 * <p>Bounded in bytes, by what is held (Linux's {@code truesize}, see {@link MemoryBudget#heldBytes}), not in
 * segments: a piece that would pin a buffer much larger than itself is copied into a buffer of its own size first
 * ({@code tcp_collapse}); the queue then holds at most twice the receive window the caller gives (the window is at
 * most the receive buffer's free space: as Linux's receive buffer is twice the window it offers), so in-window data
 * in ordinary segments always fits, however many segments that is. When a piece does not fit, newer data above it is
 * pruned first (Linux's {@code tcp_prune_ofo_queue}: newest first), else the piece is dropped. Every byte held is
 * charged to the stack's {@link MemoryBudget}, which may prune this queue (newest first) for another connection.
 */
final class ReassemblyQueue extends MemoryBudget.Holder {
    private record Entry(int seq, ByteBuf data, int held) {
        int end() {
            return seq + data.readableBytes();
        }
    }

    private final ArrayList<Entry> entries = new ArrayList<>();
    /** A sanity cap on entries (the real bound is in bytes); far above what the byte bound lets ordinary data reach. */
    private final int maxSegments;

    private final MemoryBudget memory;
    private final ByteBufAllocator alloc;
    private int bytes;
    private long heldBytes;
    private boolean hasFin;
    private int finSeq;
    /** The byte bound of the current insert (set per call; a field so that {@link #add} needs no parameter). */
    private long limit;

    /** A queue charging an unlimited budget (for tests of the queue alone). */
    ReassemblyQueue(int maxSegments) {
        this(maxSegments, MemoryBudget.unlimited(), UnpooledByteBufAllocator.DEFAULT);
    }

    ReassemblyQueue(int maxSegments, MemoryBudget memory, ByteBufAllocator alloc) {
        this.maxSegments = maxSegments;
        this.memory = memory;
        this.alloc = alloc;
    }

    int size() {
        return entries.size();
    }

    /** Payload bytes held. */
    int bytes() {
        return bytes;
    }

    /** Memory held (capacity of the buffers kept alive plus overhead), as charged to the budget. */
    long heldBytes() {
        return heldBytes;
    }

    boolean isEmpty() {
        return entries.isEmpty() && !hasFin;
    }

    /** The first already-held range the last insert met (RFC 2883 §4: it is reported as a D-SACK). */
    private boolean duplicateFound;

    private int duplicateStart;
    private int duplicateEnd;

    /** {@link #insert(int, ByteBuf, boolean, long)} with no byte bound but the budget's. */
    boolean insert(int seq, ByteBuf data, boolean fin) {
        return insert(seq, data, fin, Long.MAX_VALUE);
    }

    /**
     * Inserts {@code data} (ownership passes) starting at {@code seq}; only the parts not already held are kept.
     *
     * @param maxHeldBytes the most this queue may hold, by {@link MemoryBudget#heldBytes}
     * @return false if (part of) the segment was dropped: the bound, the budget or the segment cap
     */
    boolean insert(int seq, ByteBuf data, boolean fin, long maxHeldBytes) {
        int end = seq + data.readableBytes();
        limit = maxHeldBytes;
        duplicateFound = false;
        boolean stored = true;
        try {
            int i = 0;
            while (i < entries.size() && Seq.leq(entries.get(i).end(), seq)) {
                i++;
            }
            while (data.isReadable()) {
                if (i == entries.size() || Seq.geq(entries.get(i).seq(), seq + data.readableBytes())) {
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
                    // Look at entry i afresh: adding may have pruned it (it was newer than the piece added).
                    continue;
                }
                int overlap = Math.min(data.readableBytes(), Seq.sub(e.end(), seq));
                if (!duplicateFound && overlap > 0) {
                    duplicateFound = true;
                    duplicateStart = seq;
                    duplicateEnd = seq + overlap;
                }
                data.skipBytes(overlap);
                seq += overlap;
                i++;
            }
        } finally {
            data.release(); // also when a copy fails (direct memory exhausted): what was added stays consistent
        }
        if (fin && stored) {
            hasFin = true;
            finSeq = end;
        }
        return stored;
    }

    /** Whether the last {@link #insert} found part of its data already held (the first such range is kept). */
    boolean duplicateFound() {
        return duplicateFound;
    }

    int duplicateStart() {
        return duplicateStart;
    }

    int duplicateEnd() {
        return duplicateEnd;
    }

    private boolean add(int index, int seq, ByteBuf data) {
        if (entries.size() >= maxSegments) {
            data.release();
            return false;
        }
        // What the piece will hold once compacted (it is copied only if it is kept).
        int held = MemoryBudget.isWasteful(data)
                ? data.readableBytes() + MemoryBudget.BUFFER_OVERHEAD
                : MemoryBudget.heldBytes(data);
        // Newer data (above this piece) goes first: data nearer RCV.NXT is worth more (Linux's tcp_prune_ofo_queue).
        while (heldBytes + held > limit && entries.size() > index) {
            removeLast();
            memory.counters().inc(Counter.TCP_OFO_PRUNED);
        }
        if (heldBytes + held > limit || !memory.tryCharge(held, this, Counter.TCP_OFO_DROP_MEMORY)) {
            data.release();
            return false;
        }
        try {
            data = memory.compact(data, alloc); // releases the piece whatever happens
        } catch (RuntimeException | Error e) {
            memory.uncharge(held);
            throw e;
        }
        entries.add(index, new Entry(seq, data, held));
        bytes += data.readableBytes();
        heldBytes += held;
        memory.register(this);
        return true;
    }

    /** Drops the newest (highest) entry; a held FIN, above everything, goes with it. */
    private void removeLast() {
        Entry e = entries.remove(entries.size() - 1);
        forget(e);
        e.data().release();
        hasFin = false;
    }

    /** The entry leaves the queue: uncharged; the queue leaves the budget's list when empty. */
    private void forget(Entry e) {
        bytes -= e.data().readableBytes();
        heldBytes -= e.held();
        memory.uncharge(e.held());
        if (entries.isEmpty()) {
            memory.unregister(this);
        }
    }

    /** Pruned for another connection under memory pressure (the budget's call): newest first. */
    @Override
    protected long prune(long wanted) {
        long freed = 0;
        while (freed < wanted && !entries.isEmpty()) {
            freed += entries.get(entries.size() - 1).held();
            removeLast();
            memory.counters().inc(Counter.TCP_OFO_PRUNED);
        }
        return freed;
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
            forget(e); // the sink (the socket) accounts what it keeps
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
        memory.uncharge(heldBytes);
        memory.unregister(this);
        bytes = 0;
        heldBytes = 0;
        hasFin = false;
    }
}

package io.modtcp.stack.stats;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack-wide budget for received data the stack holds for its peers: out-of-order segments and bytes delivered
 * but not yet read. Memory is accounted by what is held, not by payload (Linux's {@code truesize}): a payload slice
 * keeps its whole received buffer alive, so it counts that buffer's capacity plus {@link #BUFFER_OVERHEAD} for the
 * objects around it.
 *
 * <p>Pressure behaviour, as Linux's {@code tcp_mem} / {@code tcp_prune_queue}: when a new buffer would take the total
 * over the limit, out-of-order data is pruned first (every other connection's queue, newest segment first, as
 * {@code tcp_prune_ofo_queue}), then the new buffer is refused (the segment is dropped and counted; the peer
 * retransmits it). Nothing throws.
 *
 * <p>Holders charge and uncharge what they keep: reassembly queues on the stack thread, sockets' receive queues on
 * the stack thread (charge) and on the application's threads (uncharge when read), hence the atomic total. Pruning and
 * the holders' list belong to the stack thread.
 */
public final class MemoryBudget {
    /**
     * Bytes added to a held buffer's capacity for the objects that keep it (the entry, the slice, the buffer object),
     * as Linux adds the size of {@code struct sk_buff} to {@code truesize}: a flood of tiny buffers costs what it
     * really costs, not what its payload says.
     */
    public static final int BUFFER_OVERHEAD = 256;

    /** The smallest budget a stack accepts. */
    public static final long MIN_LIMIT = 1 << 20;

    private final long limit;
    private final Counters counters;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private Holder head;

    /**
     * @throws IllegalArgumentException if {@code limit} is below {@link #MIN_LIMIT}
     */
    public MemoryBudget(long limit, Counters counters) {
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("memory budget " + limit + " below " + MIN_LIMIT + " bytes");
        }
        this.limit = limit;
        this.counters = counters;
    }

    /** A budget that never refuses (for components tested on their own). */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE, new Counters());
    }

    /**
     * The default budget: a quarter of the JVM's maximum heap (the JDK's default limit of direct memory is the same
     * size), at least 16 MiB.
     */
    public static long defaultLimit() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    public long limit() {
        return limit;
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    /** The most ever held at once. */
    public long peak() {
        return peak.get();
    }

    public Counters counters() {
        return counters;
    }

    /** What holding {@code buf} costs: the capacity of the buffer it keeps alive (its root) plus the overhead. */
    public static int heldBytes(ByteBuf buf) {
        ByteBuf root = buf;
        for (ByteBuf parent = root.unwrap(); parent != null; parent = parent.unwrap()) {
            root = parent;
        }
        return root.capacity() + BUFFER_OVERHEAD;
    }

    /** True if keeping {@code buf} would hold more than twice its readable bytes: worth a copy. */
    public static boolean isWasteful(ByteBuf buf) {
        return heldBytes(buf) - BUFFER_OVERHEAD > 2L * buf.readableBytes();
    }

    /**
     * Linux's {@code tcp_collapse} for one buffer: if {@code buf} pins a buffer much larger than its bytes, copies them
     * into a buffer of their own size and releases {@code buf} (counted in {@link Counter#TCP_RCV_COLLAPSED}). Stack
     * thread only. Ownership of {@code buf} passes; the result is owned by the caller.
     */
    public ByteBuf compact(ByteBuf buf, ByteBufAllocator alloc) {
        if (!isWasteful(buf)) {
            return buf;
        }
        int n = buf.readableBytes();
        ByteBuf copy = alloc.buffer(n, n);
        try {
            copy.writeBytes(buf, buf.readerIndex(), n);
        } catch (RuntimeException e) {
            copy.release();
            throw e;
        } finally {
            buf.release();
        }
        counters.inc(Counter.TCP_RCV_COLLAPSED);
        return copy;
    }

    /** Adds {@code bytes} held, whatever the total (a holder that cannot refuse). */
    public void charge(long bytes) {
        long now = used.addAndGet(bytes);
        if (now > peak.get()) {
            peak.set(now); // a benign race with another thread's charge only understates the peak
        }
    }

    /** {@code bytes} are no longer held. Any thread. */
    public void uncharge(long bytes) {
        used.addAndGet(-bytes);
    }

    /**
     * Charges {@code bytes} if they fit, pruning other holders' out-of-order data first when they do not. Stack
     * thread only.
     *
     * @param requester the holder asking (its own data is not pruned here; it decides itself), or null
     * @param refused the counter of a refusal
     * @return false if the bytes were refused (nothing charged, {@code refused} counted)
     */
    public boolean tryCharge(long bytes, Holder requester, Counter refused) {
        if (!makeRoom(bytes, requester, refused)) {
            return false;
        }
        charge(bytes);
        return true;
    }

    /**
     * Like {@link #tryCharge} without charging: for data another holder will charge when it takes it (in-order data
     * for a socket's receive queue). Other holders are pruned first; {@code own}'s out-of-order data last, since data
     * at RCV.NXT is worth more to its connection than data above a hole. Stack thread only.
     *
     * @param own the connection's own prunable holder, or null
     */
    public boolean hasRoomFor(long bytes, Holder own, Counter refused) {
        if (!makeRoom(bytes, own, null)) {
            if (own != null) {
                own.prune(used.get() + bytes - limit);
            }
            if (used.get() + bytes > limit) {
                counters.inc(refused);
                return false;
            }
        }
        return true;
    }

    /**
     * Prunes holders other than {@code requester}, newest data first, until {@code bytes} fit.
     *
     * @param refused counted when they still do not fit; null: count nothing
     */
    private boolean makeRoom(long bytes, Holder requester, Counter refused) {
        if (used.get() + bytes <= limit) {
            return true;
        }
        counters.inc(Counter.STACK_MEMORY_PRESSURE);
        Holder h = head;
        while (h != null && used.get() + bytes > limit) {
            Holder next = h.next;
            if (h != requester) {
                h.prune(used.get() + bytes - limit);
            }
            h = next;
        }
        if (used.get() + bytes <= limit) {
            return true;
        }
        if (refused != null) {
            counters.inc(refused);
        }
        return false;
    }

    /** Adds {@code h} to the holders pruned under pressure (once it holds something). Stack thread only. */
    public void register(Holder h) {
        if (h.registered) {
            return;
        }
        h.registered = true;
        h.prev = null;
        h.next = head;
        if (head != null) {
            head.prev = h;
        }
        head = h;
    }

    /** Removes {@code h} (it holds nothing prunable any more). Stack thread only. */
    public void unregister(Holder h) {
        if (!h.registered) {
            return;
        }
        h.registered = false;
        if (h.prev != null) {
            h.prev.next = h.next;
        } else {
            head = h.next;
        }
        if (h.next != null) {
            h.next.prev = h.prev;
        }
        h.prev = null;
        h.next = null;
    }

    /** Something holding prunable data (an out-of-order queue): linked into the budget's list without allocation. */
    public abstract static class Holder {
        private Holder prev;
        private Holder next;
        private boolean registered;

        /**
         * Discards held data, newest first, until at least {@code bytes} are freed or nothing is left; uncharges it.
         *
         * @return bytes freed
         */
        protected abstract long prune(long bytes);
    }

    @Override
    public String toString() {
        return "memory " + used.get() + "/" + limit + " bytes (peak " + peak.get() + ")";
    }
}

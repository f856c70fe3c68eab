package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The loopback link {@code lo}: a packet transmitted is receivable from the same link at once.
 *
 * <p>The queue is bounded ({@code queueCapacity} packets); when it is full {@link #transmit} releases the packet and
 * returns false. {@link #transmit} is safe from any thread (a lock-free bounded multi-producer queue, after Dmitry
 * Vyukov's); {@link #receive} and {@link #close} belong to the one stack thread. The wake-up runs on the transmitting
 * thread when a packet lands in an empty queue, so a consumer that found the queue empty is always woken.
 */
public final class LoopbackLink implements Link {
    private final int mtu;
    private final int capacity;
    /** Ring slots: the capacity, but at least 2 (Vyukov's sequences cannot tell full from free with one slot). */
    private final int slots;

    private final AtomicReferenceArray<ByteBuf> items;
    /** Vyukov sequence per slot: {@code pos} when free for position pos, {@code pos + 1} when holding it. */
    private final AtomicLongArray sequences;

    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();
    private volatile Runnable wakeup;
    private volatile boolean closed;

    /**
     * @param mtu the largest packet, in bytes, that the stack should send (not enforced here)
     * @param queueCapacity the most packets queued at once, positive
     */
    public LoopbackLink(int mtu, int queueCapacity) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu must be positive: " + mtu);
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.mtu = mtu;
        this.capacity = queueCapacity;
        this.slots = Math.max(2, queueCapacity);
        this.items = new AtomicReferenceArray<>(slots);
        this.sequences = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            sequences.set(i, i);
        }
    }

    @Override
    public String name() {
        return "lo";
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** The queue's capacity in packets. */
    public int queueCapacity() {
        return capacity;
    }

    /** The number of packets queued now (a snapshot when other threads transmit). */
    public int queued() {
        return (int) Math.max(0, Math.min(capacity, tail.get() - head.get()));
    }

    /** Packets dropped by {@link #transmit} because the queue was full or the link closed. */
    public long queueDrops() {
        return queueDrops.get();
    }

    /** Safe from any thread. Releases the packet and returns false if the queue is full or the link is closed. */
    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        if (closed) {
            queueDrops.incrementAndGet();
            packet.release();
            return false;
        }
        long pos = tail.get();
        int index;
        while (true) {
            index = (int) (pos % slots);
            long dif = sequences.get(index) - pos;
            if (dif == 0 && slots != capacity && pos - head.get() >= capacity) {
                dif = -1; // full: only the one-packet queue needs this check
            }
            if (dif == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    break;
                }
                pos = tail.get();
            } else if (dif < 0) {
                queueDrops.incrementAndGet();
                packet.release();
                return false;
            } else {
                pos = tail.get();
            }
        }
        items.set(index, packet);
        sequences.set(index, pos + 1);
        // Volatile write above, volatile read here: if the consumer stopped at pos, it has published head == pos.
        if (head.get() == pos) {
            Runnable w = wakeup;
            if (w != null) {
                w.run();
            }
        }
        return true;
    }

    /** Stack thread only. */
    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        int n = 0;
        while (n < max) {
            long pos = head.get();
            int index = (int) (pos % slots);
            if (sequences.get(index) != pos + 1) {
                break; // empty, or the next packet is claimed but not yet published
            }
            ByteBuf packet = items.get(index);
            items.set(index, null);
            sequences.set(index, pos + slots);
            head.set(pos + 1);
            n++;
            sink.accept(packet);
        }
        return n;
    }

    /** Always {@link Long#MAX_VALUE}: packets are receivable at once and the wake-up announces them. */
    @Override
    public long nextEventNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public void setWakeup(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    /** Stack thread only: refuses further packets and releases those queued. */
    @Override
    public void close() {
        closed = true;
        receive(ByteBuf::release, Integer.MAX_VALUE, 0);
    }
}

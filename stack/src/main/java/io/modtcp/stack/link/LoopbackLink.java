package io.modtcp.stack.link;

import io.modtcp.stack.wire.Ipv6Header;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The loopback link {@code lo}: a packet transmitted is receivable from the same link at once.
 *
 * <p>The ring is bounded ({@code queueCapacity} packets). What happens when it is full depends on the overflow bound:
 * with {@code maxOverflowBytes == 0} {@link #transmit} releases the packet and returns false (a device queue); with
 * a positive bound (the in-JVM loopback, {@link #inJvm}) the packet waits in an overflow queue behind the ring, in
 * order, until the stack thread receives it. Inside one process nothing needs to be lost: every packet on the
 * loopback was sent by the stack's own connections, so what waits is bounded by their send windows and the ACKs
 * they earn, and the stack drains the link before its timers run (so a burst of small writes costs no
 * retransmission, RFC 6298 §5 fires only for real silence). The overflow's bytes (buffer capacities) are still
 * capped: beyond {@code maxOverflowBytes}, for instance an ACK loop between two connections of the stack, packets
 * are dropped and counted as before.
 *
 * <p>Checksum offload ({@link #inJvm}): as Linux's {@code lo} ({@code NETIF_F_HW_CSUM}, its packets marked
 * {@code CHECKSUM_UNNECESSARY}), the link takes TCP packets with a partial checksum ({@link Offload#TX_CSUM}, through
 * {@link #transmitOffloaded}) and hands each back with {@link Offload#RX_CSUM_OK}: bytes that never leave the process
 * are neither summed when sent nor verified when received. Only those packets: one sent through {@link #transmit}
 * carries its full checksum and is verified, so a decorator that may damage packets (a {@link FaultLink} with
 * corruption, which offers no offload once faulty) still has the damage caught; a {@link TappedLink} over this link
 * offers no offload either, so a capture shows real checksums.
 *
 * <p>{@link #transmit} is safe from any thread (a lock-free bounded multi-producer ring, after Dmitry Vyukov's,
 * and a concurrent overflow queue); {@link #receive} and {@link #close} belong to the one stack thread. The wake-up
 * runs on the transmitting thread when a packet lands in an empty queue, so a consumer that found the queue empty is
 * always woken.
 */
public final class LoopbackLink implements Link {
    /** The overflow bound of {@link #inJvm}: 64 MiB of buffers waiting behind a full ring. */
    public static final long DEFAULT_MAX_OVERFLOW_BYTES = 64L << 20;
    /** The ring size of {@link #inJvm}. */
    public static final int DEFAULT_QUEUE_CAPACITY = 4096;

    /** Where the checksum field is in a TCP header (RFC 9293 §3.1). */
    private final int mtu;

    private final int capacity;
    /** Ring slots: the capacity, but at least 2 (Vyukov's sequences cannot tell full from free with one slot). */
    private final int slots;

    private final AtomicReferenceArray<ByteBuf> items;
    /** Per ring slot: whether its packet came through {@link #transmitOffloaded}; published by the slot's sequence. */
    private final boolean[] partial;

    private final boolean checksumOffload;
    /** Vyukov sequence per slot: {@code pos} when free for position pos, {@code pos + 1} when holding it. */
    private final AtomicLongArray sequences;

    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();

    private final long maxOverflowBytes;
    /** Packets behind a full ring, oldest first; non-empty only while {@link #overflowBytes} is positive. */
    private final ConcurrentLinkedQueue<ByteBuf> overflow = new ConcurrentLinkedQueue<>();
    /** Buffer capacity held by {@link #overflow}, counted before a packet is added and after it is taken. */
    private final AtomicLong overflowBytes = new AtomicLong();

    private final AtomicLong overflowed = new AtomicLong();
    private volatile Runnable wakeup;
    private volatile boolean closed;

    /**
     * A loopback that drops when its ring is full.
     *
     * @param mtu the largest packet, in bytes, that the stack should send (not enforced here)
     * @param queueCapacity the most packets queued at once, positive
     */
    public LoopbackLink(int mtu, int queueCapacity) {
        this(mtu, queueCapacity, 0);
    }

    /**
     * @param mtu the largest packet, in bytes, that the stack should send (not enforced here)
     * @param queueCapacity the packets the ring holds, positive
     * @param maxOverflowBytes the buffer bytes that may wait behind a full ring (0: drop when the ring is full)
     */
    public LoopbackLink(int mtu, int queueCapacity, long maxOverflowBytes) {
        this(mtu, queueCapacity, maxOverflowBytes, false);
    }

    /**
     * @param mtu the largest packet, in bytes, that the stack should send (not enforced here)
     * @param queueCapacity the packets the ring holds, positive
     * @param maxOverflowBytes the buffer bytes that may wait behind a full ring (0: drop when the ring is full)
     * @param checksumOffload whether TCP packets may carry a partial checksum, which is then never verified
     */
    public LoopbackLink(int mtu, int queueCapacity, long maxOverflowBytes, boolean checksumOffload) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu must be positive: " + mtu);
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        if (maxOverflowBytes < 0) {
            throw new IllegalArgumentException("maxOverflowBytes must not be negative: " + maxOverflowBytes);
        }
        this.mtu = mtu;
        this.capacity = queueCapacity;
        this.maxOverflowBytes = maxOverflowBytes;
        this.slots = Math.max(2, queueCapacity);
        this.items = new AtomicReferenceArray<>(slots);
        this.partial = new boolean[slots];
        this.checksumOffload = checksumOffload;
        this.sequences = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            sequences.set(i, i);
        }
    }

    /**
     * The in-JVM loopback: MTU 65535, a 4096-packet ring and {@link #DEFAULT_MAX_OVERFLOW_BYTES} behind it, with
     * checksum offload.
     */
    public static LoopbackLink inJvm() {
        return new LoopbackLink(65535, DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_OVERFLOW_BYTES, true);
    }

    /** {@link Offload#TX_CSUM} with checksum offload, else none. No TSO: the MTU is already the largest packet. */
    @Override
    public int txOffloads() {
        return checksumOffload ? Offload.TX_CSUM : 0;
    }

    /**
     * Queues a TCP packet whose checksum field holds the pseudo-header sum only; the receiver takes it with {@link
     * Offload#RX_CSUM_OK}. It is never larger than the MTU (no TSO is offered), so {@code segmentPayload} is unused.
     * Should it wait behind a full ring, its checksum is completed first (the overflow queue keeps no hints).
     */
    @Override
    public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        if (!checksumOffload) {
            packet.release();
            throw new UnsupportedOperationException(name() + " offers no transmit offload");
        }
        return enqueue(packet, true);
    }

    /** Completes a partial TCP checksum in software: a packet in the overflow queue carries no partial mark. */
    private static void completeChecksum(ByteBuf packet) {
        int at = packet.readerIndex();
        int version = packet.getUnsignedByte(at) >>> 4;
        int ipHeader = version == 4 ? (packet.getUnsignedByte(at) & 0x0f) * 4 : Ipv6Header.LENGTH;
        TcpHeader.completePartialChecksum(packet, at + ipHeader, packet.readableBytes() - ipHeader);
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

    /** The number of packets queued now, ring and overflow (a snapshot when other threads transmit). */
    public int queued() {
        return (int) Math.max(0, Math.min(capacity, tail.get() - head.get())) + overflow.size();
    }

    /** Packets dropped by {@link #transmit} because the queue (ring and overflow bound) was full or the link closed. */
    public long queueDrops() {
        return queueDrops.get();
    }

    /** Packets that waited in the overflow queue because the ring was full (none was lost for it). */
    public long overflowed() {
        return overflowed.get();
    }

    /**
     * Safe from any thread. Releases the packet and returns false if the link is closed or the queue is full: the
     * ring, and the overflow bound when there is one.
     */
    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        return enqueue(packet, false);
    }

    private boolean enqueue(ByteBuf packet, boolean partialChecksum) {
        if (closed) {
            queueDrops.incrementAndGet();
            packet.release();
            return false;
        }
        // Once packets wait in the overflow, later ones queue behind them: the loopback keeps its order.
        if (overflowBytes.get() > 0 || !offerToRing(packet, partialChecksum)) {
            if (partialChecksum) {
                completeChecksum(packet);
            }
            return offerToOverflow(packet);
        }
        return true;
    }

    private boolean offerToRing(ByteBuf packet, boolean partialChecksum) {
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
                return false;
            } else {
                pos = tail.get();
            }
        }
        items.set(index, packet);
        partial[index] = partialChecksum; // published by the volatile write of the sequence below
        sequences.set(index, pos + 1);
        // Volatile write above, volatile read here: if the consumer stopped at pos, it has published head == pos.
        if (head.get() == pos) {
            wake();
        }
        return true;
    }

    private boolean offerToOverflow(ByteBuf packet) {
        long size = Math.max(1, packet.capacity());
        if (maxOverflowBytes == 0 || overflowBytes.addAndGet(size) > maxOverflowBytes) {
            if (maxOverflowBytes != 0) {
                overflowBytes.addAndGet(-size);
            }
            queueDrops.incrementAndGet();
            packet.release();
            return false;
        }
        overflow.add(packet);
        overflowed.incrementAndGet();
        if (closed) {
            // close() may have drained the overflow before this packet landed: take back what is left.
            drainOverflow(ByteBuf::release, Integer.MAX_VALUE);
        }
        wake();
        return true;
    }

    private void wake() {
        Runnable w = wakeup;
        if (w != null) {
            w.run();
        }
    }

    /** Stack thread only. The ring first, then what waits behind it, in the order transmitted. */
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
            boolean partialChecksum = partial[index];
            items.set(index, null);
            sequences.set(index, pos + slots);
            head.set(pos + 1);
            n++;
            sink.accept(packet, partialChecksum ? Offload.RX_CSUM_OK : 0);
        }
        if (n < max && overflowBytes.get() > 0) {
            n += drainOverflow(sink, max - n);
        }
        return n;
    }

    private int drainOverflow(PacketSink sink, int max) {
        int n = 0;
        while (n < max) {
            ByteBuf packet = overflow.poll();
            if (packet == null) {
                break;
            }
            overflowBytes.addAndGet(-Math.max(1, packet.capacity()));
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

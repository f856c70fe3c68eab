package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Two in-memory links wired back to back for the deterministic simulation of two stacks: what {@link #a()} transmits,
 * {@link #b()} receives, and vice versa. Each direction injects the faults of its {@link FaultModel}.
 *
 * <p>Deterministic: the only randomness is one {@link SplittableRandom} per direction, both split from
 * {@code new SplittableRandom(seed)} (a→b first), and time is only the {@code nowNs} passed in. The same seed and the
 * same sequence of calls therefore give the same packets at the same times. A packet is receivable once
 * {@code nowNs >= deliveryNs}; {@link Link#nextEventNs()} is the exact earliest pending delivery time. Packets with
 * equal delivery times arrive in transmit order.
 *
 * <p>Packets pass by reference (no copy) unless corrupted or duplicated: a corrupted packet is a copy with one bit
 * flipped (the sender's buffer, perhaps a slice of its retransmission queue, is never written), and a duplicate is a
 * copy. Each transmit that queues a packet runs the receiving link's wake-up on the transmitting thread.
 *
 * <p>Thread-safety: each direction is guarded by its own lock, so two stack threads may drive the two ends. Sinks run
 * outside the locks.
 */
public final class LinkPair implements AutoCloseable {
    private final End a;
    private final End b;

    private LinkPair(int mtu, FaultModel aToB, FaultModel bToA, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        Direction ab = new Direction(aToB, root.split());
        Direction ba = new Direction(bToA, root.split());
        this.a = new End("pair-a", mtu, ab, ba);
        this.b = new End("pair-b", mtu, ba, ab);
        ab.receiver = b;
        ba.receiver = a;
    }

    /**
     * Creates a pair.
     *
     * @param mtu the MTU both links report (not enforced)
     * @param aToB the faults of the direction from {@link #a()} to {@link #b()}
     * @param bToA the faults of the direction from {@link #b()} to {@link #a()}
     * @param seed the seed of all randomness
     */
    public static LinkPair create(int mtu, FaultModel aToB, FaultModel bToA, long seed) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu must be positive: " + mtu);
        }
        return new LinkPair(mtu, aToB, bToA, seed);
    }

    /** The link named {@code pair-a}. */
    public Link a() {
        return a;
    }

    /** The link named {@code pair-b}. */
    public Link b() {
        return b;
    }

    /** Counters of the direction a→b. */
    public LinkStats statsAToB() {
        return a.out.stats;
    }

    /** Counters of the direction b→a. */
    public LinkStats statsBToA() {
        return b.out.stats;
    }

    /** Packets in flight a→b now. */
    public int inFlightAToB() {
        return a.out.size();
    }

    /** Packets in flight b→a now. */
    public int inFlightBToA() {
        return b.out.size();
    }

    /** The earlier of both links' next events. */
    public long nextEventNs() {
        return Math.min(a.nextEventNs(), b.nextEventNs());
    }

    /** Closes both links, releasing every packet in flight. */
    @Override
    public void close() {
        a.close();
        b.close();
    }

    /** One packet in flight. */
    private record InFlight(long deliveryNs, long order, ByteBuf packet) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight o) {
            return deliveryNs != o.deliveryNs ? Long.compare(deliveryNs, o.deliveryNs) : Long.compare(order, o.order);
        }
    }

    /** One direction: the faults, the random source and the packets in flight. */
    private static final class Direction {
        final FaultModel model;
        final SplittableRandom random;
        final LinkStats stats = new LinkStats();
        final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();
        End receiver;
        long order;
        final NetemTiming timing = new NetemTiming();
        boolean closed;

        Direction(FaultModel model, SplittableRandom random) {
            this.model = model;
            this.random = random;
        }

        synchronized int size() {
            return inFlight.size();
        }

        /** @return false if the packet was dropped for lack of room (or a closed end) */
        synchronized boolean transmit(ByteBuf packet, long nowNs) {
            stats.onSent();
            if (closed || inFlight.size() >= model.queueCapacity()) {
                stats.onQueueDrop();
                packet.release();
                return false;
            }
            // Fixed draws per packet so one rate does not shift the others' random stream.
            boolean lose = random.nextDouble() < model.lossRate();
            boolean duplicate = random.nextDouble() < model.duplicateRate();
            boolean reorder = random.nextDouble() < model.reorderRate();
            boolean corrupt = random.nextDouble() < model.corruptRate();
            long jitterNs = model.jitterNs() == 0 ? 0 : random.nextLong(model.jitterNs() + 1);
            if (lose) {
                stats.onLost();
                packet.release();
                return true;
            }
            int length = packet.readableBytes();
            long deliveryNs = timing.deliveryNs(model, nowNs, length, jitterNs, reorder);
            if (reorder) {
                stats.onReordered();
            }
            ByteBuf delivered = packet;
            if (corrupt && length > 0) {
                stats.onCorrupted();
                delivered = packet.copy();
                packet.release();
                NetemTiming.flipBit(delivered, random.nextInt(length * 8));
            }
            inFlight.add(new InFlight(deliveryNs, order++, delivered));
            if (duplicate) {
                if (inFlight.size() < model.queueCapacity()) {
                    stats.onDuplicated();
                    inFlight.add(new InFlight(deliveryNs, order++, delivered.copy()));
                } else {
                    stats.onQueueDrop();
                }
            }
            return true;
        }

        /** The next packet receivable at {@code nowNs}, or null. */
        synchronized ByteBuf poll(long nowNs) {
            InFlight head = inFlight.peek();
            if (head == null || head.deliveryNs > nowNs) {
                return null;
            }
            inFlight.poll();
            stats.onDelivered();
            return head.packet;
        }

        synchronized long nextEventNs() {
            InFlight head = inFlight.peek();
            return head == null ? Long.MAX_VALUE : head.deliveryNs;
        }

        synchronized void close() {
            closed = true;
            for (InFlight f : inFlight) {
                f.packet.release();
            }
            inFlight.clear();
        }
    }

    /** One end: transmits into {@code out}, receives from {@code in}. */
    private static final class End implements Link {
        final String name;
        final int mtu;
        final Direction out;
        final Direction in;
        volatile Runnable wakeup;
        volatile boolean closed;

        End(String name, int mtu, Direction out, Direction in) {
            this.name = name;
            this.mtu = mtu;
            this.out = out;
            this.in = in;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public boolean transmit(ByteBuf packet, long nowNs) {
            if (closed) {
                packet.release();
                return false;
            }
            boolean queued = out.transmit(packet, nowNs);
            if (queued) {
                Runnable w = out.receiver.wakeup;
                if (w != null) {
                    w.run();
                }
            }
            return queued;
        }

        @Override
        public int receive(PacketSink sink, int max, long nowNs) {
            int n = 0;
            while (n < max) {
                ByteBuf packet = in.poll(nowNs);
                if (packet == null) {
                    break;
                }
                n++;
                sink.accept(packet);
            }
            return n;
        }

        @Override
        public long nextEventNs() {
            return in.nextEventNs();
        }

        @Override
        public void setWakeup(Runnable wakeup) {
            this.wakeup = wakeup;
        }

        /** Refuses further transmits and releases the packets in flight towards this end (later ones are dropped). */
        @Override
        public void close() {
            closed = true;
            in.close();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}

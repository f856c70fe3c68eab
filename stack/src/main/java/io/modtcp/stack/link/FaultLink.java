package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;
import java.util.PriorityQueue;

/**
 * A link that injects the faults of a {@link FaultModel} into what the stack transmits on the link it wraps (egress,
 * as Linux netem does on a device), for testing applications under loss, delay and reordering: on the in-JVM loopback
 * every packet crosses it once, on a TUN link what modtcp sends does.
 *
 * <p><b>Reproducible by seed, whatever the timing.</b> A real-time run does not send the same packets in the same
 * order twice (an ACK delayed or not, a timer firing before or after a write), so a random stream drawn per packet
 * would shift after the first difference. Instead each packet's draws come from a hash of the seed and the packet's
 * identity: for TCP, the direction (initiator or responder, learnt from the SYN), the sequence and acknowledgment
 * numbers relative to the two initial sequence numbers (learnt from the SYNs), the SYN/FIN/RST/ACK flags and the
 * payload length, and how many times that identity was seen since {@link #configure} (so a retransmission gets a
 * draw of its own); ports, absolute sequence numbers, timestamps and windows are left out. The same seed therefore
 * drops the same segments of the same conversation even in another run, on other ephemeral ports and ISNs. Other
 * packets hash their first 64 bytes. Pure ACKs (no data, SYN, FIN or RST), whose number depends on timing, only wait
 * out the delay and rate unless {@link #configure(FaultModel, long, boolean)} says otherwise. Retransmissions sent
 * by a timer are timing too (a probe sent early on a slow JVM), so the reproducible figures are those of first sends:
 * {@link #lostFirstSends()} and {@link #lostFingerprint()}.
 *
 * <p>Per packet, as in {@link LinkPair}: tail drop when {@code queueCapacity} packets (or {@link #MAX_HELD_BYTES})
 * are held; loss; the rate's serialization delay; {@code delayNs} plus a uniform jitter in {@code [0, jitterNs]};
 * reordering (an extra {@code reorderDelayNs}, outside the FIFO order) or FIFO order; corruption (one bit flipped, in
 * a copy); duplication (a copy right after the original).
 *
 * <p>Delayed packets wait in a bounded queue and are handed to the inner link by the stack thread itself, in {@link
 * #receive} and {@link #transmit} once due; {@link #nextEventNs()} reports the earliest, so the stack thread wakes
 * for it (no thread of its own). Stack thread only, except {@link #stats()}, which any thread may read.
 */
public final class FaultLink extends ForwardingLink {
    /** The most buffer bytes held for delay at once; beyond, packets are dropped and counted as queue drops. */
    public static final long MAX_HELD_BYTES = 64L << 20;

    /** Flow table slots (ISNs per direction); cleared when three quarters full, so it stays bounded. */
    private static final int FLOW_SLOTS = 1 << 13;
    /** Identities seen (with their counts) at most; cleared when three quarters full, so it stays bounded. */
    private static final int OCCURRENCE_SLOTS = 1 << 15;

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;

    private FaultModel model = FaultModel.NONE;
    private long seed;
    private boolean passThrough = true;
    private boolean faultPureAcks;
    /** Whether the packet being handled is a pure ACK (set by {@link #identity}). */
    private boolean pureAck;

    private boolean everFaulty;
    private volatile LinkStats stats = new LinkStats();

    private final PriorityQueue<Held> held = new PriorityQueue<>();
    private long heldBytes;
    private long order;
    private final NetemTiming timing = new NetemTiming();

    private final long[] flowKeys = new long[FLOW_SLOTS];
    private final int[] flowIsn = new int[FLOW_SLOTS];
    private final boolean[] flowInitiator = new boolean[FLOW_SLOTS];
    private int flowCount;
    private final long[] occurrenceKeys = new long[OCCURRENCE_SLOTS];
    private final int[] occurrences = new int[OCCURRENCE_SLOTS];
    private int identitiesSeen;

    /** The draw state of the packet being handled (SplitMix64), and its identity with its occurrence. */
    private long draw;

    private long drawKey;
    /** Whether the packet being handled is the first of its identity since {@link #configure}. */
    private boolean firstSend;
    /**
     * The sum of the {@link #drawKey}s of the packets lost on their first send since {@link #configure}: which
     * packets, in any order.
     */
    private volatile long lostFingerprint;
    /** Packets lost on their first send since {@link #configure}. */
    private volatile long lostFirstSends;

    /** @param inner the link to wrap; this link takes its place. No fault until {@link #configure}. */
    public FaultLink(Link inner) {
        super(inner);
    }

    /**
     * Stack thread only. Applies {@code model} with {@code seed} to packets transmitted from now on, and starts fresh
     * counters ({@link #stats()}) and occurrence counts, so the same traffic after the same call draws the same
     * faults. Packets already held keep their delivery times.
     */
    public void configure(FaultModel model, long seed) {
        configure(model, seed, false);
    }

    /**
     * As {@link #configure(FaultModel, long)}; with {@code pureAcks} the loss, duplication, reordering and corruption
     * rates apply to pure ACKs too (TCP segments with neither data nor SYN, FIN or RST). By default they only wait
     * out the delay and rate: how many pure ACKs a connection sends depends on timing (an ACK delayed, or carried by
     * data sent in time), so faults drawn for them would make two runs of the same traffic differ.
     */
    public void configure(FaultModel model, long seed, boolean pureAcks) {
        this.model = java.util.Objects.requireNonNull(model);
        this.seed = seed;
        this.faultPureAcks = pureAcks;
        this.passThrough = model.lossRate() == 0
                && model.duplicateRate() == 0
                && model.reorderRate() == 0
                && model.corruptRate() == 0
                && model.delayNs() == 0
                && model.jitterNs() == 0
                && model.rateBitsPerSecond() == 0;
        if (!passThrough) {
            everFaulty = true;
        }
        java.util.Arrays.fill(occurrenceKeys, 0);
        identitiesSeen = 0;
        timing.resetDeparture();
        lostFingerprint = 0;
        lostFirstSends = 0;
        stats = new LinkStats();
    }

    /** The faults in effect. */
    public FaultModel model() {
        return model;
    }

    /** The counters since the last {@link #configure}; live, readable from any thread. */
    public LinkStats stats() {
        return stats;
    }

    /**
     * Packets lost on their first send (the first of their identity) since {@link #configure}. Unlike all losses
     * ({@link #stats()}), which count the loss of timing-dependent retransmissions (a spurious retransmission timeout
     * or tail loss probe) too, this is the same in two runs of the same traffic with the same seed. Any thread.
     */
    public long lostFirstSends() {
        return lostFirstSends;
    }

    /**
     * An order-independent fingerprint of which packets {@link #lostFirstSends()} counts (their identities, see the
     * class comment): two runs that lost the same segments have the same fingerprint; 0 when none. Any thread.
     */
    public long lostFingerprint() {
        return lostFingerprint;
    }

    /** Packets held for delay now. */
    public int held() {
        return held.size();
    }

    /**
     * The inner link's offloads until a fault is first configured, none from then on (faults apply to segments, so
     * the stack must not hand over super-segments; the set may shrink, never grow, as {@link Link} requires).
     */
    @Override
    public int txOffloads() {
        return everFaulty ? 0 : inner().txOffloads();
    }

    @Override
    public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        return inner().transmitOffloaded(packet, segmentPayload, nowNs);
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        releaseDue(nowNs);
        FaultModel m = model;
        if (passThrough) {
            return inner().transmit(packet, nowNs);
        }
        LinkStats s = stats;
        s.onSent();
        int length = packet.readableBytes();
        if (held.size() >= m.queueCapacity() || heldBytes + length > MAX_HELD_BYTES) {
            s.onQueueDrop();
            packet.release();
            return false;
        }
        long identity = identity(packet);
        boolean exempt = pureAck && !faultPureAcks;
        startDraws(identity, exempt);
        // Fixed draws per packet, in LinkPair's order, so one rate does not shift the others.
        boolean lose = nextDouble() < m.lossRate() && !exempt;
        boolean duplicate = nextDouble() < m.duplicateRate() && !exempt;
        boolean reorder = nextDouble() < m.reorderRate() && !exempt;
        boolean corrupt = nextDouble() < m.corruptRate() && !exempt;
        long jitterNs = m.jitterNs() == 0 ? 0 : Long.remainderUnsigned(nextLong(), m.jitterNs() + 1);
        if (lose) {
            s.onLost();
            if (firstSend) {
                lostFingerprint += drawKey; // the stack thread is the only writer
                lostFirstSends++;
            }
            packet.release();
            return true;
        }
        long deliveryNs = timing.deliveryNs(m, nowNs, length, jitterNs, reorder);
        if (reorder) {
            s.onReordered();
        }
        ByteBuf delivered = packet;
        if (corrupt && length > 0) {
            s.onCorrupted();
            delivered = packet.copy();
            packet.release();
            NetemTiming.flipBit(delivered, (int) Long.remainderUnsigned(nextLong(), length * 8L));
        }
        ByteBuf copy = null;
        if (duplicate) {
            if (held.size() + 1 < m.queueCapacity() && heldBytes + 2L * length <= MAX_HELD_BYTES) {
                s.onDuplicated();
                copy = delivered.copy();
            } else {
                s.onQueueDrop();
            }
        }
        boolean ok = deliver(delivered, deliveryNs, nowNs, s);
        if (copy != null) {
            deliver(copy, deliveryNs, nowNs, s);
        }
        return ok;
    }

    private boolean deliver(ByteBuf packet, long deliveryNs, long nowNs, LinkStats s) {
        if (deliveryNs - nowNs <= 0 && held.isEmpty()) {
            s.onDelivered();
            return inner().transmit(packet, nowNs);
        }
        held.add(new Held(deliveryNs, order++, packet));
        heldBytes += packet.readableBytes();
        return true;
    }

    /** Hands the held packets due by {@code nowNs} to the inner link, earliest first. */
    private void releaseDue(long nowNs) {
        Held h;
        while ((h = held.peek()) != null && h.deliveryNs - nowNs <= 0) {
            held.poll();
            heldBytes -= h.packet.readableBytes();
            stats.onDelivered();
            inner().transmit(h.packet, nowNs);
        }
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        releaseDue(nowNs);
        return inner().receive(sink, max, nowNs);
    }

    @Override
    public long nextEventNs() {
        Held h = held.peek();
        long inner = inner().nextEventNs();
        return h == null ? inner : Math.min(inner, h.deliveryNs);
    }

    /** Releases the held packets, then closes the inner link. */
    @Override
    public void close() {
        Held h;
        while ((h = held.poll()) != null) {
            h.packet.release();
        }
        heldBytes = 0;
        super.close();
    }

    // ---- the per-packet draws -------------------------------------------------------------------------------------

    /** Seeds the draws of one packet; an exempt one (a pure ACK) leaves the occurrence counts as they are. */
    private void startDraws(long identity, boolean exempt) {
        int occurrence = exempt ? 0 : nextOccurrence(identity);
        firstSend = occurrence == 0;
        drawKey = mix(identity ^ mix(occurrence + 0x3c6ef372fe94f82bL));
        draw = mix(seed ^ 0x6a09e667f3bcc909L) ^ drawKey;
    }

    /** How many times {@code identity} was seen before (exact, until the table is cleared), and counts this one. */
    private int nextOccurrence(long identity) {
        long k = identity == 0 ? 1 : identity;
        int i = (int) (mix(k) & (OCCURRENCE_SLOTS - 1));
        while (occurrenceKeys[i] != 0 && occurrenceKeys[i] != k) {
            i = (i + 1) & (OCCURRENCE_SLOTS - 1);
        }
        if (occurrenceKeys[i] == 0) {
            if (identitiesSeen >= OCCURRENCE_SLOTS * 3 / 4) {
                java.util.Arrays.fill(occurrenceKeys, 0);
                identitiesSeen = 0;
                return nextOccurrence(identity);
            }
            occurrenceKeys[i] = k;
            occurrences[i] = 0;
            identitiesSeen++;
        }
        return occurrences[i]++;
    }

    private long nextLong() {
        draw += 0x9e3779b97f4a7c15L;
        return mix(draw);
    }

    private double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The packet's identity for the draws (see the class comment). Never reads past the readable bytes. */
    private long identity(ByteBuf p) {
        pureAck = false;
        int base = p.readerIndex();
        int len = p.readableBytes();
        if (len >= 1) {
            int version = (p.getByte(base) & 0xff) >>> 4;
            if (version == 4 && len >= 20) {
                int ihl = (p.getByte(base) & 0x0f) * 4;
                int total = p.getUnsignedShort(base + 2);
                boolean firstFragment = (p.getUnsignedShort(base + 6) & 0x1fff) == 0;
                if (p.getByte(base + 9) == 6 && firstFragment && ihl >= 20 && total <= len && total >= ihl + 20) {
                    long flow = mix(p.getInt(base + 12)) + mix(p.getInt(base + 16));
                    return tcpIdentity(p, base + ihl, total - ihl, flow);
                }
            } else if (version == 6 && len >= 60) {
                int total = 40 + p.getUnsignedShort(base + 4);
                if (p.getByte(base + 6) == 6 && total <= len) {
                    long flow = mix(mix(p.getLong(base + 8)) ^ p.getLong(base + 16))
                            + mix(mix(p.getLong(base + 24)) ^ p.getLong(base + 32));
                    return tcpIdentity(p, base + 40, total - 40, flow);
                }
            }
        }
        long h = 0x510e527fade682d1L ^ len;
        int n = Math.min(len, 64);
        for (int i = 0; i < n; i++) {
            h = mix(h ^ p.getByte(base + i));
        }
        return h;
    }

    private long tcpIdentity(ByteBuf p, int tcp, int tcpLength, long addresses) {
        int dataOffset = ((p.getByte(tcp + 12) & 0xff) >>> 4) * 4;
        if (dataOffset < 20 || dataOffset > tcpLength) {
            return mix(addresses ^ tcpLength);
        }
        int ports = p.getInt(tcp);
        int seq = p.getInt(tcp + 4);
        int ack = p.getInt(tcp + 8);
        int flags = p.getByte(tcp + 13) & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK);
        int payload = tcpLength - dataOffset;
        pureAck = flags == TCP_ACK && payload == 0;
        // The addresses' hash is symmetric, so the reverse direction's key differs only by the ports' order.
        long out = mix(addresses ^ ((long) ports << 1));
        long back = mix(addresses ^ ((long) Integer.rotateLeft(ports, 16) << 1));
        if ((flags & TCP_SYN) != 0) {
            remember(out, seq, (flags & TCP_ACK) == 0);
        }
        int outSlot = find(out);
        int backSlot = find(back);
        long direction;
        int relSeq;
        if (outSlot >= 0) {
            direction = flowInitiator[outSlot] ? 1 : 2;
            relSeq = seq - flowIsn[outSlot];
        } else {
            direction = out; // a flow whose SYN this link did not see: absolute values, still deterministic
            relSeq = seq;
        }
        int relAck = (flags & TCP_ACK) == 0 ? 0 : backSlot >= 0 ? ack - flowIsn[backSlot] : ack;
        return mix(
                mix(direction * 0x9e3779b97f4a7c15L ^ relSeq) ^ ((long) relAck << 32 | flags) ^ ((long) payload << 8));
    }

    private void remember(long key, int isn, boolean initiator) {
        long k = key == 0 ? 1 : key;
        if (find(k) < 0 && flowCount >= FLOW_SLOTS * 3 / 4) {
            java.util.Arrays.fill(flowKeys, 0);
            flowCount = 0;
        }
        int i = (int) (k & (FLOW_SLOTS - 1));
        while (flowKeys[i] != 0 && flowKeys[i] != k) {
            i = (i + 1) & (FLOW_SLOTS - 1);
        }
        if (flowKeys[i] == 0) {
            flowKeys[i] = k;
            flowCount++;
        }
        flowIsn[i] = isn;
        flowInitiator[i] = initiator;
    }

    private int find(long key) {
        long k = key == 0 ? 1 : key;
        int i = (int) (k & (FLOW_SLOTS - 1));
        while (flowKeys[i] != 0) {
            if (flowKeys[i] == k) {
                return i;
            }
            i = (i + 1) & (FLOW_SLOTS - 1);
        }
        return -1;
    }

    /** One packet held for delay. */
    private record Held(long deliveryNs, long order, ByteBuf packet) implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            return deliveryNs != o.deliveryNs ? Long.compare(deliveryNs, o.deliveryNs) : Long.compare(order, o.order);
        }
    }
}

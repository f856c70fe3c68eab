package io.modtcp.stack.link;

import java.util.function.Consumer;

/**
 * The faults one direction of a {@link LinkPair} injects, in the manner of Linux netem. Immutable; start from
 * {@link #NONE} and derive with the {@code with…} methods, e.g.
 * {@code FaultModel.NONE.withDelayNs(10_000_000).withLossRate(0.01)}.
 *
 * <p>Per packet, in this order: tail drop when {@code queueCapacity} packets are already in flight; loss; the
 * serialization delay of the rate limit ({@code departure = max(now, lastDeparture) + ceil(bits * 1e9 / rate)});
 * the fixed {@code delayNs} plus a uniform jitter in {@code [0, jitterNs]}; then either reordering (an extra
 * {@code reorderDelayNs}, free of the FIFO order) or FIFO order (never delivered before the previous FIFO packet);
 * corruption (one random bit flipped, in a copy); duplication (a copy delivered right after the original).
 *
 * @param lossRate probability in [0, 1] that a packet is lost
 * @param duplicateRate probability in [0, 1] that a packet is delivered twice
 * @param reorderRate probability in [0, 1] that a packet leaves the FIFO order and waits {@code reorderDelayNs} more
 * @param reorderDelayNs the extra delay of a reordered packet, {@code >= 0}
 * @param corruptRate probability in [0, 1] that one bit of the packet is flipped
 * @param delayNs the fixed one-way delay, {@code >= 0}
 * @param jitterNs the largest extra delay, uniform in {@code [0, jitterNs]}, {@code >= 0}
 * @param rateBitsPerSecond the link rate; 0 means unlimited (no serialization delay)
 * @param queueCapacity the most packets in flight in this direction; more are dropped and counted, {@code > 0}
 */
public record FaultModel(
        double lossRate,
        double duplicateRate,
        double reorderRate,
        long reorderDelayNs,
        double corruptRate,
        long delayNs,
        long jitterNs,
        long rateBitsPerSecond,
        int queueCapacity) {

    /** The default number of packets in flight per direction. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1 << 16;

    /** A perfect link: no fault, no delay, unlimited rate, {@link #DEFAULT_QUEUE_CAPACITY} packets in flight. */
    public static final FaultModel NONE = new FaultModel(0, 0, 0, 0, 0, 0, 0, 0, DEFAULT_QUEUE_CAPACITY);

    /** Checks every component. */
    public FaultModel {
        checkRate("lossRate", lossRate);
        checkRate("duplicateRate", duplicateRate);
        checkRate("reorderRate", reorderRate);
        checkRate("corruptRate", corruptRate);
        checkNonNegative("reorderDelayNs", reorderDelayNs);
        checkNonNegative("delayNs", delayNs);
        checkNonNegative("jitterNs", jitterNs);
        checkNonNegative("rateBitsPerSecond", rateBitsPerSecond);
        if (jitterNs == Long.MAX_VALUE) {
            throw new IllegalArgumentException("jitterNs too large");
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
    }

    /** A copy with this loss rate. */
    public FaultModel withLossRate(double rate) {
        return new Draft(this).set(d -> d.lossRate = rate);
    }

    /** A copy with this duplication rate. */
    public FaultModel withDuplicateRate(double rate) {
        return new Draft(this).set(d -> d.duplicateRate = rate);
    }

    /** A copy with this reordering rate. */
    public FaultModel withReorderRate(double rate) {
        return new Draft(this).set(d -> d.reorderRate = rate);
    }

    /** A copy with this extra delay for reordered packets. */
    public FaultModel withReorderDelayNs(long ns) {
        return new Draft(this).set(d -> d.reorderDelayNs = ns);
    }

    /** A copy that reorders {@code rate} of the packets by delaying them {@code extraDelayNs} more. */
    public FaultModel withReorder(double rate, long extraDelayNs) {
        return withReorderRate(rate).withReorderDelayNs(extraDelayNs);
    }

    /** A copy with this corruption rate. */
    public FaultModel withCorruptRate(double rate) {
        return new Draft(this).set(d -> d.corruptRate = rate);
    }

    /** A copy with this fixed one-way delay. */
    public FaultModel withDelayNs(long ns) {
        return new Draft(this).set(d -> d.delayNs = ns);
    }

    /** A copy with this jitter bound. */
    public FaultModel withJitterNs(long ns) {
        return new Draft(this).set(d -> d.jitterNs = ns);
    }

    /** A copy with this rate limit (0 = unlimited). */
    public FaultModel withRateBitsPerSecond(long bitsPerSecond) {
        return new Draft(this).set(d -> d.rateBitsPerSecond = bitsPerSecond);
    }

    /** A copy with this many packets in flight at most. */
    public FaultModel withQueueCapacity(int packets) {
        return new Draft(this).set(d -> d.queueCapacity = packets);
    }

    /** A mutable copy, for the {@code with…} methods: one field changed, the rest as they were, checked again. */
    private static final class Draft {
        double lossRate;
        double duplicateRate;
        double reorderRate;
        long reorderDelayNs;
        double corruptRate;
        long delayNs;
        long jitterNs;
        long rateBitsPerSecond;
        int queueCapacity;

        Draft(FaultModel m) {
            lossRate = m.lossRate;
            duplicateRate = m.duplicateRate;
            reorderRate = m.reorderRate;
            reorderDelayNs = m.reorderDelayNs;
            corruptRate = m.corruptRate;
            delayNs = m.delayNs;
            jitterNs = m.jitterNs;
            rateBitsPerSecond = m.rateBitsPerSecond;
            queueCapacity = m.queueCapacity;
        }

        FaultModel set(Consumer<Draft> change) {
            change.accept(this);
            return new FaultModel(
                    lossRate,
                    duplicateRate,
                    reorderRate,
                    reorderDelayNs,
                    corruptRate,
                    delayNs,
                    jitterNs,
                    rateBitsPerSecond,
                    queueCapacity);
        }
    }

    private static void checkRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1]: " + rate);
        }
    }

    private static void checkNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0: " + value);
        }
    }
}

package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;

/**
 * The netem arithmetic of one direction of a faulty link ({@link LinkPair}, {@link FaultLink}): the serialization delay
 * of the rate limit, the fixed delay plus the packet's jitter, then either the reordering delay or FIFO order; and the
 * one-bit corruption. The random draws stay with the links (each has its own draw order, which seeded runs depend on);
 * this class is given their results.
 */
final class NetemTiming {
    private long lastDepartureNs = Long.MIN_VALUE;
    private long lastFifoDeliveryNs = Long.MIN_VALUE;

    /**
     * When a packet of {@code length} bytes sent at {@code nowNs} is delivered: {@code departure = max(now,
     * lastDeparture) + ceil(bits * 1e9 / rate)} (with a rate limit), plus {@code delayNs} and {@code jitterNs}; then
     * plus {@code reorderDelayNs} if {@code reorder}, else never before the previous FIFO packet.
     */
    long deliveryNs(FaultModel m, long nowNs, int length, long jitterNs, boolean reorder) {
        long departureNs = nowNs;
        if (m.rateBitsPerSecond() > 0) {
            departureNs = Math.max(nowNs, lastDepartureNs) + serializationNs(length, m.rateBitsPerSecond());
            lastDepartureNs = departureNs;
        }
        long deliveryNs = departureNs + m.delayNs() + jitterNs;
        if (reorder) {
            deliveryNs += m.reorderDelayNs();
        } else {
            deliveryNs = Math.max(deliveryNs, lastFifoDeliveryNs);
            lastFifoDeliveryNs = deliveryNs;
        }
        return deliveryNs;
    }

    /** Forgets the rate limit's last departure (a new model starts with an idle line); FIFO order is kept. */
    void resetDeparture() {
        lastDepartureNs = Long.MIN_VALUE;
    }

    /** {@code ceil(bits * 1e9 / rate)}. */
    static long serializationNs(int bytes, long bitsPerSecond) {
        long bits = 8L * bytes;
        try {
            long scaled = Math.multiplyExact(bits, 1_000_000_000L);
            return scaled / bitsPerSecond + (scaled % bitsPerSecond == 0 ? 0 : 1);
        } catch (ArithmeticException e) {
            return (long) Math.ceil(bits * 1e9 / bitsPerSecond);
        }
    }

    /** Flips bit {@code bit} (counted from the first readable byte, low bit first) of {@code packet}. */
    static void flipBit(ByteBuf packet, int bit) {
        int index = packet.readerIndex() + (bit >>> 3);
        packet.setByte(index, packet.getByte(index) ^ (1 << (bit & 7)));
    }
}

package io.modtcp.stack.tcp.delivery;

/**
 * When an ACK is owed (RFC 1122 §4.2.3.2, RFC 5681 §4.2): at once, or by the delayed-ACK timer. Part of
 * ReliableOrderedDelivery; its rules are documented on the methods there that delegate here.
 */
final class AckGenerator {
    private boolean ackNow;
    /** TCP_QUICKACK set on: every in-order segment is acknowledged at once. */
    private boolean quickAck;

    private long delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
    /** A segment shorter than a full one is among those not yet acknowledged: the end of the sender's burst. */
    private boolean shortSegmentUnacked;

    /** In-order data bytes received since our last ACK (the delayed-ACK rule counts bytes, not packets). */
    private long unackedBytes;

    void quickAck(boolean on) {
        quickAck = on;
        if (on && delayedAckDeadlineNs != ReliableOrderedDelivery.NO_DEADLINE) {
            delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
            ackNow = true;
        }
    }

    void ackOwed(boolean immediate, int segmentBytes, int mss, long nowNs, long delayedAckNs) {
        if (immediate || quickAck) {
            ackNow = true;
            return;
        }
        if (segmentBytes > 0 && segmentBytes < mss) {
            shortSegmentUnacked = true;
        }
        unackedBytes += Math.max(0, segmentBytes);
        if (unackedBytes >= 2L * mss) {
            ackNow = true;
        } else if (delayedAckDeadlineNs == ReliableOrderedDelivery.NO_DEADLINE) {
            delayedAckDeadlineNs = nowNs + delayedAckNs;
        }
    }

    boolean onReceiveQueueDrained() {
        if (delayedAckDeadlineNs == ReliableOrderedDelivery.NO_DEADLINE || !shortSegmentUnacked) {
            return false;
        }
        delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
        ackNow = true;
        return true;
    }

    void onDelayedAckExpired() {
        delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
        ackNow = true;
    }

    void onAckSent() {
        ackNow = false;
        unackedBytes = 0;
        shortSegmentUnacked = false;
        delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
    }

    void stop() {
        delayedAckDeadlineNs = ReliableOrderedDelivery.NO_DEADLINE;
    }

    boolean ackNow() {
        return ackNow;
    }

    long delayedAckDeadlineNs() {
        return delayedAckDeadlineNs;
    }
}

package io.modtcp.stack.link;

/**
 * Counters of one direction of a {@link LinkPair}. Live: the pair updates them as packets move, and they may be read
 * from any thread. A duplicated packet counts once in {@link #sent()} and twice in {@link #delivered()}.
 */
public final class LinkStats {
    private volatile long sent;
    private volatile long delivered;
    private volatile long lost;
    private volatile long duplicated;
    private volatile long reordered;
    private volatile long corrupted;
    private volatile long queueDrops;

    LinkStats() {}

    /** Packets given to {@code transmit}. */
    public long sent() {
        return sent;
    }

    /** Packets handed to a receiver (copies from duplication included). */
    public long delivered() {
        return delivered;
    }

    /** Packets dropped by the loss rate. */
    public long lost() {
        return lost;
    }

    /** Extra copies made by the duplication rate. */
    public long duplicated() {
        return duplicated;
    }

    /** Packets taken out of FIFO order by the reordering rate. */
    public long reordered() {
        return reordered;
    }

    /** Packets with one bit flipped by the corruption rate. */
    public long corrupted() {
        return corrupted;
    }

    /** Packets (or duplicate copies) dropped because the direction's queue was full or the receiver closed. */
    public long queueDrops() {
        return queueDrops;
    }

    // Written only under the direction's lock, so the non-atomic increments below do not race.

    void onSent() {
        sent++;
    }

    void onDelivered() {
        delivered++;
    }

    void onLost() {
        lost++;
    }

    void onDuplicated() {
        duplicated++;
    }

    void onReordered() {
        reordered++;
    }

    void onCorrupted() {
        corrupted++;
    }

    void onQueueDrop() {
        queueDrops++;
    }

    @Override
    public String toString() {
        return "LinkStats[sent=" + sent + ", delivered=" + delivered + ", lost=" + lost + ", duplicated=" + duplicated
                + ", reordered=" + reordered + ", corrupted=" + corrupted + ", queueDrops=" + queueDrops + "]";
    }
}

package io.modtcp.stack.tcp.delivery;

/**
 * The segment {@link ReliableOrderedDelivery#nextSeg} chose (RFC 6675 §4 NextSeg), packed into a long so that the
 * choice allocates nothing: the sequence number in the low 32 bits, the FIN in bit 32, the payload length above.
 */
public final class NextSeg {
    /** No lost segment to retransmit; new data may go (NextSeg rule 2). */
    public static final long NEW_DATA = -1;
    /** A lost hole lies beyond the data still held; send nothing now. */
    public static final long NONE = -2;

    private NextSeg() {}

    static long encode(int seq, int len, boolean fin) {
        return (long) len << 33 | (fin ? 1L << 32 : 0) | (seq & 0xffff_ffffL);
    }

    /** The first sequence number of the segment. */
    public static int seq(long segment) {
        return (int) segment;
    }

    /** The payload length of the segment. */
    public static int length(long segment) {
        return (int) (segment >>> 33);
    }

    /** Whether our FIN ends the segment. */
    public static boolean fin(long segment) {
        return (segment & 1L << 32) != 0;
    }
}

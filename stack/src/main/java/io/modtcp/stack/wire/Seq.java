package io.modtcp.stack.wire;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Never compare sequence numbers with raw operators.
 *
 * <p>Comparisons are only meaningful between numbers less than 2^31 apart (RFC 9293 §3.4: "the sequence number
 * space ... is finite, though very large", and comparisons use modulo-2^32 arithmetic).
 */
public final class Seq {
    private Seq() {}

    /** {@code a < b} in sequence space (RFC 9293 §3.4). */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a <= b} in sequence space (RFC 9293 §3.4). */
    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} in sequence space (RFC 9293 §3.4). */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b} in sequence space (RFC 9293 §3.4). */
    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /** {@code a + n} modulo 2^32. */
    public static int add(int a, int n) {
        return a + n;
    }

    /** The signed distance {@code a - b} modulo 2^32, as an int. */
    public static int sub(int a, int b) {
        return a - b;
    }

    /**
     * Whether {@code start <= seq < start + len} modulo 2^32 (RFC 9293 §3.4, acceptability tests). {@code len} is
     * treated as unsigned; a zero-length window contains nothing.
     */
    public static boolean inWindow(int seq, int start, int len) {
        return Integer.compareUnsigned(seq - start, len) < 0;
    }

    /** The later of two sequence numbers (RFC 9293 §3.4). */
    public static int max(int a, int b) {
        return a - b >= 0 ? a : b;
    }

    /** The earlier of two sequence numbers (RFC 9293 §3.4). */
    public static int min(int a, int b) {
        return a - b <= 0 ? a : b;
    }
}

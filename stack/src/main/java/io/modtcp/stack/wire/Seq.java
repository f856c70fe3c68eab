package io.modtcp.stack.wire;

/** Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Never compare sequence numbers with raw operators. */
public final class Seq {
    private Seq() {}

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }
}

package io.modtcp.provider.samples;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Test payloads that both sides can produce from their length alone, and their SHA-256. */
public final class Payload {
    private Payload() {}

    /** {@code n} pseudo-random bytes, the same for the same {@code n} on every JDK ({@link Random} is specified). */
    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Lower-case hex SHA-256 of {@code b}. */
    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest().digest(b));
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

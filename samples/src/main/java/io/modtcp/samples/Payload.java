package io.modtcp.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bytes every sample sends and checks: byte {@code i} is {@code (i % 251 + 7 * ((i / 251) % 256)) % 256}, a pattern
 * with a period of 64256 bytes (so a misplaced or repeated segment changes the digest), cheap to recompute anywhere (the
 * load test's Lua script builds the same string).
 */
public final class Payload {
    /** The pattern repeats every {@code 251 * 256} bytes. */
    static final int PERIOD = 251 * 256;

    private static final byte[] ONE_PERIOD = new byte[PERIOD];

    static {
        for (int i = 0; i < PERIOD; i++) {
            ONE_PERIOD[i] = (byte) byteAt(i);
        }
    }

    private Payload() {}

    public static int byteAt(long i) {
        return (int) ((i % 251 + 7 * ((i / 251) % 256)) % 256);
    }

    /** The first {@code n} bytes of the pattern. */
    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        fill(b, 0, n, 0);
        return b;
    }

    /** Fills {@code b[off, off+len)} with the pattern starting at stream position {@code pos}. */
    public static void fill(byte[] b, int off, int len, long pos) {
        int at = (int) (pos % PERIOD);
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, PERIOD - at);
            System.arraycopy(ONE_PERIOD, at, b, off + done, n);
            done += n;
            at = 0;
        }
    }

    /** Writes the first {@code n} bytes of the pattern. */
    public static void write(OutputStream out, long n) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long pos = 0;
        while (pos < n) {
            int len = (int) Math.min(chunk.length, n - pos);
            fill(chunk, 0, len, pos);
            out.write(chunk, 0, len);
            pos += len;
        }
    }

    /** The SHA-256 (lower-case hex) of the first {@code n} bytes of the pattern. */
    public static String sha256(long n) {
        MessageDigest md = sha256();
        byte[] chunk = new byte[64 * 1024];
        long pos = 0;
        while (pos < n) {
            int len = (int) Math.min(chunk.length, n - pos);
            fill(chunk, 0, len, pos);
            md.update(chunk, 0, len);
            pos += len;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(sha256().digest(b));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code in} to its end; returns the byte count and SHA-256 of what it read. */
    public static Digest digest(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            md.update(buf, 0, r);
            n += r;
        }
        return new Digest(n, HexFormat.of().formatHex(md.digest()));
    }

    /** A byte count and the SHA-256 of those bytes. */
    public record Digest(long bytes, String sha256) {
        @Override
        public String toString() {
            return "bytes=" + bytes + " sha256=" + sha256;
        }
    }
}

package io.modtcp.tun;

import io.modtcp.stack.socket.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Bulk data over a modtcp socket, hashed with SHA-256 on the way. */
final class Bulk {
    static final long READ_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int CHUNK = 64 * 1024;

    private Bulk() {}

    record Outcome(long bytes, String sha, long nanos) {
        double mbitPerSecond() {
            return bytes * 8.0 / 1e6 / (nanos / 1e9);
        }
    }

    /** Writes {@code n} pseudo-random bytes. */
    static Outcome send(TcpSocket s, long n, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[CHUNK];
        long start = System.nanoTime();
        long left = n;
        while (left > 0) {
            int len = (int) Math.min(CHUNK, left);
            for (int i = 0; i < len; i += 8) {
                long r = random.nextLong();
                for (int j = 0; j < 8 && i + j < len; j++) {
                    block[i + j] = (byte) (r >>> (8 * j));
                }
            }
            sha.update(block, 0, len);
            ByteBuffer buf = ByteBuffer.wrap(block, 0, len);
            while (buf.hasRemaining()) {
                s.write(buf, READ_TIMEOUT_NS);
            }
            left -= len;
        }
        return new Outcome(n, HexFormat.of().formatHex(sha.digest()), System.nanoTime() - start);
    }

    /** Reads to end of stream. */
    static Outcome receive(TcpSocket s) throws IOException {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long start = System.nanoTime();
        long n = 0;
        while (true) {
            buf.clear();
            int k = s.read(buf, READ_TIMEOUT_NS);
            if (k < 0) {
                break;
            }
            sha.update(buf.array(), 0, k);
            n += k;
        }
        return new Outcome(n, HexFormat.of().formatHex(sha.digest()), System.nanoTime() - start);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package io.modtcp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * 1-byte request/response round trips over one {@link Socket} (TCP_NODELAY) against an echo server: {@code WARMUP}
 * round trips not counted, then {@code COUNT} timed one by one.
 *
 * <p>Usage: {@code RrClient HOST PORT COUNT WARMUP}. Prints {@code rr count=N median_us=.. p99_us=.. mean_us=..}.
 */
public final class RrClient {
    private RrClient() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: RrClient HOST PORT COUNT WARMUP");
        }
        int count = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        long[] ns = new long[count];
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 10_000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < warmup + count; i++) {
                long t0 = System.nanoTime();
                out.write(i & 0x7f);
                int b = in.read();
                long t = System.nanoTime() - t0;
                if (b != (i & 0x7f)) {
                    throw new IOException("round trip " + i + ": sent " + (i & 0x7f) + ", got " + b);
                }
                if (i >= warmup) {
                    ns[i - warmup] = t;
                }
            }
        }
        long total = 0;
        for (long t : ns) {
            total += t;
        }
        Arrays.sort(ns);
        System.out.printf(
                Locale.ROOT,
                "rr count=%d median_us=%.1f p99_us=%.1f mean_us=%.1f%n",
                count,
                ns[count / 2] / 1e3,
                ns[(int) Math.min(count - 1, (long) count * 99 / 100)] / 1e3,
                total / 1e3 / count);
    }
}

package io.modtcp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connections per second against an echo server: {@code threads} threads each connect ({@link Socket}, blocking, on
 * whatever stack the JVM has: the kernel's when run without the agent), send {@value #MESSAGE_BYTES} bytes, read them
 * back, check them and close, in a loop, for {@code seconds} after {@code warmup} seconds that are not counted.
 *
 * <p>Usage: {@code ConnectLoad HOST PORT SECONDS THREADS WARMUP}. Prints one line: {@code connect-load connections=N
 * errors=E seconds=S per_second=R p50_us=.. p99_us=..} (the time of one whole connect-exchange-close), then the error
 * kinds if any. Exits 0 if at least one exchange succeeded.
 */
public final class ConnectLoad {
    static final int MESSAGE_BYTES = 8;
    private static final int TIMEOUT_MS = 5_000;
    private static final int SAMPLES_PER_THREAD = 1 << 16;

    private ConnectLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: ConnectLoad HOST PORT SECONDS THREADS WARMUP");
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        double seconds = Double.parseDouble(args[2]);
        int threads = Integer.parseInt(args[3]);
        double warmup = Double.parseDouble(args[4]);

        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (seconds * 1e9);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<String, Long> kinds = new TreeMap<>();
        long[][] samples = new long[threads][SAMPLES_PER_THREAD];
        int[] sampled = new int[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(
                    () -> {
                        byte[] msg = ("c" + id + "-".repeat(MESSAGE_BYTES))
                                .substring(0, MESSAGE_BYTES)
                                .getBytes(StandardCharsets.US_ASCII);
                        byte[] back = new byte[MESSAGE_BYTES];
                        for (long now = System.nanoTime(); now < measureTo; now = System.nanoTime()) {
                            boolean counted = now >= measureFrom;
                            try {
                                exchange(target, msg, back);
                                long end = System.nanoTime();
                                if (counted && end <= measureTo) {
                                    ok.incrementAndGet();
                                    if (sampled[id] < SAMPLES_PER_THREAD) {
                                        samples[id][sampled[id]++] = end - now;
                                    }
                                }
                            } catch (IOException e) {
                                if (counted) {
                                    errors.incrementAndGet();
                                    synchronized (kinds) {
                                        kinds.merge(
                                                e.getClass().getSimpleName() + ": " + e.getMessage(), 1L, Long::sum);
                                    }
                                }
                            }
                        }
                    },
                    "connect-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long[] all = new long[Arrays.stream(sampled).sum()];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(samples[t], 0, all, k, sampled[t]);
            k += sampled[t];
        }
        Arrays.sort(all);
        System.out.printf(
                "connect-load connections=%d errors=%d seconds=%.1f per_second=%.1f p50_us=%d p99_us=%d%n",
                ok.get(),
                errors.get(),
                seconds,
                ok.get() / seconds,
                percentile(all, 50) / 1000,
                percentile(all, 99) / 1000);
        kinds.forEach((kind, n) -> System.out.println("connect-load error " + n + " x " + kind));
        System.exit(ok.get() > 0 ? 0 : 1);
    }

    private static void exchange(InetSocketAddress target, byte[] msg, byte[] back) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(TIMEOUT_MS);
            s.connect(target, TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(msg);
            out.flush();
            InputStream in = s.getInputStream();
            int got = 0;
            while (got < back.length) {
                int n = in.read(back, got, back.length - got);
                if (n < 0) {
                    throw new IOException("end of stream after " + got + " of " + back.length + " bytes");
                }
                got += n;
            }
            if (!Arrays.equals(msg, back)) {
                throw new IOException("wrong echo");
            }
        }
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * p / 100))];
    }
}

package io.modtcp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@code count} TCP connections ({@link Socket}, on the kernel when run without the agent) with {@code threads}
 * threads, holds them open and idle, and closes them all when a line {@code close} (or end of input) arrives on stdin.
 *
 * <p>Usage: {@code IdleClient HOST PORT COUNT THREADS}. Prints {@code idle-client ready} and waits for a line {@code open}
 * on stdin (so that the JVM's own start-up is over before anything is measured), then prints {@code idle-client open=N
 * failed=F seconds=S} once every attempt is done (then the error kinds, if any), {@code idle-client closed} at the end. A thread stops after 20
 * failures in a row.
 */
public final class IdleClient {
    private static final int TIMEOUT_MS = 10_000;

    private IdleClient() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: IdleClient HOST PORT COUNT THREADS");
        }
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("idle-client ready");
        for (String line; (line = in.readLine()) == null || !line.trim().equals("open"); ) {
            if (line == null) {
                return;
            }
        }
        List<Socket> open = new ArrayList<>(count);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Map<String, Integer> kinds = new TreeMap<>();
        long t0 = System.nanoTime();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(
                    () -> {
                        int inARow = 0;
                        while (next.getAndIncrement() < count && inARow < 20) {
                            Socket s = new Socket();
                            try {
                                s.connect(target, TIMEOUT_MS);
                                synchronized (open) {
                                    open.add(s);
                                }
                                inARow = 0;
                            } catch (IOException e) {
                                failed.incrementAndGet();
                                inARow++;
                                synchronized (kinds) {
                                    kinds.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                                }
                                try {
                                    s.close();
                                } catch (IOException ignored) {
                                    // nothing to release
                                }
                            }
                        }
                    },
                    "idle-connect-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        System.out.printf(
                "idle-client open=%d failed=%d seconds=%.2f%n",
                open.size(), failed.get(), (System.nanoTime() - t0) / 1e9);
        kinds.forEach((kind, n) -> System.out.println("idle-client error " + n + " x " + kind));

        for (String line; (line = in.readLine()) != null && !line.trim().equals("close"); ) {
            System.out.println("idle-client open=" + open.size() + " (say close to close them)");
        }
        for (Socket s : open) {
            s.close();
        }
        System.out.println("idle-client closed");
    }
}

package io.modtcp.bench;

import io.modtcp.provider.ModTcpSelectorProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * Request/response round trips per second and bulk MB/s through a {@link SelectorProvider}'s blocking channels on
 * 127.0.0.1: the platform provider (kernel loopback) next to modtcp (in-JVM loopback link), in one run.
 *
 * <p>Arguments: seconds per round-trip test (default 3), MiB per bulk transfer (default 512).
 */
public final class ProviderBench {
    private ProviderBench() {}

    public static void main(String[] args) throws Exception {
        // exec:exec passes -Dbench.args as one argument: split it.
        String[] a = String.join(" ", args).trim().split("[\\s,]+");
        int seconds = a.length > 0 && !a[0].isEmpty() ? Integer.parseInt(a[0]) : 3;
        int mib = a.length > 1 ? Integer.parseInt(a[1]) : 512;
        SelectorProvider platform = ModTcpSelectorProvider.platformProvider();
        if (platform == null) {
            throw new IllegalStateException("run with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        SelectorProvider modtcp = new ModTcpSelectorProvider();
        System.out.printf("%-9s %12s %10s %12s %10s%n", "provider", "connect µs", "RTT/s", "RTT µs", "bulk MB/s");
        double[] p = run(platform, seconds, mib);
        double[] m = run(modtcp, seconds, mib);
        print("platform", p);
        print("modtcp", m);
        System.out.printf("modtcp/platform: round trips %.2f, bulk %.2f%n", m[1] / p[1], m[3] / p[3]);
        System.out.printf(
                "selector wakeup()+selectNow(): platform %.0f ns, modtcp %.0f ns%n",
                wakeupNs(platform), wakeupNs(modtcp));
    }

    /** The JDK HttpClient calls wakeup() very often: the cost of a wakeup consumed by the next selection. */
    private static double wakeupNs(SelectorProvider provider) throws IOException {
        try (java.nio.channels.Selector sel = provider.openSelector()) {
            int n = 1_000_000;
            for (int i = 0; i < n / 10; i++) {
                sel.wakeup();
                sel.selectNow();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sel.wakeup();
                sel.selectNow();
            }
            return (System.nanoTime() - t0) / (double) n;
        }
    }

    private static void print(String name, double[] r) {
        System.out.printf("%-9s %12.0f %10.0f %12.1f %10.0f%n", name, r[0], r[1], r[2], r[3]);
    }

    /** @return connect µs (median of 20), round trips/s, µs per round trip, bulk MB/s */
    private static double[] run(SelectorProvider provider, int seconds, int mib) throws Exception {
        try (ServerSocketChannel ssc = provider.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress addr = (InetSocketAddress) ssc.getLocalAddress();
            long[] connects = new long[20];
            for (int i = 0; i < connects.length; i++) {
                long t0 = System.nanoTime();
                try (SocketChannel c = provider.openSocketChannel()) {
                    c.connect(addr);
                    ssc.accept().close();
                }
                connects[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(connects);
            double connectUs = connects[connects.length / 2] / 1e3;
            double[] rr = roundTrips(provider, ssc, addr, seconds);
            double bulk = bulk(provider, ssc, addr, (long) mib << 20);
            return new double[] {connectUs, rr[0], rr[1], bulk};
        }
    }

    private static double[] roundTrips(
            SelectorProvider provider, ServerSocketChannel ssc, InetSocketAddress addr, int s) throws Exception {
        try (SocketChannel c = provider.openSocketChannel()) {
            c.connect(addr);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SocketChannel a = ssc.accept();
            a.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Thread echo = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                try (a) {
                    while (true) {
                        b.clear();
                        if (a.read(b) < 0) {
                            return;
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            a.write(b);
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            echo.start();
            ByteBuffer out = ByteBuffer.allocateDirect(1);
            ByteBuffer in = ByteBuffer.allocateDirect(1);
            long n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(s);
            long t0 = System.nanoTime();
            long now;
            do {
                for (int i = 0; i < 100; i++) {
                    out.clear();
                    c.write(out);
                    in.clear();
                    while (in.hasRemaining()) {
                        if (c.read(in) < 0) {
                            throw new IOException("EOF");
                        }
                    }
                }
                n += 100;
                now = System.nanoTime();
            } while (now < end);
            c.shutdownOutput();
            echo.join();
            double secs = (now - t0) / 1e9;
            return new double[] {n / secs, secs * 1e6 / n};
        }
    }

    /** Bulk MB/s over {@code provider}'s blocking channels on the loopback address, on a fresh listening socket. */
    static double bulk(SelectorProvider provider, long bytes) throws Exception {
        try (ServerSocketChannel ssc = provider.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return bulk(provider, ssc, (InetSocketAddress) ssc.getLocalAddress(), bytes);
        }
    }

    private static double bulk(SelectorProvider provider, ServerSocketChannel ssc, InetSocketAddress addr, long bytes)
            throws Exception {
        try (SocketChannel c = provider.openSocketChannel()) {
            c.connect(addr);
            SocketChannel a = ssc.accept();
            long[] received = new long[1];
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
                try (a) {
                    long total = 0;
                    int n;
                    while ((n = a.read(b)) >= 0) {
                        total += n;
                        b.clear();
                    }
                    received[0] = total;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            reader.start();
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long t0 = System.nanoTime();
            long sent = 0;
            while (sent < bytes) {
                chunk.clear();
                sent += c.write(chunk);
            }
            c.shutdownOutput();
            reader.join();
            double secs = (System.nanoTime() - t0) / 1e9;
            if (received[0] != sent) {
                throw new IllegalStateException("received " + received[0] + " of " + sent);
            }
            return sent / 1e6 / secs;
        }
    }
}

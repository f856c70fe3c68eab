package io.modtcp.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * A bulk transfer: the client ({@link Socket}) sends N MiB of {@link Payload} and half-closes; the server (a blocking
 * {@link ServerSocketChannel}) reads to the end, hashes what it got and answers one line, {@code bytes sha256}. Both
 * print the byte count, the SHA-256 and MB/s.
 *
 * <p>Usage: {@code Bulk server [--host 127.0.0.1] [--port 7008]} or {@code Bulk client [--host 127.0.0.1] [--port 7008]
 * [--mb 64]}. The client exits with 1 when the server's digest differs from what it sent.
 */
public final class Bulk {
    private Bulk() {}

    public static void main(String[] args) throws Exception {
        Args a = new Args(
                args, Set.of("host", "port", "mb"), Set.of(), "Bulk server|client [--host H] [--port P] [--mb 64]");
        String mode = a.positional().isEmpty() ? "" : a.positional().get(0);
        String host = a.get("host", "127.0.0.1");
        int port = a.getInt("port", 7008);
        if (mode.equals("server")) {
            ServerSocketChannel ss = startServer(host, port);
            System.out.println("bulk listening on " + host + ":" + ss.socket().getLocalPort() + " provider="
                    + SelectorProvider.provider().getClass().getName());
            Thread.currentThread().join();
        } else if (mode.equals("client")) {
            String result = send(host, port, (long) a.getInt("mb", 64) << 20);
            System.out.println(result);
            System.exit(result.contains("match=true") ? 0 : 1);
        } else {
            throw new IllegalArgumentException("usage: Bulk server|client [--host H] [--port P] [--mb N]");
        }
    }

    /** Listens and serves each connection on a daemon thread; port 0 picks a free port. */
    public static ServerSocketChannel startServer(String host, int port) throws IOException {
        ServerSocketChannel ss = ServerSocketChannel.open();
        ss.bind(new InetSocketAddress(host, port));
        Thread acceptor = new Thread(
                () -> {
                    while (ss.isOpen()) {
                        try {
                            SocketChannel ch = ss.accept();
                            Thread t = new Thread(() -> receive(ch), "bulk-receiver");
                            t.setDaemon(true);
                            t.start();
                        } catch (IOException e) {
                            return; // closed
                        }
                    }
                },
                "bulk-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return ss;
    }

    private static void receive(SocketChannel ch) {
        try (ch) {
            MessageDigest md = Payload.sha256();
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            long n = 0;
            long t0 = System.nanoTime();
            while (ch.read(buf) >= 0) {
                buf.flip();
                n += buf.remaining();
                md.update(buf);
                buf.clear();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            String sha = HexFormat.of().formatHex(md.digest());
            System.out.println(String.format(
                    Locale.ROOT, "bulk received bytes=%d sha256=%s in %.2f s (%.1f MB/s)", n, sha, s, n / 1e6 / s));
            ch.write(ByteBuffer.wrap((n + " " + sha + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            System.out.println("bulk receive failed: " + e);
        }
    }

    /** Sends {@code bytes} bytes of the pattern and compares the server's digest with its own. */
    public static String send(String host, int port, long bytes) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            Payload.write(out, bytes);
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            double secs = (System.nanoTime() - t0) / 1e9;
            String sha = Payload.sha256(bytes);
            boolean match = reply.equals(bytes + " " + sha);
            return String.format(
                    Locale.ROOT,
                    "bulk sent bytes=%d sha256=%s in %.2f s (%.1f MB/s); server got %s match=%b",
                    bytes,
                    sha,
                    secs,
                    bytes / 1e6 / secs,
                    reply,
                    match);
        }
    }
}

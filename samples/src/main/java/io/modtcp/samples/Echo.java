package io.modtcp.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * An echo server ({@link ServerSocket}, a thread per connection) and client (a blocking {@link SocketChannel} sending
 * numbered lines and checking each echo).
 *
 * <p>Usage: {@code Echo server [--host 127.0.0.1] [--port 7007]} or {@code Echo client [--host 127.0.0.1] [--port
 * 7007] [--count 100]}. The client prints how many lines came back intact and the median round trip; it exits with 1
 * when any did not.
 */
public final class Echo {
    private Echo() {}

    public static void main(String[] args) throws Exception {
        Args a = new Args(
                args,
                Set.of("host", "port", "count"),
                Set.of(),
                "Echo server|client [--host 127.0.0.1] [--port 7007] [--count 100]");
        String mode = a.positional().isEmpty() ? "" : a.positional().get(0);
        String host = a.get("host", "127.0.0.1");
        int port = a.getInt("port", 7007);
        if (mode.equals("server")) {
            ServerSocket ss = startServer(host, port);
            System.out.println("echo listening on " + host + ":" + ss.getLocalPort() + " provider="
                    + SelectorProvider.provider().getClass().getName());
            Thread.currentThread().join();
        } else if (mode.equals("client")) {
            String result = client(host, port, a.getInt("count", 100));
            System.out.println(result);
            System.exit(result.startsWith("echo ok") ? 0 : 1);
        } else {
            throw new IllegalArgumentException("usage: Echo server|client [--host H] [--port P] [--count N]");
        }
    }

    /** Listens and echoes every connection on a daemon thread of its own; port 0 picks a free port. */
    public static ServerSocket startServer(String host, int port) throws IOException {
        ServerSocket ss = new ServerSocket(port, 50, InetAddress.getByName(host));
        Thread acceptor = new Thread(
                () -> {
                    while (!ss.isClosed()) {
                        try {
                            Socket s = ss.accept();
                            Thread t = new Thread(() -> echo(s), "echo-" + s.getPort());
                            t.setDaemon(true);
                            t.start();
                        } catch (IOException e) {
                            return; // closed
                        }
                    }
                },
                "echo-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return ss;
    }

    private static void echo(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            System.out.println("echo connection failed: " + e);
        }
    }

    /** Sends {@code count} numbered lines, one at a time, and checks each echo. */
    public static String client(String host, int port, int count) throws IOException {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))) {
            ch.socket().setTcpNoDelay(true);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(ch);
            long[] rttNs = new long[count];
            int ok = 0;
            for (int i = 0; i < count; i++) {
                String line = "line " + i + " " + "x".repeat(i % 100);
                long t0 = System.nanoTime();
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                String back = in.readLine();
                rttNs[i] = System.nanoTime() - t0;
                if (line.equals(back)) {
                    ok++;
                }
            }
            Arrays.sort(rttNs);
            return (ok == count ? "echo ok " : "echo FAILED ") + ok + "/" + count + " lines, median round trip "
                    + (count == 0 ? 0 : rttNs[count / 2] / 1000) + " us";
        }
    }
}

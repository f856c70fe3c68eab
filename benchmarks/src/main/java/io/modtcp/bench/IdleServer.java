package io.modtcp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server that accepts connections and keeps them open and idle, the way an NIO server holds its clients: each
 * accepted channel non-blocking and registered with one {@link Selector} for reading (a client that closes is closed
 * and forgotten). Plain JDK NIO, so it runs on the kernel or, under the agent, on modtcp.
 *
 * <p>Usage: {@code IdleServer HOST PORT}. Commands on stdin, one a line, answered on stdout:
 *
 * <ul>
 *   <li>{@code count ID}: {@code idle-server count#ID connections=N};
 *   <li>{@code measure ID}: after {@link System#gc()} (twice), {@code idle-server measure#ID connections=N
 *       heap_used=B heap_committed=B nonheap_used=B rss_kb=K threads=T};
 *   <li>{@code quit} or end of input: exits.
 * </ul>
 */
public final class IdleServer {
    private static volatile int connections;

    private IdleServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: IdleServer HOST PORT");
        }
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        Thread loop = new Thread(() -> serve(selector, server), "idle-selector");
        loop.setDaemon(true);
        loop.start();
        System.out.println("idle-server listening on " + server.getLocalAddress() + " provider="
                + SelectorProvider.provider().getClass().getName());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] cmd = line.trim().split("\\s+");
            String id = cmd.length > 1 ? cmd[1] : "0";
            switch (cmd[0]) {
                case "count" -> System.out.println("idle-server count#" + id + " connections=" + connections);
                case "measure" -> System.out.println("idle-server measure#" + id + " " + measure());
                case "quit" -> System.exit(0);
                default -> System.out.println("idle-server unknown command: " + line);
            }
        }
        System.exit(0);
    }

    private static void serve(Selector selector, ServerSocketChannel server) {
        ByteBuffer scratch = ByteBuffer.allocate(4096);
        try {
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        for (SocketChannel ch; (ch = server.accept()) != null; ) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ);
                            connections++;
                        }
                    } else if (key.isReadable()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        scratch.clear();
                        int n;
                        try {
                            n = ch.read(scratch);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            key.cancel();
                            ch.close();
                            connections--;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            System.out.println("idle-server selector loop failed: " + e);
            System.exit(1);
        }
    }

    private static String measure() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return "connections=" + connections + " heap_used="
                + mem.getHeapMemoryUsage().getUsed()
                + " heap_committed=" + mem.getHeapMemoryUsage().getCommitted() + " nonheap_used="
                + mem.getNonHeapMemoryUsage().getUsed() + " rss_kb=" + rssKb() + " threads="
                + Thread.activeCount();
    }

    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

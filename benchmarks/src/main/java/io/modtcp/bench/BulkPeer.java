package io.modtcp.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;

/**
 * Bulk transfers between two JVMs, one connection at a time (blocking {@link SocketChannel}s on whatever stack the JVM
 * has: modtcp's under the agent, else the kernel's).
 *
 * <ul>
 *   <li>{@code BulkPeer server HOST PORT}: for each connection reads one byte. {@code U} (upload): reads to the end of
 *       stream and answers the byte count (8 bytes). {@code D} (download): reads an 8-byte length, sends that many
 *       bytes and closes its output, then waits for the client's end of stream. After each transfer it prints {@code
 *       bulk-server dir=U|D bytes=N secs=S cpu_ns=C}: C is this process's CPU time (user + system, every thread)
 *       over the transfer.
 *   <li>{@code BulkPeer client HOST PORT U|D MIB}: does one transfer and prints {@code bulk-client dir=.. bytes=N
 *       secs=S mbit=R}, the time from connect to the last byte (U: the server's count; D: its end of stream).
 * </ul>
 */
public final class BulkPeer {
    static final int BUFFER = 256 * 1024;

    private BulkPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: BulkPeer server HOST PORT | client HOST PORT U|D MIB");
        }
        InetSocketAddress addr = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        if (args[0].equals("server")) {
            server(addr);
        } else if (args[0].equals("client") && args.length == 5) {
            client(addr, args[3].charAt(0), Long.parseLong(args[4]) << 20);
        } else {
            throw new IllegalArgumentException("usage: BulkPeer server HOST PORT | client HOST PORT U|D MIB");
        }
    }

    private static ByteBuffer pattern() {
        ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
        for (int i = 0; i < BUFFER; i++) {
            b.put(i, (byte) (i * 31 + 7));
        }
        return b;
    }

    static long cpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void server(InetSocketAddress addr) throws IOException {
        ByteBuffer data = pattern();
        ByteBuffer small = ByteBuffer.allocateDirect(9);
        try (ServerSocketChannel ss = ServerSocketChannel.open()) {
            ss.bind(addr);
            System.out.println("bulk-server listening on " + addr + " provider="
                    + SelectorProvider.provider().getClass().getName());
            while (true) {
                try (SocketChannel ch = ss.accept()) {
                    small.clear().limit(1);
                    readFully(ch, small);
                    char dir = (char) small.get(0);
                    long t0 = System.nanoTime();
                    long c0 = cpuNs();
                    long bytes;
                    if (dir == 'U') {
                        bytes = drain(ch, data);
                        small.clear().putLong(bytes).flip();
                        writeFully(ch, small);
                    } else if (dir == 'D') {
                        small.clear().limit(8);
                        readFully(ch, small);
                        bytes = small.getLong(0);
                        send(ch, data, bytes);
                        ch.shutdownOutput();
                        drain(ch, data);
                    } else {
                        System.out.println("bulk-server bad request " + (int) dir);
                        continue;
                    }
                    long cpu = cpuNs() - c0;
                    System.out.printf(
                            Locale.ROOT,
                            "bulk-server dir=%c bytes=%d secs=%.4f cpu_ns=%d%n",
                            dir,
                            bytes,
                            (System.nanoTime() - t0) / 1e9,
                            cpu);
                } catch (IOException e) {
                    System.out.println("bulk-server transfer failed: " + e);
                }
            }
        }
    }

    private static void client(InetSocketAddress addr, char dir, long bytes) throws IOException {
        ByteBuffer data = pattern();
        ByteBuffer small = ByteBuffer.allocateDirect(9);
        long t0 = System.nanoTime();
        long moved;
        try (SocketChannel ch = SocketChannel.open(addr)) {
            if (dir == 'U') {
                small.clear().put((byte) 'U').flip();
                writeFully(ch, small);
                send(ch, data, bytes);
                ch.shutdownOutput();
                small.clear().limit(8);
                readFully(ch, small);
                moved = small.getLong(0);
            } else {
                small.clear().put((byte) 'D').putLong(bytes).flip();
                writeFully(ch, small);
                moved = drain(ch, data);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "bulk-client dir=%c bytes=%d secs=%.4f mbit=%.1f%n",
                dir,
                moved,
                secs,
                moved * 8 / secs / 1e6);
        if (moved != bytes) {
            System.out.println("bulk-client moved " + moved + " of " + bytes);
            System.exit(1);
        }
    }

    private static void send(SocketChannel ch, ByteBuffer data, long bytes) throws IOException {
        for (long left = bytes; left > 0; ) {
            data.clear().limit((int) Math.min(BUFFER, left));
            while (data.hasRemaining()) {
                left -= ch.write(data);
            }
        }
    }

    private static long drain(SocketChannel ch, ByteBuffer buf) throws IOException {
        long n = 0;
        for (int r; ; ) {
            buf.clear();
            r = ch.read(buf);
            if (r < 0) {
                return n;
            }
            n += r;
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("end of stream after " + b.position() + " bytes");
            }
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}

package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** Large and many-write transfers, flow control, both directions at once. */
class TransferBehaviours {
    private static final int MIB = 1 << 20;

    private static MessageDigest sha256() throws Exception {
        return MessageDigest.getInstance("SHA-256");
    }

    private static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    /** Writes {@code total} bytes of the pattern in chunks; returns their SHA-256. */
    private static String send(SocketChannel ch, long total) throws Exception {
        byte[] chunk = Tck.pattern(64 * 1024 + 13);
        MessageDigest d = sha256();
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            d.update(chunk, 0, n);
            left -= n;
        }
        return hex(d);
    }

    /** Reads to the end of stream; returns the count and the SHA-256 of what was read. */
    private static String receive(SocketChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(128 * 1024);
        MessageDigest d = sha256();
        long total = 0;
        while (true) {
            b.clear();
            int n = ch.read(b);
            if (n < 0) {
                return total + " " + hex(d);
            }
            d.update(b.array(), 0, n);
            total += n;
        }
    }

    private static String expected(long total) throws Exception {
        byte[] chunk = Tck.pattern(64 * 1024 + 13);
        MessageDigest d = sha256();
        for (long left = total; left > 0; left -= chunk.length) {
            d.update(chunk, 0, (int) Math.min(chunk.length, left));
        }
        return total + " " + hex(d);
    }

    /** A connection whose subject has a 64 KiB send buffer and whose peer has a 64 KiB receive buffer. */
    private static Tck.Channels smallBuffers(Tck tck) throws IOException {
        ServerSocketChannel l = tck.peerServerChannel();
        l.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        SocketChannel c = tck.channel();
        c.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        assertTrue(c.connect(l.getLocalAddress()));
        return new Tck.Channels(c, tck.track(l.accept()));
    }

    @Timeout(90) // the only behaviours past the default 30 s: 32 MiB on a loaded machine
    @Behaviour("32 MiB through channels arrive intact (SHA-256)")
    void channels32MiB(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Future<String> r = tck.async(() -> receive(c.peer()));
        send(c.subject(), 32L * MIB);
        c.subject().shutdownOutput();
        assertEquals(expected(32L * MIB), r.get(80, TimeUnit.SECONDS));
    }

    @Timeout(90)
    @Behaviour("32 MiB through java.net.Socket streams arrive intact (SHA-256)")
    void sockets32MiB(Tck tck) throws Exception {
        Tck.Sockets s = tck.acceptSockets();
        Future<String> r = tck.async(() -> {
            InputStream in = s.peer().getInputStream();
            byte[] b = new byte[100_000];
            MessageDigest d = sha256();
            long total = 0;
            for (int n; (n = in.read(b)) >= 0; ) {
                d.update(b, 0, n);
                total += n;
            }
            return total + " " + hex(d);
        });
        byte[] chunk = Tck.pattern(64 * 1024 + 13);
        OutputStream out = s.subject().getOutputStream();
        long left = 32L * MIB;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            left -= n;
        }
        s.subject().shutdownOutput();
        assertEquals(expected(32L * MIB), r.get(80, TimeUnit.SECONDS));
    }

    @Behaviour("both ends writing 8 MiB at once do not deadlock; each receives the other's bytes intact")
    void bothWaysAtOnce(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        long size = 8L * MIB;
        Future<String> subjectReads = tck.async(() -> receive(c.subject()));
        Future<String> peerReads = tck.async(() -> receive(c.peer()));
        Future<String> peerWrites = tck.async(() -> {
            String h = send(c.peer(), size);
            c.peer().shutdownOutput();
            return h;
        });
        send(c.subject(), size);
        c.subject().shutdownOutput();
        peerWrites.get(20, TimeUnit.SECONDS);
        assertEquals(expected(size), peerReads.get(20, TimeUnit.SECONDS));
        assertEquals(expected(size), subjectReads.get(20, TimeUnit.SECONDS));
    }

    @Behaviour("10000 writes of 10 bytes arrive intact and in order")
    void manySmallWrites(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Future<byte[]> r = tck.async(() -> Tck.readFully(c.peer(), 100_001));
        ByteBuffer b = ByteBuffer.allocate(10);
        for (int i = 0; i < 10_000; i++) {
            b.clear();
            b.putInt(i).putInt(~i).putShort((short) i).flip();
            while (b.hasRemaining()) {
                c.subject().write(b);
            }
        }
        c.subject().shutdownOutput();
        ByteBuffer got = ByteBuffer.wrap(r.get(20, TimeUnit.SECONDS));
        assertEquals(100_000, got.remaining());
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i, got.getInt());
            assertEquals(~i, got.getInt());
            assertEquals((short) i, got.getShort());
        }
    }

    @Behaviour("10000 Socket OutputStream writes of 10 bytes arrive intact and in order")
    void manySmallStreamWrites(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        Future<byte[]> r = tck.async(() -> s.peer().getInputStream().readAllBytes());
        OutputStream out = s.subject().getOutputStream();
        byte[] rec = new byte[10];
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer.wrap(rec).putInt(i).putInt(i * 31).putShort((short) ~i);
            out.write(rec);
        }
        s.subject().shutdownOutput();
        ByteBuffer got = ByteBuffer.wrap(r.get(20, TimeUnit.SECONDS));
        assertEquals(100_000, got.remaining());
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i, got.getInt());
            assertEquals(i * 31, got.getInt());
            assertEquals((short) ~i, got.getShort());
        }
    }

    @Behaviour("blocking writes larger than the send buffer wait for the peer to read, then complete in full")
    void blockingWriteLargerThanBuffers(Tck tck) throws Exception {
        Tck.Channels c = smallBuffers(tck);
        int size = 2 * MIB;
        byte[] data = Tck.pattern(size);
        // Blocking writes until all is written: one call on JDK 17; on JDK 21 and later a blocking write may return
        // a short count once some bytes went (the descriptor may stay non-blocking), so the loop may take several.
        Future<Integer> w = tck.async(() -> {
            ByteBuffer src = ByteBuffer.wrap(data);
            while (src.hasRemaining()) {
                c.subject().write(src);
            }
            return src.position();
        });
        Thread.sleep(200); // the peer does not read: the writes must not be done
        assertFalse(w.isDone(), "the write completed although the peer read nothing");
        byte[] got = Tck.readFully(c.peer(), size);
        assertEquals(size, w.get(10, TimeUnit.SECONDS), "the blocking writes wrote everything");
        assertEquals(Tck.sha256(data), Tck.sha256(got));
    }

    @Behaviour("a non-blocking write returns 0 once the buffers are full, and completes after the peer drains")
    void nonBlockingWriteFillsUp(Tck tck) throws Exception {
        Tck.Channels c = smallBuffers(tck);
        SocketChannel ch = c.subject();
        ch.configureBlocking(false);
        byte[] chunk = Tck.pattern(65536);
        MessageDigest sent = sha256();
        long total = 0;
        int n;
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while ((n = ch.write(b)) > 0) {
            sent.update(chunk, b.position() - n, n);
            total += n;
            assertTrue(total < 64L * MIB, "64 MiB accepted although the peer reads nothing");
            if (!b.hasRemaining()) {
                b.clear();
            }
        }
        assertEquals(0, n);
        assertEquals(0, ch.write(b), "still full");
        Future<String> r = tck.async(() -> receive(c.peer()));
        Selector sel = tck.selector();
        ch.register(sel, SelectionKey.OP_WRITE);
        long more = 0;
        while (more < MIB) { // ...then 1 MiB more go through as the peer drains
            assertTrue(sel.select(10_000) > 0, "writable again within 10 s");
            sel.selectedKeys().clear();
            n = ch.write(b);
            sent.update(chunk, b.position() - n, n);
            more += n;
            if (!b.hasRemaining()) {
                b.clear();
            }
        }
        ch.shutdownOutput();
        assertEquals((total + more) + " " + hex(sent), r.get(20, TimeUnit.SECONDS));
    }

    @Behaviour("1 MiB from direct buffers through a gather write arrives intact at a scatter read")
    void gatherScatterMiB(Tck tck) throws Exception {
        Tck.Channels c = tck.accept();
        byte[] data = Tck.pattern(MIB);
        ByteBuffer[] srcs = new ByteBuffer[16];
        for (int i = 0; i < srcs.length; i++) {
            srcs[i] = ByteBuffer.allocateDirect(MIB / 16)
                    .put(data, i * (MIB / 16), MIB / 16)
                    .flip();
        }
        Future<Object> w = tck.async(() -> {
            long left = MIB;
            while (left > 0) {
                left -= c.subject().write(srcs);
            }
            c.subject().shutdownOutput();
            return null;
        });
        ByteBuffer[] dsts = new ByteBuffer[7];
        for (int i = 0; i < dsts.length; i++) {
            dsts[i] = ByteBuffer.allocate(MIB / 7 + 1);
        }
        long got = 0;
        for (long n; (n = c.peer().read(dsts)) >= 0; ) {
            got += n;
        }
        w.get(20, TimeUnit.SECONDS);
        assertEquals(MIB, got);
        ByteBuffer all = ByteBuffer.allocate(MIB);
        for (ByteBuffer d : dsts) {
            all.put(d.flip());
        }
        assertArrayEquals(data, all.array());
    }
}

package io.modtcp.tck;

import static io.modtcp.tck.SelectorBehaviours.awaitReady;
import static io.modtcp.tck.SelectorBehaviours.nonBlocking;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Readiness: when each operation is reported ready, and what the operation then does. */
class ReadinessBehaviours {
    private static final int READ = SelectionKey.OP_READ;
    private static final int WRITE = SelectionKey.OP_WRITE;
    private static final int CONNECT = SelectionKey.OP_CONNECT;
    private static final int ACCEPT = SelectionKey.OP_ACCEPT;

    /** A subject connection in non-blocking mode, registered with {@code sel} for {@code ops}. */
    private static SelectionKey register(Selector sel, Tck.Channels c, int ops) throws IOException {
        return nonBlocking(c.subject()).register(sel, ops);
    }

    // --- accept ---

    @Behaviour("OP_ACCEPT is ready when a connection is pending, and accept then returns it")
    void acceptReady(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = nonBlocking(tck.listener());
        SelectionKey k = l.register(sel, ACCEPT);
        assertEquals(0, sel.selectNow());
        assertNull(l.accept());
        SocketChannel p = tck.peerChannel();
        assertTrue(p.connect(l.getLocalAddress()));
        awaitReady(sel, k, ACCEPT);
        SocketChannel a = tck.track(l.accept());
        assertNotNull(a);
        assertTrue(a.isBlocking(), "an accepted channel starts in blocking mode");
        assertEquals(p.getLocalAddress(), a.getRemoteAddress());
        sel.selectedKeys().clear();
        assertEquals(0, sel.selectNow(), "nothing pending any more");
    }

    @Behaviour("OP_ACCEPT stays ready while connections remain pending")
    void acceptLevelTriggered(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = nonBlocking(tck.listener());
        SelectionKey k = l.register(sel, ACCEPT);
        tck.peerChannel().connect(l.getLocalAddress());
        tck.peerChannel().connect(l.getLocalAddress());
        awaitReady(sel, k, ACCEPT);
        SocketChannel first = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (first == null && System.nanoTime() - deadline < 0) {
            first = l.accept();
        }
        tck.track(first);
        sel.selectedKeys().clear();
        awaitReady(sel, k, ACCEPT);
        assertNotNull(tck.track(l.accept()), "the second connection is there");
        sel.selectedKeys().clear();
        assertEquals(0, sel.selectNow());
    }

    // --- connect ---

    @Behaviour("OP_CONNECT is ready after a non-blocking connect, and finishConnect then returns true")
    void connectReady(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = nonBlocking(tck.channel());
        if (ch.connect(l.getLocalAddress())) {
            assertTrue(ch.finishConnect(), "a connection established at once is finished");
        } else {
            assertTrue(ch.isConnectionPending());
            SelectionKey k = ch.register(sel, CONNECT);
            awaitReady(sel, k, CONNECT);
            assertTrue(k.isConnectable());
            assertTrue(ch.finishConnect());
        }
        assertTrue(ch.isConnected());
        assertFalse(ch.isConnectionPending());
        tck.track(l.accept());
    }

    @Behaviour("after finishConnect, OP_CONNECT is no longer reported")
    void connectNotReadyAfterFinish(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = nonBlocking(tck.channel());
        SelectionKey k = ch.register(sel, CONNECT);
        if (!ch.connect(l.getLocalAddress())) {
            awaitReady(sel, k, CONNECT);
            assertTrue(ch.finishConnect());
        }
        sel.selectedKeys().clear();
        assertEquals(0, sel.selectNow());
        assertEquals(0, sel.select(100));
        assertTrue(sel.selectedKeys().isEmpty());
    }

    @Behaviour("a refused non-blocking connect makes OP_CONNECT ready and finishConnect throws ConnectException")
    void connectRefused(Tck tck) throws Exception {
        Selector sel = tck.selector();
        InetSocketAddress nobody = tck.unusedPeerAddress();
        SocketChannel ch = nonBlocking(tck.channel());
        assertFalse(ch.connect(nobody), "a connect to the peer is not refused at once");
        SelectionKey k = ch.register(sel, CONNECT);
        awaitReady(sel, k, CONNECT);
        assertThrows(ConnectException.class, ch::finishConnect);
        assertFalse(ch.isOpen());
        assertFalse(k.isValid());
    }

    // --- read ---

    @Behaviour("OP_READ is ready when data arrives and not before")
    void readReadyOnData(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        assertEquals(0, sel.selectNow());
        assertEquals(0, sel.select(100));
        Tck.writeFully(c.peer(), new byte[] {1, 2, 3});
        awaitReady(sel, k, READ);
        assertTrue(k.isReadable());
        assertArrayEquals(new byte[] {1, 2, 3}, readSome(c.subject(), 3));
    }

    @Behaviour("OP_READ stays ready while data is unread and goes away once it is read")
    void readLevelTriggered(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        Tck.writeFully(c.peer(), new byte[] {1, 2});
        awaitReady(sel, k, READ);
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow(), "still ready: nothing was read");
        sel.selectedKeys().clear();
        assertEquals(2, readSome(c.subject(), 2).length);
        assertEquals(0, sel.selectNow());
        assertEquals(0, c.subject().read(ByteBuffer.allocate(10)));
    }

    @Behaviour("OP_READ is ready at end of stream, and read then returns -1")
    void readReadyAtEof(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        c.peer().shutdownOutput();
        awaitReady(sel, k, READ);
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow(), "end of stream stays readable");
    }

    @Behaviour("data followed by end of stream: OP_READ reports the data first, then -1")
    void readDataThenEof(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        Tck.writeFully(c.peer(), Tck.pattern(500));
        c.peer().close();
        ByteBuffer b = ByteBuffer.allocate(1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadline < 0) {
            awaitReady(sel, k, READ);
            sel.selectedKeys().clear();
            if (c.subject().read(b) < 0) {
                break;
            }
        }
        assertEquals(500, b.position());
        assertArrayEquals(Tck.pattern(500), java.util.Arrays.copyOf(b.array(), 500));
    }

    @Behaviour("OP_READ is ready after the peer resets the connection, and read then throws IOException")
    void readReadyAfterReset(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        awaitReady(sel, k, READ);
        assertThrows(IOException.class, () -> c.subject().read(ByteBuffer.allocate(10)));
    }

    @Behaviour("OP_READ is ready after the subject shuts its input down, and read returns -1")
    void readReadyAfterShutdownInput(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        SelectionKey k = register(sel, c, READ);
        assertEquals(0, sel.selectNow());
        c.subject().shutdownInput();
        awaitReady(sel, k, READ);
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
    }

    // --- write ---

    @Behaviour("OP_WRITE is ready on a freshly connected channel")
    void writeReadyWhenConnected(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.connect();
        SelectionKey k = register(sel, c, WRITE);
        assertEquals(1, sel.select(5000));
        assertTrue(k.isWritable());
        assertEquals(3, c.subject().write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
    }

    @Behaviour("OP_WRITE is not ready while the send buffer is full, and ready again after the peer reads")
    void writeNotReadyWhenFull(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        c.subject().setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        SelectionKey k = register(sel, c, WRITE);
        ByteBuffer chunk = ByteBuffer.wrap(Tck.pattern(64 * 1024));
        long written = 0;
        while (true) {
            // Fill until a write takes nothing and the channel then stays unwritable for 200 ms.
            int n;
            do {
                chunk.clear();
                n = c.subject().write(chunk);
                written += n;
            } while (n > 0);
            sel.selectedKeys().clear();
            if (sel.select(200) == 0) {
                break;
            }
            if (written > 64L * 1024 * 1024) {
                fail("64 MiB written and the channel is still writable");
            }
        }
        assertFalse(sel.selectedKeys().contains(k));
        long total = written;
        SocketChannel peer = c.peer();
        Future<Long> drained = tck.async(() -> {
            ByteBuffer b = ByteBuffer.allocate(256 * 1024);
            long got = 0;
            while (got < total) {
                b.clear();
                int r = peer.read(b);
                if (r < 0) {
                    break;
                }
                got += r;
            }
            return got;
        });
        awaitReady(sel, k, WRITE);
        assertEquals(total, drained.get(10, TimeUnit.SECONDS));
    }

    @Behaviour("OP_WRITE is ready after the peer resets the connection, and write then throws IOException")
    void writeReadyAfterReset(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        SelectionKey k = register(sel, c, READ);
        awaitReady(sel, k, READ); // the reset has arrived
        k.interestOps(WRITE);
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow());
        assertTrue(k.isWritable());
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10; i++) {
                c.subject().write(ByteBuffer.wrap(new byte[1000]));
            }
        });
    }

    @Behaviour("OP_WRITE of a channel with a full send buffer becomes ready when the peer resets the connection")
    void writeReadyWhenFullAndReset(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.accept();
        c.subject().setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        SelectionKey k = register(sel, c, WRITE);
        ByteBuffer chunk = ByteBuffer.wrap(Tck.pattern(64 * 1024));
        long written = 0;
        do {
            int n;
            do {
                chunk.clear();
                n = c.subject().write(chunk);
                written += n;
            } while (n > 0);
            sel.selectedKeys().clear();
            assertTrue(written < 64L * 1024 * 1024, "64 MiB written and the channel is still writable");
        } while (sel.select(200) != 0);
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        // The peer never sends: OP_READ shows the reset has arrived (OP_WRITE alone might be space freed before it).
        k.interestOps(READ | WRITE);
        awaitReady(sel, k, READ);
        sel.selectedKeys().clear();
        assertEquals(1, sel.selectNow());
        assertTrue(k.isWritable(), "a reset channel is writable");
        assertThrows(IOException.class, () -> c.subject().write(chunk.clear()));
    }

    @Behaviour(
            "OP_WRITE is ready after the subject shuts its output down, and write then throws ClosedChannelException")
    void writeReadyAfterShutdownOutput(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.connect();
        SelectionKey k = register(sel, c, WRITE);
        c.subject().shutdownOutput();
        awaitReady(sel, k, WRITE);
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> c.subject()
                .write(ByteBuffer.wrap(new byte[] {1})));
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)));
    }

    @Behaviour("during a non-blocking connect only OP_CONNECT is reported; OP_WRITE only after finishConnect")
    void connectBeforeWrite(Tck tck) throws Exception {
        Selector sel = tck.selector();
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = nonBlocking(tck.channel());
        SelectionKey k = ch.register(sel, CONNECT | WRITE);
        if (!ch.connect(l.getLocalAddress())) {
            awaitReady(sel, k, CONNECT);
            assertEquals(CONNECT, k.readyOps());
            assertTrue(ch.finishConnect());
        }
        sel.selectedKeys().clear();
        awaitReady(sel, k, WRITE);
        assertEquals(WRITE, k.readyOps());
        tck.track(l.accept());
    }

    @Behaviour("a channel with interest in both reading and writing reports both once data has arrived")
    void readAndWriteTogether(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Tck.Channels c = tck.connect();
        SelectionKey k = register(sel, c, READ | WRITE);
        awaitReady(sel, k, WRITE);
        assertEquals(WRITE, k.readyOps(), "no data yet");
        Tck.writeFully(c.peer(), new byte[] {7});
        awaitReady(sel, k, READ);
        assertEquals(READ | WRITE, k.readyOps());
    }

    /** Reads {@code n} bytes already reported readable from a non-blocking channel (or fewer at end of stream). */
    private static byte[] readSome(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.hasRemaining() && System.nanoTime() - deadline < 0) {
            if (ch.read(b) < 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}

package io.modtcp.tck;

import static io.modtcp.tck.InterruptBehaviours.block;
import static io.modtcp.tck.InterruptBehaviours.outcome;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.tck.InterruptBehaviours.Blocked;
import io.modtcp.tck.InterruptBehaviours.Outcome;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Blocking and non-blocking modes of channels. */
class BlockingModeBehaviours {
    @Behaviour("new channels are blocking; configureBlocking(false) and back round-trips isBlocking and returns the"
            + " channel")
    void configureBlockingRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ServerSocketChannel ssc = tck.serverChannel();
        assertTrue(ch.isBlocking());
        assertTrue(ssc.isBlocking());
        assertSame(ch, ch.configureBlocking(false));
        assertFalse(ch.isBlocking());
        assertSame(ssc, ssc.configureBlocking(false));
        assertFalse(ssc.isBlocking());
        ch.configureBlocking(true);
        ssc.configureBlocking(true);
        assertTrue(ch.isBlocking());
        assertTrue(ssc.isBlocking());
    }

    @Behaviour("a non-blocking read with nothing available returns 0 at once")
    void nonBlockingReadReturnsZero(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(16);
        assertEquals(0, c.subject().read(buf));
        assertEquals(0, buf.position());
        assertEquals(0, c.subject().read(new ByteBuffer[] {buf}));
    }

    @Behaviour("a non-blocking read returns the bytes that arrived without waiting to fill the buffer")
    void nonBlockingReadReturnsWhatArrived(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().configureBlocking(false);
        Selector sel = tck.selector();
        c.subject().register(sel, SelectionKey.OP_READ);
        Tck.writeFully(c.peer(), new byte[] {1, 2, 3});
        ByteBuffer buf = ByteBuffer.allocate(100);
        while (buf.position() < 3) {
            assertTrue(sel.select(5_000) > 0 || buf.position() > 0, "readable");
            sel.selectedKeys().clear();
            assertTrue(c.subject().read(buf) >= 0);
        }
        assertEquals(3, buf.position());
        assertEquals(0, c.subject().read(buf));
    }

    @Behaviour("a non-blocking read after the peer closed returns -1")
    void nonBlockingReadEndOfStream(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().close();
        c.subject().configureBlocking(false);
        Selector sel = tck.selector();
        c.subject().register(sel, SelectionKey.OP_READ);
        assertEquals(1, sel.select(5_000));
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(4)));
    }

    @Behaviour("a non-blocking accept with no pending connection returns null at once")
    void nonBlockingAcceptReturnsNull(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.configureBlocking(false);
        assertNull(l.accept());
        assertTrue(l.isOpen());
    }

    @Behaviour("a non-blocking accept returns a pending connection once OP_ACCEPT is selected")
    void nonBlockingAcceptAfterSelect(Tck tck) throws Exception {
        Tck.Channels ch = acceptAfterSelect(tck);
        assertEquals(ch.peer().getLocalAddress(), ch.subject().getRemoteAddress());
    }

    @Behaviour("a channel accepted by a non-blocking server channel is in blocking mode")
    void acceptedChannelIsBlocking(Tck tck) throws Exception {
        Tck.Channels ch = acceptAfterSelect(tck);
        assertTrue(ch.subject().isBlocking());
        Tck.writeFully(ch.peer(), new byte[] {4});
        assertArrayEquals(new byte[] {4}, Tck.readFully(ch.subject(), 1));
    }

    /**
     * A peer connects to a non-blocking subject listener; once OP_ACCEPT is selected (exactly one key), the subject
     * accepts: the accepted channel and the peer's.
     */
    private static Tck.Channels acceptAfterSelect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.configureBlocking(false);
        Selector sel = tck.selector();
        l.register(sel, SelectionKey.OP_ACCEPT);
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(l.getLocalAddress()));
        assertEquals(1, sel.select(5_000));
        SocketChannel a = tck.track(l.accept());
        return new Tck.Channels(a, c);
    }

    @Behaviour("a non-blocking connect returns true or false (pending); finishConnect completes it after OP_CONNECT")
    void nonBlockingConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        boolean connected = ch.connect(l.getLocalAddress());
        if (!connected) {
            assertTrue(ch.isConnectionPending());
            Selector sel = tck.selector();
            ch.register(sel, SelectionKey.OP_CONNECT);
            assertEquals(1, sel.select(5_000));
            assertTrue(ch.finishConnect());
        }
        assertTrue(ch.isConnected());
        assertFalse(ch.isConnectionPending());
        assertEquals(l.getLocalAddress(), ch.getRemoteAddress());
    }

    @Behaviour("a blocking finishConnect after a non-blocking connect waits until the connection is established")
    void blockingFinishConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        if (!ch.connect(l.getLocalAddress())) {
            ch.configureBlocking(true);
            assertTrue(ch.finishConnect());
        }
        assertTrue(ch.isConnected());
        SocketChannel a = tck.track(l.accept());
        Tck.writeFully(ch, new byte[] {8});
        assertArrayEquals(new byte[] {8}, Tck.readFully(a, 1));
    }

    @Behaviour("a non-blocking write never blocks: with the peer not reading, writes end up returning 0")
    void nonBlockingWriteReturnsZeroWhenFull(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
        long total = 0;
        int n;
        do {
            buf.clear();
            n = c.subject().write(buf);
            total += n;
            assertTrue(total < 256L << 20, "a send path of more than 256 MiB");
        } while (n > 0);
        assertEquals(0, n);
        assertTrue(total > 0);
    }

    @Behaviour("the InputStream of a non-blocking channel's socket() throws IllegalBlockingModeException")
    void adaptorInputStreamNonBlocking(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        var in = c.subject().socket().getInputStream();
        c.subject().configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, in::read);
        assertThrows(
                IllegalBlockingModeException.class,
                () -> c.subject().socket().getInputStream().read(new byte[4]));
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("the OutputStream of a non-blocking channel's socket() throws IllegalBlockingModeException")
    void adaptorOutputStreamNonBlocking(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        var out = c.subject().socket().getOutputStream();
        c.subject().configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, () -> out.write(1));
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("accept on a non-blocking server channel's socket() throws IllegalBlockingModeException")
    void serverAdaptorAcceptNonBlocking(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, () -> l.socket().accept());
        assertTrue(l.isOpen());
    }

    @Behaviour("accept on a non-blocking server channel's socket() returns a waiting connection (a blocking one);"
            + " with none waiting, or with SO_TIMEOUT set, it throws IllegalBlockingModeException")
    void serverAdaptorAcceptNonBlockingWithWaitingConnection(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(l.getLocalAddress()));
        l.configureBlocking(false);
        java.net.Socket s = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s == null) { // the handshake may still be completing on the listener's side
            try {
                s = tck.track(l.socket().accept());
            } catch (IllegalBlockingModeException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
        assertTrue(s.isConnected());
        assertTrue(s.getChannel().isBlocking(), "the accepted channel is in blocking mode");
        assertEquals(c.getLocalAddress(), s.getRemoteSocketAddress());
        assertThrows(IllegalBlockingModeException.class, () -> l.socket().accept(), "none waiting");
        SocketChannel c2 = tck.peerChannel();
        assertTrue(c2.connect(l.getLocalAddress()));
        l.socket().setSoTimeout(1000);
        assertThrows(IllegalBlockingModeException.class, () -> l.socket().accept(), "SO_TIMEOUT set");
        assertTrue(l.isOpen());
    }

    @Behaviour("connect on a non-blocking channel's socket() throws IllegalBlockingModeException, with or without a"
            + " timeout")
    void adaptorConnectNonBlocking(Tck tck) throws Exception {
        InetSocketAddress target = (InetSocketAddress) tck.peerListener().getLocalAddress();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, () -> ch.socket().connect(target));
        assertThrows(IllegalBlockingModeException.class, () -> ch.socket().connect(target, 1000));
    }

    @Behaviour("configureBlocking(true) on a channel registered with a selector throws IllegalBlockingModeException;"
            + " after the key is cancelled and flushed it works")
    void configureBlockingWhileRegistered(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Selector sel = tck.selector();
        c.subject().configureBlocking(false);
        SelectionKey k = c.subject().register(sel, SelectionKey.OP_READ);
        assertThrows(IllegalBlockingModeException.class, () -> c.subject().configureBlocking(true));
        assertFalse(c.subject().isBlocking());
        k.cancel();
        sel.selectNow();
        c.subject().configureBlocking(true);
        assertTrue(c.subject().isBlocking());
    }

    @Behaviour("registering a blocking channel with a selector throws IllegalBlockingModeException")
    void registerBlockingChannel(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Selector sel = tck.selector();
        assertThrows(IllegalBlockingModeException.class, () -> c.subject().register(sel, SelectionKey.OP_READ));
        ServerSocketChannel l = tck.listener();
        assertThrows(IllegalBlockingModeException.class, () -> l.register(sel, SelectionKey.OP_ACCEPT));
        assertEquals(0, sel.keys().size());
    }

    @Behaviour("back in blocking mode after non-blocking use, a read blocks again until data arrives")
    void blockingAgainAfterNonBlocking(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().configureBlocking(false);
        assertEquals(0, c.subject().read(ByteBuffer.allocate(4)));
        c.subject().configureBlocking(true);
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(4))));
        Tck.writeFully(c.peer(), new byte[] {1});
        assertEquals(1, b.get().value());
    }

    @Behaviour("a blocking read returns as soon as some bytes arrive, without waiting to fill the buffer")
    void blockingReadReturnsEarly(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        ByteBuffer buf = ByteBuffer.allocate(1000);
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(buf)));
        Tck.writeFully(c.peer(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        int n = (Integer) b.get().value();
        assertTrue(n >= 1 && n <= 10, "read " + n);
    }

    @Behaviour("a blocking write returns only when every byte of the buffer is written")
    void blockingWriteWritesAll(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(1 << 20); // four times modtcp's default send buffer
        Future<byte[]> received = tck.async(() -> Tck.readFully(c.peer(), data.length));
        ByteBuffer src = ByteBuffer.wrap(data);
        assertEquals(data.length, c.subject().write(src));
        assertFalse(src.hasRemaining());
        assertEquals(Tck.sha256(data), Tck.sha256(received.get(20, TimeUnit.SECONDS)));
    }

    @Behaviour("configureBlocking on a closed channel or server channel throws ClosedChannelException")
    void configureBlockingClosed(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ServerSocketChannel ssc = tck.serverChannel();
        ch.close();
        ssc.close();
        assertThrows(ClosedChannelException.class, () -> ch.configureBlocking(false));
        assertThrows(ClosedChannelException.class, () -> ssc.configureBlocking(false));
    }
}

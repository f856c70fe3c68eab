package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.provider.ModTcpAsynchronousChannelProvider;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.WritePendingException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * NIO.2 asynchronous channels ({@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel}, {@code
 * AsynchronousChannelGroup}): the subject's come from its asynchronous channel provider (the platform's, or {@code
 * ModTcpAsynchronousChannelProvider} over the modtcp stack); the peer's end is an ordinary blocking channel.
 */
class AsyncChannelBehaviours {
    static final long T = 10;

    /** A completion handler that records its outcome, the thread it ran on and its attachment. */
    static final class Handler<V> implements CompletionHandler<V, Object> {
        final CompletableFuture<V> result = new CompletableFuture<>();
        volatile Thread thread;
        volatile Object attachment;

        @Override
        public void completed(V v, Object att) {
            thread = Thread.currentThread();
            attachment = att;
            result.complete(v);
        }

        @Override
        public void failed(Throwable exc, Object att) {
            thread = Thread.currentThread();
            attachment = att;
            result.completeExceptionally(exc);
        }

        V get() throws Exception {
            return result.get(T, TimeUnit.SECONDS);
        }

        /** The exception the operation failed with. */
        Throwable failure() throws Exception {
            ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(T, TimeUnit.SECONDS));
            return e.getCause();
        }
    }

    /** The exception a future failed with. */
    static Throwable failure(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS));
        return e.getCause();
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static String text(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Writes until a write with no room is left pending (not done after 300 ms); returns it. */
    static Future<Integer> fillUntilPending(AsynchronousSocketChannel c) throws Exception {
        c.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        for (int i = 0; i < 400; i++) {
            chunk.clear();
            Future<Integer> f = c.write(chunk);
            try {
                assertTrue(f.get(300, TimeUnit.MILLISECONDS) > 0);
            } catch (TimeoutException e) {
                return f;
            }
        }
        throw new AssertionError("the send path never filled up (400 x 256 KiB written)");
    }

    /** Reads from a blocking peer channel until end of stream (or until the behaviour ends). */
    static Void drain(SocketChannel peer) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        while (true) {
            b.clear();
            if (peer.read(b) < 0) {
                return null;
            }
        }
    }

    // ---- connect ----

    @Behaviour("connect(remote) returns a Future that completes with null; the channel then has the peer's address"
            + " as remote address and the peer sees its local address")
    void connectFuture(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertEquals(c.peer().getLocalAddress(), c.subject().getRemoteAddress());
        assertEquals(c.subject().getLocalAddress(), c.peer().getRemoteAddress());
    }

    @Behaviour("connect with a CompletionHandler: completed(null, attachment) runs on a thread of the group's pool")
    void connectHandler(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        AsynchronousSocketChannel c = tck.asyncChannel();
        Handler<Void> h = new Handler<>();
        c.connect(l.getLocalAddress(), "att", h);
        assertNull(h.get());
        assertEquals("att", h.attachment);
        assertTrue(h.thread.getName().startsWith(Tck.ASYNC_THREAD), h.thread.getName());
        tck.track(l.accept());
    }

    @Behaviour("connect to a port where nothing listens fails with ConnectException through the handler, and the"
            + " channel is closed")
    void connectRefused(Tck tck) throws Exception {
        InetSocketAddress nobody = tck.unusedPeerAddress();
        AsynchronousSocketChannel c = tck.asyncChannel();
        Handler<Void> h = new Handler<>();
        c.connect(nobody, null, h);
        assertInstanceOf(ConnectException.class, h.failure());
        assertFalse(c.isOpen());
    }

    @Behaviour("connect on a connected channel throws AlreadyConnectedException")
    void connectAlreadyConnected(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertThrows(AlreadyConnectedException.class, () -> c.subject()
                .connect(c.peer().getLocalAddress()));
    }

    @Behaviour("connect while a connect is pending throws ConnectionPendingException; close fails the pending one"
            + " with AsynchronousCloseException")
    void connectPending(Tck tck) throws Exception {
        InetSocketAddress full = InterruptBehaviours.fullBacklog(tck);
        AsynchronousSocketChannel c = tck.asyncChannel();
        Handler<Void> h = new Handler<>();
        c.connect(full, null, h);
        assertThrows(ConnectionPendingException.class, () -> c.connect(full));
        assertFalse(h.result.isDone());
        c.close();
        assertInstanceOf(AsynchronousCloseException.class, h.failure());
    }

    @Behaviour("connect on a closed channel reports ClosedChannelException to the handler (not thrown)")
    void connectClosed(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        c.close();
        Handler<Void> h = new Handler<>();
        c.connect(tck.peer().at(9), null, h);
        assertInstanceOf(ClosedChannelException.class, h.failure());
    }

    @Behaviour("connect to an unresolved address throws UnresolvedAddressException; a null handler"
            + " NullPointerException")
    void connectBadArguments(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        assertThrows(
                UnresolvedAddressException.class,
                () -> c.connect(InetSocketAddress.createUnresolved("unresolved.invalid", 80)));
        assertThrows(NullPointerException.class, () -> c.connect(tck.peer().at(9), null, null));
    }

    // ---- accept ----

    @Behaviour("accept() returns a Future of a connected channel whose remote address is the peer's local address")
    void acceptFuture(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncAccept();
        assertEquals(c.peer().getLocalAddress(), c.subject().getRemoteAddress());
        assertEquals(c.peer().getRemoteAddress(), c.subject().getLocalAddress());
    }

    @Behaviour("accept with a CompletionHandler: completed(channel, attachment) runs on a thread of the group's pool")
    void acceptHandler(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncListener();
        Handler<AsynchronousSocketChannel> h = new Handler<>();
        l.accept("att", h);
        SocketChannel c = tck.peerChannel();
        c.connect(l.getLocalAddress());
        AsynchronousSocketChannel a = tck.track(h.get());
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
        assertEquals("att", h.attachment);
        assertTrue(h.thread.getName().startsWith(Tck.ASYNC_THREAD), h.thread.getName());
    }

    @Behaviour("accept while an accept is pending throws AcceptPendingException")
    void acceptPending(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncListener();
        Future<AsynchronousSocketChannel> f = l.accept();
        assertThrows(AcceptPendingException.class, l::accept);
        assertFalse(f.isDone());
    }

    @Behaviour("accept on an unbound server channel throws NotYetBoundException")
    void acceptUnbound(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncServerChannel();
        assertThrows(NotYetBoundException.class, l::accept);
    }

    @Behaviour("closing a server channel fails its pending accept with AsynchronousCloseException")
    void acceptClose(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncListener();
        Handler<AsynchronousSocketChannel> h = new Handler<>();
        l.accept(null, h);
        l.close();
        assertInstanceOf(AsynchronousCloseException.class, h.failure());
    }

    @Behaviour("accept on a closed server channel fails the Future with ClosedChannelException")
    void acceptClosed(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncListener();
        l.close();
        assertInstanceOf(ClosedChannelException.class, failure(l.accept()));
    }

    @Behaviour("an asynchronous server channel: no local address before bind, its address after; a second bind throws"
            + " AlreadyBoundException")
    void serverBind(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncServerChannel();
        assertNull(l.getLocalAddress());
        l.bind(new InetSocketAddress(tck.subject().address(), 0), 5);
        InetSocketAddress a = (InetSocketAddress) l.getLocalAddress();
        assertEquals(tck.subject().address(), a.getAddress());
        assertTrue(a.getPort() > 0);
        assertThrows(
                AlreadyBoundException.class,
                () -> l.bind(new InetSocketAddress(tck.subject().address(), 0)));
    }

    @Behaviour("several accepts in a row, each started from the previous one's handler, accept every connection")
    void acceptChain(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncListener();
        int n = 5;
        CompletableFuture<Void> all = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        l.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
            @Override
            public void completed(AsynchronousSocketChannel ch, Object att) {
                tck.track(ch);
                if (count.incrementAndGet() == n) {
                    all.complete(null);
                } else {
                    l.accept(null, this);
                }
            }

            @Override
            public void failed(Throwable exc, Object att) {
                all.completeExceptionally(exc);
            }
        });
        for (int i = 0; i < n; i++) {
            SocketChannel c = tck.peerChannel();
            assertTrue(c.connect(l.getLocalAddress()));
        }
        all.get(T, TimeUnit.SECONDS);
        assertEquals(n, count.get());
    }

    // ---- read ----

    @Behaviour("read(dst) returns a Future that completes with the number of bytes the peer wrote")
    void readFuture(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        ByteBuffer b = ByteBuffer.allocate(64);
        Future<Integer> f = c.subject().read(b);
        c.peer().write(bytes("hello"));
        assertEquals(5, f.get(T, TimeUnit.SECONDS));
        assertEquals("hello", text(b));
    }

    @Behaviour("read with a CompletionHandler: completed(count, attachment) runs on a thread of the group's pool")
    void readHandler(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        ByteBuffer b = ByteBuffer.allocate(64);
        Handler<Integer> h = new Handler<>();
        c.subject().read(b, 0, TimeUnit.SECONDS, "att", h);
        c.peer().write(bytes("abc"));
        assertEquals(3, h.get());
        assertEquals("att", h.attachment);
        assertTrue(h.thread.getName().startsWith(Tck.ASYNC_THREAD), h.thread.getName());
        assertEquals("abc", text(b));
    }

    @Behaviour("a read of data already received still completes through the handler on a pool thread, not on the"
            + " initiating thread")
    void readAlreadyThere(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        c.peer().write(bytes("ready"));
        ByteBuffer b = ByteBuffer.allocate(5);
        // wait for the bytes to arrive (a first read), then the second read has them at once
        assertEquals(5, c.subject().read(b).get(T, TimeUnit.SECONDS));
        c.peer().write(bytes("again"));
        Thread.sleep(100);
        ByteBuffer b2 = ByteBuffer.allocate(5);
        Handler<Integer> h = new Handler<>();
        c.subject().read(b2, null, h);
        assertEquals(5, h.get());
        assertTrue(h.thread != Thread.currentThread());
        assertTrue(h.thread.getName().startsWith(Tck.ASYNC_THREAD), h.thread.getName());
        assertEquals("again", text(b2));
    }

    @Behaviour("a read completes with -1 once the peer shut its output down")
    void readEndOfStream(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        c.peer().shutdownOutput();
        assertEquals(-1, f.get(T, TimeUnit.SECONDS));
    }

    @Behaviour("a read while a read is pending throws ReadPendingException")
    void readPending(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        assertThrows(ReadPendingException.class, () -> c.subject().read(ByteBuffer.allocate(8)));
        c.peer().write(bytes("x"));
        assertEquals(1, f.get(T, TimeUnit.SECONDS));
    }

    @Behaviour("a read with a timeout and no data fails with InterruptedByTimeoutException after the timeout; the"
            + " channel stays open")
    void readTimeout(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Handler<Integer> h = new Handler<>();
        long t0 = System.nanoTime();
        c.subject().read(ByteBuffer.allocate(8), 200, TimeUnit.MILLISECONDS, null, h);
        assertInstanceOf(InterruptedByTimeoutException.class, h.failure());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 190, "timed out after " + ms + " ms");
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("after a read timed out, a read throws IllegalStateException; writing still works")
    void readAfterTimeout(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Handler<Integer> h = new Handler<>();
        c.subject().read(ByteBuffer.allocate(8), 100, TimeUnit.MILLISECONDS, null, h);
        assertInstanceOf(InterruptedByTimeoutException.class, h.failure());
        assertThrows(IllegalStateException.class, () -> c.subject().read(ByteBuffer.allocate(8)));
        assertEquals(2, c.subject().write(bytes("ok")).get(T, TimeUnit.SECONDS));
        assertArrayEquals(bytes("ok").array(), Tck.readFully(c.peer(), 2));
    }

    @Behaviour("a read with a timeout returns data that arrives before the timeout")
    void readBeforeTimeout(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Handler<Integer> h = new Handler<>();
        c.subject().read(ByteBuffer.allocate(8), 10, TimeUnit.SECONDS, null, h);
        c.peer().write(bytes("in"));
        assertEquals(2, h.get());
    }

    @Behaviour("a read into a buffer with no room completes at once with 0")
    void readNoRoom(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertEquals(0, c.subject().read(ByteBuffer.allocate(0)).get(T, TimeUnit.SECONDS));
    }

    @Behaviour("a read into a read-only buffer throws IllegalArgumentException")
    void readReadOnly(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertThrows(IllegalArgumentException.class, () -> c.subject()
                .read(ByteBuffer.allocate(8).asReadOnlyBuffer()));
    }

    @Behaviour("read and write on an unconnected channel throw NotYetConnectedException")
    void ioNotConnected(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        assertThrows(NotYetConnectedException.class, () -> c.read(ByteBuffer.allocate(8)));
        assertThrows(NotYetConnectedException.class, () -> c.write(bytes("x")));
    }

    @Behaviour("read and write on a closed channel fail their Futures with ClosedChannelException (not thrown)")
    void ioClosed(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        c.subject().close();
        assertInstanceOf(ClosedChannelException.class, failure(c.subject().read(ByteBuffer.allocate(8))));
        assertInstanceOf(ClosedChannelException.class, failure(c.subject().write(bytes("x"))));
    }

    @Behaviour("closing a channel fails its pending read with AsynchronousCloseException through the handler")
    void closePendingRead(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Handler<Integer> h = new Handler<>();
        c.subject().read(ByteBuffer.allocate(8), null, h);
        c.subject().close();
        assertInstanceOf(AsynchronousCloseException.class, h.failure());
    }

    @Behaviour("closing a channel fails its pending read's Future with AsynchronousCloseException")
    void closePendingReadFuture(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        c.subject().close();
        assertInstanceOf(AsynchronousCloseException.class, failure(f));
    }

    @Behaviour("the peer closing the connection ends a pending read (-1), and the channel sees it when it reads again")
    void peerCloseEndsRead(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        c.peer().close();
        assertEquals(-1, f.get(T, TimeUnit.SECONDS));
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(8)).get(T, TimeUnit.SECONDS));
    }

    @Behaviour("a scattering read fills the buffers in order and completes with a long count")
    void scatteringRead(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Tck.writeFully(c.peer(), bytes("0123456789").array());
        ByteBuffer a = ByteBuffer.allocate(4);
        ByteBuffer b = ByteBuffer.allocate(6);
        long got = 0;
        while (got < 10) {
            Handler<Long> h = new Handler<>();
            c.subject().read(new ByteBuffer[] {a, b}, 0, 2, 0, TimeUnit.SECONDS, null, h);
            got += h.get();
        }
        assertEquals(10, got);
        assertEquals("0123", text(a));
        assertEquals("456789", text(b));
    }

    @Behaviour("a scattering read into buffers with no room and a gathering write of empty buffers complete with 0")
    void vectorNothingToDo(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        c.peer().write(bytes("x"));
        Thread.sleep(50);
        ByteBuffer[] full = {ByteBuffer.allocate(0), ByteBuffer.allocate(0)};
        Handler<Long> r = new Handler<>();
        c.subject().read(full, 0, 2, 0, TimeUnit.SECONDS, null, r);
        assertEquals(0L, r.get());
        Handler<Long> w = new Handler<>();
        c.subject().write(full, 0, 2, 0, TimeUnit.SECONDS, null, w);
        assertEquals(0L, w.get());
        assertEquals(1, c.subject().read(ByteBuffer.allocate(4)).get(T, TimeUnit.SECONDS));
    }

    @Behaviour("scattering and gathering calls with a bad offset or length throw IndexOutOfBoundsException")
    void vectorBounds(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        ByteBuffer[] bufs = {ByteBuffer.allocate(4)};
        Handler<Long> h = new Handler<>();
        assertThrows(IndexOutOfBoundsException.class, () -> c.subject().read(bufs, 1, 1, 0, TimeUnit.SECONDS, null, h));
        assertThrows(
                IndexOutOfBoundsException.class, () -> c.subject().write(bufs, -1, 1, 0, TimeUnit.SECONDS, null, h));
    }

    // ---- write ----

    @Behaviour("write(src) returns a Future of the count written; the peer reads the bytes")
    void writeFuture(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertEquals(5, c.subject().write(bytes("world")).get(T, TimeUnit.SECONDS));
        assertEquals("world", new String(Tck.readFully(c.peer(), 5), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Behaviour("write with a CompletionHandler: completed(count, attachment) runs on a thread of the group's pool")
    void writeHandler(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Handler<Integer> h = new Handler<>();
        c.subject().write(bytes("xyz"), 0, TimeUnit.SECONDS, "att", h);
        assertEquals(3, h.get());
        assertEquals("att", h.attachment);
        assertTrue(h.thread.getName().startsWith(Tck.ASYNC_THREAD), h.thread.getName());
        assertEquals("xyz", new String(Tck.readFully(c.peer(), 3), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Behaviour("a gathering write sends the buffers in order and completes with a long count")
    void gatheringWrite(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        ByteBuffer[] bufs = {bytes("abc"), bytes("defgh")};
        long sent = 0;
        while (sent < 8) {
            Handler<Long> h = new Handler<>();
            c.subject().write(bufs, 0, 2, 0, TimeUnit.SECONDS, null, h);
            sent += h.get();
        }
        assertEquals("abcdefgh", new String(Tck.readFully(c.peer(), 8), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Behaviour("a write of an empty buffer completes at once with 0")
    void writeEmpty(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        assertEquals(0, c.subject().write(ByteBuffer.allocate(0)).get(T, TimeUnit.SECONDS));
    }

    @Behaviour("with the send path full, a write stays pending, a second write throws WritePendingException, and the"
            + " pending write completes once the peer reads")
    void writePending(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> pending = fillUntilPending(c.subject());
        assertThrows(WritePendingException.class, () -> c.subject().write(bytes("y")));
        tck.async(() -> drain(c.peer()));
        assertTrue(pending.get(T, TimeUnit.SECONDS) > 0);
    }

    @Behaviour("a write with a timeout that cannot proceed fails with InterruptedByTimeoutException; then a write"
            + " throws IllegalStateException")
    void writeTimeout(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> pending = fillUntilPending(c.subject());
        pending.cancel(false);
        assertThrows(IllegalStateException.class, () -> c.subject().write(bytes("z")));
        // the same through a timeout, on a fresh connection
        Tck.AsyncChannels d = tck.asyncConnect();
        d.subject().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        Throwable last = null;
        for (int i = 0; i < 400 && last == null; i++) {
            chunk.clear();
            Handler<Integer> h = new Handler<>();
            d.subject().write(chunk, 300, TimeUnit.MILLISECONDS, null, h);
            try {
                h.result.get(T, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                last = e.getCause();
            }
        }
        assertInstanceOf(InterruptedByTimeoutException.class, last);
        assertThrows(IllegalStateException.class, () -> d.subject().write(bytes("z")));
        assertTrue(d.subject().isOpen());
    }

    @Behaviour("a cancelled read Future is cancelled, and the channel then refuses reads with IllegalStateException")
    void cancelRead(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        assertTrue(f.cancel(false));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(IllegalStateException.class, () -> c.subject().read(ByteBuffer.allocate(8)));
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("cancel(true) on a pending read's Future closes the channel")
    void cancelReadInterrupt(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> f = c.subject().read(ByteBuffer.allocate(8));
        assertTrue(f.cancel(true));
        assertFalse(c.subject().isOpen());
    }

    @Behaviour("1 MiB written through a chain of handlers arrives intact")
    void largeWrite(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        byte[] data = Tck.pattern(1 << 20);
        Future<byte[]> got = tck.async(() -> Tck.readFully(c.peer(), data.length));
        ByteBuffer src = ByteBuffer.wrap(data);
        CompletableFuture<Void> done = new CompletableFuture<>();
        c.subject().write(src, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (src.hasRemaining()) {
                    c.subject().write(src, null, this);
                } else {
                    done.complete(null);
                }
            }

            @Override
            public void failed(Throwable exc, Object att) {
                done.completeExceptionally(exc);
            }
        });
        done.get(30, TimeUnit.SECONDS);
        assertEquals(Tck.sha256(data), Tck.sha256(got.get(30, TimeUnit.SECONDS)));
    }

    @Behaviour("1 MiB read through a chain of handlers until end of stream arrives intact")
    void largeRead(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        byte[] data = Tck.pattern(1 << 20);
        tck.async(() -> {
            Tck.writeFully(c.peer(), data);
            c.peer().shutdownOutput();
            return null;
        });
        ByteBuffer dst = ByteBuffer.allocate(data.length + 1);
        CompletableFuture<Void> done = new CompletableFuture<>();
        c.subject().read(dst, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (n < 0) {
                    done.complete(null);
                } else {
                    c.subject().read(dst, null, this);
                }
            }

            @Override
            public void failed(Throwable exc, Object att) {
                done.completeExceptionally(exc);
            }
        });
        done.get(30, TimeUnit.SECONDS);
        dst.flip();
        byte[] got = new byte[dst.remaining()];
        dst.get(got);
        assertEquals(Tck.sha256(data), Tck.sha256(got));
    }

    @Behaviour("an echo over accepted asynchronous channels: what the peer sends comes back")
    void acceptedEcho(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncAccept();
        c.peer().write(bytes("ping"));
        ByteBuffer b = ByteBuffer.allocate(4);
        while (b.hasRemaining()) {
            assertTrue(c.subject().read(b).get(T, TimeUnit.SECONDS) > 0);
        }
        b.flip();
        while (b.hasRemaining()) {
            c.subject().write(b).get(T, TimeUnit.SECONDS);
        }
        assertEquals("ping", new String(Tck.readFully(c.peer(), 4), java.nio.charset.StandardCharsets.US_ASCII));
    }

    // ---- shutdown ----

    @Behaviour("shutdownOutput: the peer reads -1, and a write fails with ClosedChannelException")
    void shutdownOutput(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        c.subject().shutdownOutput();
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(8)));
        assertInstanceOf(ClosedChannelException.class, failure(c.subject().write(bytes("x"))));
    }

    @Behaviour("shutdownInput: a read completes with -1 at once")
    void shutdownInput(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        c.subject().shutdownInput();
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(8)).get(T, TimeUnit.SECONDS));
    }

    @Behaviour("shutdownInput and shutdownOutput on an unconnected channel throw NotYetConnectedException")
    void shutdownUnconnected(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        assertThrows(NotYetConnectedException.class, c::shutdownInput);
        assertThrows(NotYetConnectedException.class, c::shutdownOutput);
    }

    // ---- addresses and options ----

    @Behaviour("an asynchronous socket channel: bind(null) gives it a local address, a second bind throws"
            + " AlreadyBoundException, no remote address before connect")
    void socketBind(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        assertNull(c.getLocalAddress());
        assertNull(c.getRemoteAddress());
        c.bind(new InetSocketAddress(tck.subject().address(), 0));
        InetSocketAddress a = (InetSocketAddress) c.getLocalAddress();
        assertTrue(a.getPort() > 0);
        assertThrows(AlreadyBoundException.class, () -> c.bind(null));
    }

    @Behaviour("addresses of a closed asynchronous channel throw ClosedChannelException")
    void addressesClosed(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        AsynchronousServerSocketChannel l = tck.asyncServerChannel();
        c.close();
        l.close();
        assertThrows(ClosedChannelException.class, c::getLocalAddress);
        assertThrows(ClosedChannelException.class, c::getRemoteAddress);
        assertThrows(ClosedChannelException.class, l::getLocalAddress);
    }

    @Behaviour("asynchronous channels support the platform's options: supportedOptions equal the JDK's")
    void supportedOptions(Tck tck) throws Exception {
        AsynchronousChannelProvider platform = ModTcpAsynchronousChannelProvider.platformProvider();
        assertNotNull(platform);
        Set<SocketOption<?>> socket;
        Set<SocketOption<?>> server;
        AsynchronousChannelGroup g = tck.trackGroup(platform.openAsynchronousChannelGroup(1, Thread::new));
        try (AsynchronousSocketChannel s = platform.openAsynchronousSocketChannel(g);
                AsynchronousServerSocketChannel ss = platform.openAsynchronousServerSocketChannel(g)) {
            socket = s.supportedOptions();
            server = ss.supportedOptions();
        }
        assertEquals(socket, tck.asyncChannel().supportedOptions());
        assertEquals(server, tck.asyncServerChannel().supportedOptions());
    }

    @Behaviour("setOption/getOption round-trip TCP_NODELAY and SO_KEEPALIVE; SO_LINGER is unsupported"
            + " (UnsupportedOperationException); a closed channel throws ClosedChannelException")
    void options(Tck tck) throws Exception {
        AsynchronousSocketChannel c = tck.asyncChannel();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertTrue(c.getOption(StandardSocketOptions.SO_KEEPALIVE));
        assertThrows(UnsupportedOperationException.class, () -> c.setOption(StandardSocketOptions.SO_LINGER, 1));
        assertThrows(UnsupportedOperationException.class, () -> c.getOption(StandardSocketOptions.IP_TOS));
        c.close();
        assertThrows(ClosedChannelException.class, () -> c.getOption(StandardSocketOptions.TCP_NODELAY));
    }

    @Behaviour("an asynchronous server channel has SO_REUSEADDR on by default; its SO_RCVBUF can be set")
    void serverOptions(Tck tck) throws Exception {
        AsynchronousServerSocketChannel l = tck.asyncServerChannel();
        assertTrue(l.getOption(StandardSocketOptions.SO_REUSEADDR));
        l.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        assertTrue(l.getOption(StandardSocketOptions.SO_RCVBUF) > 0);
        assertThrows(UnsupportedOperationException.class, () -> l.getOption(StandardSocketOptions.TCP_NODELAY));
    }

    // ---- groups ----

    @Behaviour("a channel opened in a group has the group's provider")
    void channelProvider(Tck tck) throws Exception {
        AsynchronousChannelGroup g = tck.asyncGroup();
        assertSame(g.provider(), tck.track(AsynchronousSocketChannel.open(g)).provider());
        assertSame(
                g.provider(), tck.track(AsynchronousServerSocketChannel.open(g)).provider());
    }

    @Behaviour("channels in the default group (group null) connect, read and write")
    void defaultGroup(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        AsynchronousSocketChannel c = tck.asyncChannel(null);
        c.connect(l.getLocalAddress()).get(T, TimeUnit.SECONDS);
        SocketChannel a = tck.track(l.accept());
        assertEquals(3, c.write(bytes("dfl")).get(T, TimeUnit.SECONDS));
        assertEquals("dfl", new String(Tck.readFully(a, 3), java.nio.charset.StandardCharsets.US_ASCII));
        a.write(bytes("ok"));
        ByteBuffer b = ByteBuffer.allocate(2);
        while (b.hasRemaining()) {
            c.read(b).get(T, TimeUnit.SECONDS);
        }
        assertEquals("ok", text(b));
    }

    @Behaviour("a group withThreadPool(executor) runs completion handlers on that executor's threads")
    void withThreadPool(Tck tck) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1, r -> new Thread(r, "tck-own-pool"));
        AsynchronousChannelGroup g =
                tck.trackGroup(tck.subject().asyncProvider().openAsynchronousChannelGroup(pool, 0));
        ServerSocketChannel l = tck.peerListener();
        AsynchronousSocketChannel c = tck.asyncChannel(g);
        Handler<Void> h = new Handler<>();
        c.connect(l.getLocalAddress(), null, h);
        h.get();
        assertEquals("tck-own-pool", h.thread.getName());
        tck.track(l.accept());
    }

    @Behaviour("shutdown of a group without channels terminates it: isShutdown, awaitTermination true, isTerminated,"
            + " and its executor is shut down")
    void groupShutdownEmpty(Tck tck) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        AsynchronousChannelGroup g =
                tck.trackGroup(tck.subject().asyncProvider().openAsynchronousChannelGroup(pool, 1));
        assertFalse(g.isShutdown());
        g.shutdown();
        assertTrue(g.isShutdown());
        assertTrue(g.awaitTermination(T, TimeUnit.SECONDS));
        assertTrue(g.isTerminated());
        assertTrue(pool.isShutdown());
    }

    @Behaviour("a shut-down group refuses new channels (ShutdownChannelGroupException) and terminates when its last"
            + " channel closes")
    void groupShutdownWaitsForChannels(Tck tck) throws Exception {
        AsynchronousChannelGroup g = tck.newAsyncGroup();
        AsynchronousSocketChannel c = tck.asyncChannel(g);
        g.shutdown();
        assertThrows(ShutdownChannelGroupException.class, () -> tck.asyncChannel(g));
        assertThrows(
                ShutdownChannelGroupException.class,
                () -> tck.subject().asyncProvider().openAsynchronousServerSocketChannel(g));
        assertFalse(g.awaitTermination(200, TimeUnit.MILLISECONDS));
        assertFalse(g.isTerminated());
        c.close();
        assertTrue(g.awaitTermination(T, TimeUnit.SECONDS));
        assertTrue(g.isTerminated());
    }

    @Behaviour("shutdownNow closes the group's channels: a pending read fails with AsynchronousCloseException, and the"
            + " group terminates")
    void groupShutdownNow(Tck tck) throws Exception {
        AsynchronousChannelGroup g = tck.newAsyncGroup();
        ServerSocketChannel l = tck.peerListener();
        AsynchronousSocketChannel c = tck.asyncChannel(g);
        c.connect(l.getLocalAddress()).get(T, TimeUnit.SECONDS);
        tck.track(l.accept());
        AsynchronousServerSocketChannel s =
                tck.track(tck.subject().asyncProvider().openAsynchronousServerSocketChannel(g));
        Handler<Integer> h = new Handler<>();
        c.read(ByteBuffer.allocate(8), null, h);
        g.shutdownNow();
        assertInstanceOf(AsynchronousCloseException.class, h.failure());
        assertFalse(c.isOpen());
        assertFalse(s.isOpen());
        assertTrue(g.awaitTermination(T, TimeUnit.SECONDS));
        assertTrue(g.isTerminated());
    }

    @Behaviour("awaitTermination of a group that was not shut down returns false after the timeout")
    void awaitTerminationRunning(Tck tck) throws Exception {
        AsynchronousChannelGroup g = tck.newAsyncGroup();
        long t0 = System.nanoTime();
        assertFalse(g.awaitTermination(150, TimeUnit.MILLISECONDS));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 140);
        assertFalse(g.isShutdown());
        assertFalse(g.isTerminated());
    }

    @Behaviour("openAsynchronousChannelGroup with nThreads 0 throws IllegalArgumentException")
    void groupBadThreads(Tck tck) {
        assertThrows(
                IllegalArgumentException.class,
                () -> tck.subject().asyncProvider().openAsynchronousChannelGroup(0, Thread::new));
    }

    @Behaviour("read and write may be pending together: a pending read does not stop a write, and both complete")
    void readAndWriteTogether(Tck tck) throws Exception {
        Tck.AsyncChannels c = tck.asyncConnect();
        Future<Integer> r = c.subject().read(ByteBuffer.allocate(8));
        assertEquals(3, c.subject().write(bytes("abc")).get(T, TimeUnit.SECONDS));
        assertEquals("abc", new String(Tck.readFully(c.peer(), 3), java.nio.charset.StandardCharsets.US_ASCII));
        assertFalse(r.isDone());
        c.peer().write(bytes("d"));
        assertEquals(1, r.get(T, TimeUnit.SECONDS));
    }
}

package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Interrupts and asynchronous close of blocked operations. */
class InterruptBehaviours {
    // --- interrupts on channels ---

    @Behaviour("interrupting a thread blocked in SocketChannel.read throws ClosedByInterruptException, closes the"
            + " channel and keeps the interrupt status; the peer then reads end of stream")
    void interruptBlockedRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(10))));
        b.thread().interrupt();
        Outcome o = b.get();
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertTrue(o.interrupted(), "the interrupt status is kept");
        assertFalse(c.subject().isOpen());
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(10)));
    }

    @Behaviour("a blocking SocketChannel.read by a thread whose interrupt status is set throws"
            + " ClosedByInterruptException at once and closes the channel")
    void interruptedBeforeRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Outcome o = tck.async(() -> {
                    Thread.currentThread().interrupt();
                    return outcome(() -> c.subject().read(ByteBuffer.allocate(10)));
                })
                .get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertTrue(o.interrupted());
        assertFalse(c.subject().isOpen());
    }

    @Behaviour("a blocking SocketChannel.write by a thread whose interrupt status is set throws"
            + " ClosedByInterruptException and closes the channel")
    void interruptedBeforeWrite(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Outcome o = tck.async(() -> {
                    Thread.currentThread().interrupt();
                    return outcome(() -> c.subject().write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                })
                .get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertFalse(c.subject().isOpen());
    }

    @Behaviour("interrupting a thread blocked in ServerSocketChannel.accept throws ClosedByInterruptException and"
            + " closes the server channel")
    void interruptBlockedAccept(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        Blocked<Outcome> b = block(tck, "accept", () -> outcome(l::accept));
        b.thread().interrupt();
        Outcome o = b.get();
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertTrue(o.interrupted());
        assertFalse(l.isOpen());
    }

    @Behaviour("interrupting a thread blocked in SocketChannel.write on full buffers throws"
            + " ClosedByInterruptException and closes the channel")
    void interruptBlockedWrite(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        fillSendPath(tck, c.subject());
        Blocked<Outcome> b = block(tck, "write", () -> outcome(() -> writeAll(c.subject(), 1 << 20)));
        b.thread().interrupt();
        Outcome o = b.get();
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertFalse(c.subject().isOpen());
    }

    @Behaviour("interrupting a thread blocked in SocketChannel.connect (the listener's backlog is full) throws"
            + " ClosedByInterruptException and closes the channel")
    void interruptBlockedConnect(Tck tck) throws Exception {
        InetSocketAddress full = fullBacklog(tck);
        SocketChannel ch = tck.channel();
        Blocked<Outcome> b = block(tck, "connect", () -> outcome(() -> ch.connect(full)));
        b.thread().interrupt();
        Outcome o = b.get();
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertFalse(ch.isOpen());
    }

    @Behaviour("interrupting a thread blocked in Selector.select makes it return early with the interrupt status"
            + " kept; the selector and its channels stay open")
    void interruptSelect(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Selector sel = tck.selector();
        c.subject().configureBlocking(false);
        c.subject().register(sel, SelectionKey.OP_READ);
        Blocked<Outcome> b = block(tck, "select", () -> outcome(() -> sel.select()));
        b.thread().interrupt();
        Outcome o = b.get();
        assertEquals(null, o.failure());
        assertEquals(0, o.value());
        assertTrue(o.interrupted());
        assertTrue(sel.isOpen());
        assertTrue(c.subject().isOpen());
        assertEquals(1, sel.keys().size());
    }

    @Behaviour("Selector.select by a thread whose interrupt status is set returns at once, keeping the status")
    void interruptedBeforeSelect(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Selector sel = tck.selector();
        c.subject().configureBlocking(false);
        c.subject().register(sel, SelectionKey.OP_READ);
        Outcome o = tck.async(() -> {
                    Thread.currentThread().interrupt();
                    return outcome(() -> sel.select(20_000));
                })
                .get(5, TimeUnit.SECONDS);
        assertEquals(null, o.failure());
        assertEquals(0, o.value());
        assertTrue(o.interrupted());
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("interrupting a thread blocked in a channel's socket().getInputStream().read closes the channel and"
            + " throws ClosedByInterruptException")
    void interruptAdaptorRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        InputStream in = c.subject().socket().getInputStream();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        b.thread().interrupt();
        Outcome o = b.get();
        assertInstanceOf(ClosedByInterruptException.class, o.failure());
        assertFalse(c.subject().isOpen());
        assertTrue(c.subject().socket().isClosed());
    }

    // --- asynchronous close ---

    @Behaviour("closing a channel while another thread is blocked in its read throws AsynchronousCloseException there"
            + " (not ClosedByInterruptException, no interrupt status)")
    void closeDuringRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(10))));
        c.subject().close();
        Outcome o = b.get();
        assertEquals(AsynchronousCloseException.class, o.failure().getClass());
        assertFalse(o.interrupted());
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(10)));
    }

    @Behaviour("closing a server channel while another thread is blocked in accept throws AsynchronousCloseException")
    void closeDuringAccept(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        Blocked<Outcome> b = block(tck, "accept", () -> outcome(l::accept));
        l.close();
        assertEquals(AsynchronousCloseException.class, b.get().failure().getClass());
    }

    @Behaviour("closing a channel while another thread is blocked writing to full buffers ends that write"
            + " (AsynchronousCloseException, or the short count it had sent)")
    void closeDuringWrite(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        fillSendPath(tck, c.subject());
        Blocked<Outcome> b = block(tck, "write", () -> outcome(() -> writeAll(c.subject(), 1 << 20)));
        c.subject().close();
        Outcome o = b.get();
        // The write blocked inside ends with AsynchronousCloseException, or returns the short count it had sent, and
        // then the next write of the loop finds the channel closed.
        assertTrue(
                o.failure() instanceof AsynchronousCloseException || o.failure() instanceof ClosedChannelException,
                "the blocked write ends with the close: " + o);
        assertThrows(ClosedChannelException.class, () -> c.subject().write(ByteBuffer.allocate(1)));
    }

    @Behaviour("closing a channel while another thread is blocked in connect throws AsynchronousCloseException")
    void closeDuringConnect(Tck tck) throws Exception {
        InetSocketAddress full = fullBacklog(tck);
        SocketChannel ch = tck.channel();
        Blocked<Outcome> b = block(tck, "connect", () -> outcome(() -> ch.connect(full)));
        ch.close();
        assertEquals(AsynchronousCloseException.class, b.get().failure().getClass());
    }

    @Behaviour("after an asynchronous close, further reads on the channel throw ClosedChannelException")
    void readAfterAsyncClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(10))));
        c.subject().close();
        b.get();
        assertThrows(ClosedChannelException.class, () -> c.subject().read(ByteBuffer.allocate(1)));
    }

    @Behaviour("closing a Socket while another thread is blocked in its InputStream.read throws"
            + " SocketException(\"Socket closed\") there")
    void closeSocketDuringRead(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        InputStream in = s.subject().getInputStream();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        s.subject().close();
        Throwable f = b.get().failure();
        assertEquals(SocketException.class, f.getClass());
        assertEquals("Socket closed", f.getMessage());
    }

    @Behaviour("closing a ServerSocket while another thread is blocked in accept throws SocketException there")
    void closeServerSocketDuringAccept(Tck tck) throws Exception {
        var ss = tck.serverSocket();
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        Blocked<Outcome> b = block(tck, "accept", () -> outcome(ss::accept));
        ss.close();
        Throwable f = b.get().failure();
        assertInstanceOf(SocketException.class, f);
        assertEquals("Socket closed", f.getMessage());
    }

    @Behaviour("closing a Socket while another thread is blocked in connect (the listener's backlog is full) throws"
            + " SocketException there")
    void closeSocketDuringConnect(Tck tck) throws Exception {
        InetSocketAddress full = fullBacklog(tck);
        Socket s = tck.socket();
        Blocked<Outcome> b = block(
                tck,
                "connect",
                () -> outcome(() -> {
                    s.connect(full);
                    return 0;
                }));
        s.close();
        assertInstanceOf(SocketException.class, b.get().failure());
    }

    @Behaviour("interrupting a platform thread blocked in Socket InputStream.read neither wakes it nor closes the"
            + " socket: data sent later is read")
    void interruptDoesNotWakeSocketRead(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        InputStream in = s.subject().getInputStream();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        b.thread().interrupt();
        assertThrows(TimeoutException.class, () -> b.result().get(200, TimeUnit.MILLISECONDS));
        assertFalse(s.subject().isClosed());
        s.peer().getOutputStream().write(42);
        Outcome o = b.get();
        assertEquals(42, o.value());
        assertTrue(o.interrupted());
    }

    @Behaviour("shutdownInput from another thread wakes a thread blocked in SocketChannel.read with end of stream")
    void shutdownInputWakesRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(10))));
        c.subject().shutdownInput();
        Outcome o = b.get();
        assertEquals(null, o.failure());
        assertEquals(-1, o.value());
        assertTrue(c.subject().isOpen());
    }

    @Behaviour("closing a Selector while another thread is blocked in select makes select return; the selector is"
            + " closed afterwards")
    void closeSelectorDuringSelect(Tck tck) throws Exception {
        Selector sel = tck.selector();
        Blocked<Outcome> b = block(tck, "select", () -> outcome(() -> sel.select()));
        sel.close();
        Outcome o = b.get();
        assertEquals(null, o.failure());
        assertFalse(sel.isOpen());
    }

    // --- helpers shared by the blocking-mode and timeout behaviours ---

    /** What a call on another thread did: its value or failure, and the thread's interrupt status afterwards. */
    record Outcome(Object value, Throwable failure, boolean interrupted) {}

    interface Call {
        Object call() throws Exception;
    }

    static Outcome outcome(Call c) {
        try {
            Object v = c.call();
            return new Outcome(v, null, Thread.currentThread().isInterrupted());
        } catch (Exception e) {
            return new Outcome(null, e, Thread.currentThread().isInterrupted());
        }
    }

    /** A call running on a tracked thread, blocked in it. */
    record Blocked<T>(Thread thread, Future<T> result) {
        T get() throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(5, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code task} on a tracked thread and returns once that thread is blocked inside a method {@code method}. */
    static <T> Blocked<T> block(Tck tck, String method, Callable<T> task) throws Exception {
        CompletableFuture<Thread> started = new CompletableFuture<>();
        Future<T> f = tck.async(() -> {
            started.complete(Thread.currentThread());
            return task.call();
        });
        Thread t = started.get(5, TimeUnit.SECONDS);
        awaitBlockedIn(t, method, f);
        return new Blocked<>(t, f);
    }

    /**
     * Waits until {@code t} is inside a method named {@code method} and not running (parked, waiting, or in a native
     * call: a thread blocked in the kernel is RUNNABLE), in three samples in a row.
     */
    static void awaitBlockedIn(Thread t, String method, Future<?> f) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int stable = 0;
        while (System.nanoTime() - deadline < 0) {
            if (f.isDone()) {
                fail("the call returned instead of blocking: " + f.get());
            }
            if (blockedIn(t, method)) {
                if (++stable == 3) {
                    return;
                }
            } else {
                stable = 0;
            }
            Thread.sleep(5);
        }
        fail("the thread did not block in " + method);
    }

    private static boolean blockedIn(Thread t, String method) {
        StackTraceElement[] st = t.getStackTrace();
        if (st.length == 0) {
            return false;
        }
        boolean inside = false;
        for (StackTraceElement e : st) {
            if (e.getMethodName().equals(method)) {
                inside = true;
                break;
            }
        }
        Thread.State s = t.getState();
        return inside
                && (s == Thread.State.WAITING
                        || s == Thread.State.TIMED_WAITING
                        || s == Thread.State.BLOCKED
                        || st[0].isNativeMethod());
    }

    /**
     * Writes {@code n} bytes with blocking writes, as many calls as it takes (a blocking write may return a short count
     * once some bytes went: the JDK's does on JDK 21 and later, where the descriptor may stay non-blocking).
     */
    static Integer writeAll(SocketChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        return n;
    }

    /**
     * Fills the path from {@code ch} to its peer (which does not read): non-blocking writes until the send buffer
     * stays full for 100 ms. The channel is back in blocking mode, deregistered, afterwards.
     */
    static void fillSendPath(Tck tck, SocketChannel ch) throws IOException {
        Selector sel = tck.selector();
        ch.configureBlocking(false);
        SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            buf.clear();
            while (ch.write(buf) > 0) {
                buf.clear();
            }
            sel.selectedKeys().clear();
            if (sel.select(100) == 0) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("the send path did not fill up");
            }
        }
        key.cancel();
        sel.selectNow();
        ch.configureBlocking(true);
    }

    /**
     * A peer listener with backlog 1 whose accept queue is full (nobody accepts): connects to it until one does not
     * complete within 300 ms. New connection attempts to the address stay pending.
     */
    static InetSocketAddress fullBacklog(Tck tck) throws IOException {
        ServerSocketChannel l = tck.peerServerChannel();
        l.bind(new InetSocketAddress(tck.peer().address(), 0), 1);
        InetSocketAddress addr = (InetSocketAddress) l.getLocalAddress();
        Selector sel = tck.selector();
        for (int i = 0; i < 16; i++) {
            SocketChannel c = tck.channel();
            c.configureBlocking(false);
            if (c.connect(addr)) {
                continue;
            }
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            sel.selectedKeys().clear();
            if (sel.select(300) == 0) {
                return addr;
            }
            assertTrue(c.finishConnect());
            k.cancel();
        }
        throw new AssertionError("the backlog of " + addr + " never filled up");
    }
}

package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel and selector behaviour, run against the platform provider and modtcp alike: the expected behaviour is the
 * JDK's own. Platform runs use the kernel's loopback, modtcp runs the in-JVM loopback; both on 127.0.0.1.
 */
class ChannelBehaviourTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Nested
    class Platform extends Cases {
        @Override
        SelectorProvider provider() {
            SelectorProvider p = PlatformProvider.find();
            assertNotNull(p, "platform provider (surefire adds --add-exports java.base/sun.nio.ch)");
            assertFalse(p instanceof ModTcpSelectorProvider);
            return p;
        }
    }

    @Nested
    class ModTcp extends Cases {
        @Override
        SelectorProvider provider() {
            return new ModTcpSelectorProvider();
        }
    }

    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    abstract static class Cases {
        private final List<AutoCloseable> closeables = new ArrayList<>();

        abstract SelectorProvider provider();

        <T extends AutoCloseable> T track(T c) {
            closeables.add(c);
            return c;
        }

        @AfterEach
        void closeAll() throws Exception {
            for (AutoCloseable c : closeables) {
                c.close();
            }
        }

        ServerSocketChannel server() throws IOException {
            ServerSocketChannel ssc = track(provider().openServerSocketChannel());
            ssc.bind(new InetSocketAddress(LOOPBACK, 0));
            return ssc;
        }

        SocketChannel[] pair() throws IOException {
            ServerSocketChannel ssc = server();
            SocketChannel client = track(provider().openSocketChannel());
            assertTrue(client.connect(ssc.getLocalAddress()));
            SocketChannel accepted = track(ssc.accept());
            return new SocketChannel[] {client, accepted};
        }

        int freePort() throws IOException {
            try (ServerSocketChannel ssc = provider().openServerSocketChannel()) {
                ssc.bind(new InetSocketAddress(LOOPBACK, 0));
                return ((InetSocketAddress) ssc.getLocalAddress()).getPort();
            }
        }

        static ByteBuffer bytes(String s) {
            return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        }

        static String readExactly(SocketChannel ch, int n) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }

        @Test
        void shouldConnectAcceptAndExchangeBytesWhenBlocking() throws IOException {
            SocketChannel[] p = pair();
            assertTrue(p[0].isConnected());
            assertTrue(p[1].isConnected());
            assertEquals(p[0].getLocalAddress(), p[1].getRemoteAddress());
            assertEquals(p[0].getRemoteAddress(), p[1].getLocalAddress());
            assertEquals(5, p[0].write(bytes("hello")));
            assertEquals("hello", readExactly(p[1], 5));
            p[1].write(bytes("world!"));
            assertEquals("world!", readExactly(p[0], 6));
        }

        @Test
        void shouldConnectNonBlockingThroughSelector() throws IOException {
            ServerSocketChannel ssc = server();
            Selector sel = track(provider().openSelector());
            SocketChannel c = track(provider().openSocketChannel());
            c.configureBlocking(false);
            boolean now = c.connect(ssc.getLocalAddress());
            if (!now) {
                assertTrue(c.isConnectionPending());
                SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
                assertEquals(1, sel.select(5000));
                assertTrue(sel.selectedKeys().contains(k));
                assertTrue(k.isConnectable());
                assertTrue(c.finishConnect());
            }
            assertTrue(c.isConnected());
            assertFalse(c.isConnectionPending());
            assertTrue(c.finishConnect());
        }

        @Test
        void shouldAcceptNonBlockingReturningNullWhenNothingPending() throws IOException {
            ServerSocketChannel ssc = server();
            ssc.configureBlocking(false);
            assertNull(ssc.accept());
            Selector sel = track(provider().openSelector());
            SelectionKey k = ssc.register(sel, SelectionKey.OP_ACCEPT);
            SocketChannel c = track(provider().openSocketChannel());
            c.connect(ssc.getLocalAddress());
            assertEquals(1, sel.select(5000));
            assertTrue(k.isAcceptable());
            SocketChannel a = track(ssc.accept());
            assertNotNull(a);
            assertTrue(a.isBlocking());
        }

        @Test
        void shouldRefuseConnectAndCloseChannelWhenNoListener() throws IOException {
            int port = freePort();
            SocketChannel c = track(provider().openSocketChannel());
            ConnectException e =
                    assertThrows(ConnectException.class, () -> c.connect(new InetSocketAddress(LOOPBACK, port)));
            assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
            assertFalse(c.isOpen());
        }

        @Test
        void shouldRefuseNonBlockingConnectOnFinishConnect() throws IOException {
            int port = freePort();
            SocketChannel c = track(provider().openSocketChannel());
            c.configureBlocking(false);
            Selector sel = track(provider().openSelector());
            if (!c.connect(new InetSocketAddress(LOOPBACK, port))) {
                c.register(sel, SelectionKey.OP_CONNECT);
                assertEquals(1, sel.select(5000));
            }
            assertThrows(ConnectException.class, c::finishConnect);
            assertFalse(c.isOpen());
        }

        @Test
        void shouldReturnZeroFromNonBlockingOneByteReadOnIdleConnection() throws IOException {
            SocketChannel[] p = pair();
            p[0].configureBlocking(false);
            assertEquals(0, p[0].read(ByteBuffer.allocate(1)));
        }

        @Test
        void shouldThrowNotYetConnectedWhenReadingUnconnected() throws IOException {
            SocketChannel c = track(provider().openSocketChannel());
            assertThrows(NotYetConnectedException.class, () -> c.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> c.write(ByteBuffer.allocate(1)));
        }

        @Test
        void shouldThrowClosedChannelWhenClosed() throws IOException {
            SocketChannel[] p = pair();
            p[0].close();
            assertThrows(ClosedChannelException.class, () -> p[0].read(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, () -> p[0].write(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, () -> p[0].getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
        }

        @Test
        void shouldScatterAndGather() throws IOException {
            SocketChannel[] p = pair();
            ByteBuffer[] out = {bytes("ab"), bytes("cde"), bytes("f")};
            assertEquals(6, p[0].write(out));
            ByteBuffer[] in = {ByteBuffer.allocate(1), ByteBuffer.allocate(2), ByteBuffer.allocate(3)};
            long total = 0;
            while (total < 6) {
                total += p[1].read(in);
            }
            assertEquals("a", new String(in[0].array(), StandardCharsets.US_ASCII));
            assertEquals("bc", new String(in[1].array(), StandardCharsets.US_ASCII));
            assertEquals("def", new String(in[2].array(), StandardCharsets.US_ASCII));
        }

        @Test
        void shouldSeeEndOfStreamAfterPeerShutdownOutput() throws IOException {
            SocketChannel[] p = pair();
            p[0].write(bytes("x"));
            p[0].shutdownOutput();
            assertThrows(ClosedChannelException.class, () -> p[0].write(bytes("y")));
            assertEquals("x", readExactly(p[1], 1));
            assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
            // the other direction still works
            p[1].write(bytes("z"));
            assertEquals("z", readExactly(p[0], 1));
        }

        @Test
        void shouldReadEndOfStreamAfterShutdownInput() throws IOException {
            SocketChannel[] p = pair();
            p[0].shutdownInput();
            assertEquals(-1, p[0].read(ByteBuffer.allocate(1)));
            assertTrue(p[0].socket().isInputShutdown());
        }

        @Test
        void shouldTimeOutAdaptorReadWithSoTimeout() throws IOException {
            SocketChannel[] p = pair();
            Socket s = p[0].socket();
            s.setSoTimeout(200);
            InputStream in = s.getInputStream();
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class, in::read);
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150));
            assertTrue(p[0].isOpen());
            p[1].write(bytes("k"));
            assertEquals('k', in.read());
        }

        @Test
        void shouldReportAvailableBytesThroughAdaptor() throws Exception {
            SocketChannel[] p = pair();
            InputStream in = p[1].socket().getInputStream();
            assertEquals(0, in.available());
            OutputStream out = p[0].socket().getOutputStream();
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (in.available() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(3, in.available());
        }

        @Test
        void shouldCloseByInterruptWhenBlockedReaderIsInterrupted() throws Exception {
            SocketChannel[] p = pair();
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    p[0].read(ByteBuffer.allocate(1));
                    result.complete(null);
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.start();
            Thread.sleep(200);
            t.interrupt();
            Throwable e = result.get(5, TimeUnit.SECONDS);
            assertTrue(e instanceof ClosedByInterruptException, String.valueOf(e));
            assertFalse(p[0].isOpen());
        }

        @Test
        void shouldCloseImmediatelyWhenInterruptedBeforeBlockingRead() throws IOException {
            SocketChannel[] p = pair();
            Thread.currentThread().interrupt();
            try {
                assertThrows(ClosedByInterruptException.class, () -> p[0].read(ByteBuffer.allocate(1)));
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
            assertFalse(p[0].isOpen());
        }

        @Test
        void shouldThrowAsynchronousCloseWhenClosedWhileBlockedInRead() throws Exception {
            SocketChannel[] p = pair();
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    p[0].read(ByteBuffer.allocate(1));
                    result.complete(null);
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.start();
            Thread.sleep(200);
            p[0].close();
            Throwable e = result.get(5, TimeUnit.SECONDS);
            assertTrue(e instanceof AsynchronousCloseException, String.valueOf(e));
        }

        @Test
        void shouldThrowAsynchronousCloseWhenClosedWhileBlockedInAccept() throws Exception {
            ServerSocketChannel ssc = server();
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    ssc.accept();
                    result.complete(null);
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.start();
            Thread.sleep(200);
            ssc.close();
            Throwable e = result.get(5, TimeUnit.SECONDS);
            assertTrue(e instanceof AsynchronousCloseException, String.valueOf(e));
        }

        @Test
        void shouldCloseByInterruptWhenBlockedAcceptIsInterrupted() throws Exception {
            ServerSocketChannel ssc = server();
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    ssc.accept();
                    result.complete(null);
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.start();
            Thread.sleep(200);
            t.interrupt();
            Throwable e = result.get(5, TimeUnit.SECONDS);
            assertTrue(e instanceof ClosedByInterruptException, String.valueOf(e));
            assertFalse(ssc.isOpen());
        }

        @Test
        void shouldCloseByInterruptWhenBlockedWriterIsInterrupted() throws Exception {
            SocketChannel[] p = pair();
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    ByteBuffer big = ByteBuffer.allocate(1 << 20);
                    while (true) {
                        big.clear();
                        p[0].write(big); // the peer never reads: blocks once buffers are full
                    }
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.start();
            Thread.sleep(300);
            t.interrupt();
            Throwable e = result.get(5, TimeUnit.SECONDS);
            assertTrue(e instanceof ClosedByInterruptException, String.valueOf(e));
            assertFalse(p[0].isOpen());
        }

        @Test
        void shouldBindEphemeralPortOnWildcard() throws IOException {
            ServerSocketChannel ssc = track(provider().openServerSocketChannel());
            ssc.bind(null);
            InetSocketAddress local = (InetSocketAddress) ssc.getLocalAddress();
            assertTrue(local.getPort() > 0);
            assertTrue(local.getAddress().isAnyLocalAddress());
            assertEquals(local.getPort(), ssc.socket().getLocalPort());
            SocketChannel c = track(provider().openSocketChannel());
            assertTrue(c.connect(new InetSocketAddress(LOOPBACK, local.getPort())));
            SocketChannel a = track(ssc.accept());
            assertEquals(LOOPBACK, ((InetSocketAddress) a.getLocalAddress()).getAddress());
            InetSocketAddress cl = (InetSocketAddress) c.getLocalAddress();
            assertTrue(cl.getPort() > 0);
        }

        @Test
        void shouldFailBindWithBindExceptionWhenPortInUse() throws IOException {
            ServerSocketChannel a = server();
            ServerSocketChannel b = track(provider().openServerSocketChannel());
            assertThrows(BindException.class, () -> b.bind(a.getLocalAddress()));
        }

        @Test
        void shouldRoundTripOptions() throws IOException {
            SocketChannel[] p = pair();
            SocketChannel c = p[0];
            assertTrue(c.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY));
            assertTrue(c.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT));
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
            c.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(c.getOption(StandardSocketOptions.TCP_NODELAY));
            c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(c.getOption(StandardSocketOptions.SO_KEEPALIVE));
            c.setOption(StandardSocketOptions.SO_LINGER, 5);
            assertEquals(5, c.getOption(StandardSocketOptions.SO_LINGER));
            c.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, c.getOption(StandardSocketOptions.SO_LINGER));
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            assertTrue(c.getOption(StandardSocketOptions.SO_REUSEADDR));
            c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertTrue(c.getOption(StandardSocketOptions.SO_REUSEPORT));
            c.setOption(StandardSocketOptions.IP_TOS, 0x10);
            c.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
            assertTrue(c.getOption(StandardSocketOptions.SO_RCVBUF) > 0);
            c.setOption(StandardSocketOptions.SO_SNDBUF, 32768);
            assertTrue(c.getOption(StandardSocketOptions.SO_SNDBUF) > 0);
            assertThrows(
                    UnsupportedOperationException.class,
                    () -> c.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true));
            assertThrows(IllegalArgumentException.class, () -> c.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            Socket s = c.socket();
            assertSame(s, c.socket());
            s.setTcpNoDelay(true);
            assertTrue(s.getTcpNoDelay());
            s.setSoLinger(true, 3);
            assertEquals(3, s.getSoLinger());
            assertEquals(((InetSocketAddress) c.getLocalAddress()).getPort(), s.getLocalPort());
            assertEquals(((InetSocketAddress) c.getRemoteAddress()).getPort(), s.getPort());
            ServerSocketChannel ssc = server();
            assertTrue(ssc.getOption(StandardSocketOptions.SO_REUSEADDR));
            assertSame(ssc.socket(), ssc.socket());
        }

        @Test
        void shouldAccumulateReadyOpsWhileKeyStaysSelected() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_WRITE);
            assertEquals(1, sel.select(5000));
            assertEquals(SelectionKey.OP_WRITE, k.readyOps());
            // still selected and still writable: nothing new to count
            assertEquals(0, sel.selectNow());
            k.interestOpsOr(SelectionKey.OP_READ);
            p[1].write(bytes("r"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int n = 0;
            while (n == 0 && System.nanoTime() < deadline) {
                n = sel.select(100);
            }
            assertEquals(1, n);
            assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, k.readyOps());
            sel.selectedKeys().clear();
            assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, k.interestOpsAnd(SelectionKey.OP_READ));
            assertEquals(1, sel.selectNow());
            assertEquals(SelectionKey.OP_READ, k.readyOps());
            assertThrows(UnsupportedOperationException.class, () -> sel.selectedKeys()
                    .add(k));
        }

        @Test
        void shouldSelectWithConsumerWithoutTouchingSelectedKeys() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_WRITE);
            List<SelectionKey> seen = new ArrayList<>();
            assertEquals(1, sel.select(seen::add, 5000));
            assertEquals(List.of(k), seen);
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(1, sel.selectNow(x -> {}));
        }

        @Test
        void shouldReturnAfterTimeoutWhenNothingReady() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            p[0].register(sel, SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 150 && ms < 3000, "select(200) took " + ms + " ms");
        }

        @Test
        void shouldReturnAtOnceWhenWokenUpBeforeSelect() throws Exception {
            Selector sel = track(provider().openSelector());
            sel.wakeup();
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(10_000));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            // selectNow clears a pending wakeup
            sel.wakeup();
            sel.selectNow();
            t0 = System.nanoTime();
            assertEquals(0, sel.select(100));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(80));
            CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            sel.wakeup();
            assertEquals(0, f.get(5, TimeUnit.SECONDS));
        }

        @Test
        void shouldDeregisterCancelledKeyAtNextSelect() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_WRITE);
            assertEquals(1, sel.selectNow());
            k.cancel();
            assertFalse(k.isValid());
            assertTrue(sel.keys().contains(k));
            assertEquals(0, sel.selectNow());
            assertFalse(sel.keys().contains(k));
            assertFalse(sel.selectedKeys().contains(k));
            assertNull(p[0].keyFor(sel));
            SelectionKey k2 = p[0].register(sel, SelectionKey.OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertTrue(k2.isWritable());
        }

        @Test
        void shouldInvalidateKeysWhenSelectorClosed() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = provider().openSelector();
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_READ);
            sel.close();
            assertFalse(k.isValid());
            assertThrows(ClosedSelectorException.class, sel::selectNow);
            assertThrows(ClosedSelectorException.class, sel::keys);
            assertFalse(p[0].isRegistered());
            p[0].configureBlocking(true);
        }

        @Test
        void shouldReportReadableAtEndOfStream() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_READ);
            p[1].close();
            assertEquals(1, sel.select(5000));
            assertTrue(k.isReadable());
            assertEquals(-1, p[0].read(ByteBuffer.allocate(4)));
        }

        @Test
        void shouldSelectOverDelegatedPipeAndTcpChannelInOneSelector() throws Exception {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            java.nio.channels.Pipe pipe = provider().openPipe();
            track(pipe.sink());
            track(pipe.source());
            pipe.source().configureBlocking(false);
            p[0].configureBlocking(false);
            SelectionKey pk = pipe.source().register(sel, SelectionKey.OP_READ);
            SelectionKey tk = p[0].register(sel, SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select(10_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            pipe.sink().write(bytes("p"));
            assertEquals(1, f.get(5, TimeUnit.SECONDS));
            assertTrue(sel.selectedKeys().contains(pk));
            assertTrue(pk.isReadable());
            sel.selectedKeys().clear();
            pipe.source().read(ByteBuffer.allocate(1));
            // now the TCP channel, while the selector waits (in the internal platform selector, for modtcp)
            f = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select(10_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            p[1].write(bytes("t"));
            assertEquals(1, f.get(5, TimeUnit.SECONDS));
            assertEquals(java.util.Set.of(tk), sel.selectedKeys());
            // and a wakeup reaches it too
            sel.selectedKeys().clear();
            tk.interestOps(0);
            f = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select(10_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            sel.wakeup();
            assertEquals(0, f.get(5, TimeUnit.SECONDS));
            pk.cancel();
            sel.selectNow();
            pipe.source().configureBlocking(true);
        }

        @Test
        void shouldReturnFromSelectWhenInterruptedAndKeepTheInterrupt() throws Exception {
            Selector sel = track(provider().openSelector());
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    sel.select();
                    f.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            t.start();
            Thread.sleep(100);
            t.interrupt();
            assertTrue(f.get(5, TimeUnit.SECONDS));
            assertTrue(sel.isOpen());
        }

        @Test
        void shouldReturnFromSelectWhenSelectorClosedByAnotherThread() throws Exception {
            Selector sel = provider().openSelector();
            CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            sel.close();
            assertEquals(0, f.get(5, TimeUnit.SECONDS));
        }

        @Test
        void shouldRejectBadRegistrations() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            assertThrows(java.nio.channels.IllegalBlockingModeException.class, () -> p[0].register(sel, 0));
            p[0].configureBlocking(false);
            assertThrows(IllegalArgumentException.class, () -> p[0].register(sel, SelectionKey.OP_ACCEPT));
            SelectionKey k = p[0].register(sel, SelectionKey.OP_READ, "att");
            assertEquals("att", k.attachment());
            assertSame(k, p[0].register(sel, SelectionKey.OP_WRITE));
            assertEquals(SelectionKey.OP_WRITE, k.interestOps());
            assertThrows(java.nio.channels.IllegalBlockingModeException.class, () -> p[0].configureBlocking(true));
            assertThrows(IllegalArgumentException.class, () -> k.interestOps(SelectionKey.OP_ACCEPT));
            k.cancel();
            assertThrows(java.nio.channels.CancelledKeyException.class, k::interestOps);
            assertThrows(java.nio.channels.CancelledKeyException.class, k::readyOps);
            Selector closed = provider().openSelector();
            closed.close();
            assertThrows(ClosedSelectorException.class, () -> p[1].configureBlocking(false)
                    .register(closed, 0));
        }

        @Test
        void shouldCancelKeysWhenChannelClosed() throws IOException {
            SocketChannel[] p = pair();
            Selector sel = track(provider().openSelector());
            p[0].configureBlocking(false);
            SelectionKey k = p[0].register(sel, SelectionKey.OP_READ);
            p[0].close();
            assertFalse(k.isValid());
            sel.selectNow();
            assertFalse(sel.keys().contains(k));
        }

        @Test
        void shouldOpenUnixDomainChannelsFromThePlatform(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
                throws IOException {
            java.net.UnixDomainSocketAddress addr = java.net.UnixDomainSocketAddress.of(dir.resolve("s.sock"));
            ServerSocketChannel ssc = track(provider().openServerSocketChannel(java.net.StandardProtocolFamily.UNIX));
            ssc.bind(addr);
            SocketChannel c = track(provider().openSocketChannel(java.net.StandardProtocolFamily.UNIX));
            assertTrue(c.connect(addr));
            SocketChannel a = track(ssc.accept());
            c.write(bytes("u"));
            assertEquals("u", readExactly(a, 1));
            assertFalse(c instanceof ModTcpSocketChannel);
        }

        @Test
        void shouldOpenDatagramChannelFromThePlatform() throws IOException {
            java.nio.channels.DatagramChannel d = track(provider().openDatagramChannel());
            d.bind(new InetSocketAddress(LOOPBACK, 0));
            java.nio.channels.DatagramChannel e = track(provider().openDatagramChannel());
            e.send(bytes("d"), d.getLocalAddress());
            ByteBuffer b = ByteBuffer.allocate(4);
            assertNotNull(d.receive(b));
            assertEquals(1, b.position());
        }

        @Test
        void shouldSignalWritableAgainOnceThePeerDrainsAFullSendBuffer() throws Exception {
            SocketChannel[] p = pair();
            p[0].configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long queued = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int zeros = 0;
            // Fill both the send buffer and the peer's receive window until writes return 0 for a while.
            while (zeros < 20 && System.nanoTime() < deadline) {
                chunk.clear();
                int n = p[0].write(chunk);
                queued += n;
                if (n == 0) {
                    zeros++;
                    Thread.sleep(5);
                } else {
                    zeros = 0;
                }
            }
            assertTrue(queued > 0);
            Selector sel = track(provider().openSelector());
            SelectionKey k = p[0].register(sel, SelectionKey.OP_WRITE);
            assertEquals(0, sel.selectNow());
            ByteBuffer sink = ByteBuffer.allocate(256 * 1024);
            long drained = 0;
            while (drained < queued) {
                sink.clear();
                drained += p[1].read(sink);
                if (sel.selectNow() == 1) {
                    break;
                }
            }
            assertTrue(k.isWritable() || sel.select(5000) == 1);
            assertTrue(k.isWritable());
        }

        @Test
        void shouldResetPeerWhenClosedWithLingerZero() throws Exception {
            SocketChannel[] p = pair();
            p[0].setOption(StandardSocketOptions.SO_LINGER, 0);
            p[0].close();
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    if (p[1].read(ByteBuffer.allocate(1)) < 0) {
                        return;
                    }
                }
            });
            assertTrue(e.getMessage().contains("Connection reset"), e.getMessage());
        }

        @Test
        void shouldMoveBulkDataIntact() throws Exception {
            SocketChannel[] p = pair();
            byte[] data = new byte[1 << 20];
            new java.util.Random(1).nextBytes(data);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    p[0].write(ByteBuffer.wrap(data));
                    p[0].shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer in = ByteBuffer.allocate(data.length + 1);
            while (p[1].read(in) >= 0) {
                // drain
            }
            writer.get(10, TimeUnit.SECONDS);
            assertEquals(data.length, in.position());
            assertArrayEquals(data, java.util.Arrays.copyOf(in.array(), data.length));
        }
    }
}

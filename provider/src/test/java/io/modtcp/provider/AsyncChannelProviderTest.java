package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ModTcpAsynchronousChannelProvider} on the process-wide runtime (surefire runs this JVM with {@code
 * -Dmodtcp.kernel=127.0.0.2/32}): kernel routes, races between completion and timeout, handler exceptions, many
 * connections in one group. The JDK-defined behaviours are in the compatibility kit (AsyncChannelBehaviours).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsyncChannelProviderTest {
    static final InetAddress LO = KernelRouteTest.address("127.0.0.1");

    final ModTcpAsynchronousChannelProvider provider = new ModTcpAsynchronousChannelProvider();
    AsynchronousChannelGroup group;
    final AtomicInteger threads = new AtomicInteger();

    @BeforeEach
    void openGroup() throws Exception {
        group = provider.openAsynchronousChannelGroup(2, r -> {
            Thread t = new Thread(r, "async-test-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void closeGroup() throws Exception {
        group.shutdownNow();
        assertTrue(group.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldConnectToAKernelRoutedAddressThroughThePlatformChannel() throws Exception {
        long activeOpens = ModTcpRuntime.get().stack().counters().get(io.modtcp.stack.stats.Counter.TCP_ACTIVE_OPENS);
        try (ServerSocketChannel kernel =
                ModTcpSelectorProvider.platformProvider().openServerSocketChannel()) {
            kernel.bind(new InetSocketAddress(KernelRouteTest.KERNEL_ADDRESS, 0));
            AsynchronousSocketChannel c = provider.openAsynchronousSocketChannel(group);
            c.connect(kernel.getLocalAddress()).get(10, TimeUnit.SECONDS);
            assertEquals(kernel.getLocalAddress(), c.getRemoteAddress());
            try (SocketChannel a = kernel.accept()) {
                assertEquals(2, c.write(ByteBuffer.wrap(new byte[] {1, 2})).get(10, TimeUnit.SECONDS));
                ByteBuffer b = ByteBuffer.allocate(2);
                while (b.hasRemaining()) {
                    a.read(b);
                }
                a.write(ByteBuffer.wrap(new byte[] {3}));
                ByteBuffer r = ByteBuffer.allocate(4);
                assertEquals(1, c.read(r).get(10, TimeUnit.SECONDS));
                assertEquals(3, r.get(0));
                Future<Integer> pending = c.read(ByteBuffer.allocate(4));
                a.shutdownOutput();
                assertEquals(-1, pending.get(10, TimeUnit.SECONDS));
            }
            c.close();
        }
        assertEquals(
                activeOpens,
                ModTcpRuntime.get().stack().counters().get(io.modtcp.stack.stats.Counter.TCP_ACTIVE_OPENS),
                "the kernel route opened no modtcp connection");
    }

    @Test
    void shouldCompleteEachOperationOnceWhenDataAndTimeoutRace() throws Exception {
        try (AsynchronousServerSocketChannel l =
                provider.openAsynchronousServerSocketChannel(group).bind(new InetSocketAddress(LO, 0))) {
            int timeouts = 0;
            int reads = 0;
            for (int i = 0; i < 40; i++) {
                AsynchronousSocketChannel c = provider.openAsynchronousSocketChannel(group);
                Future<AsynchronousSocketChannel> af = l.accept();
                c.connect(l.getLocalAddress()).get(10, TimeUnit.SECONDS);
                try (AsynchronousSocketChannel a = af.get(10, TimeUnit.SECONDS)) {
                    AtomicInteger calls = new AtomicInteger();
                    CompletableFuture<Object> outcome = new CompletableFuture<>();
                    c.read(ByteBuffer.allocate(8), 2, TimeUnit.MILLISECONDS, null, new CompletionHandler<>() {
                        @Override
                        public void completed(Integer n, Object att) {
                            calls.incrementAndGet();
                            outcome.complete(n);
                        }

                        @Override
                        public void failed(Throwable exc, Object att) {
                            calls.incrementAndGet();
                            outcome.complete(exc);
                        }
                    });
                    a.write(ByteBuffer.wrap(new byte[] {7})).get(10, TimeUnit.SECONDS);
                    Object o = outcome.get(10, TimeUnit.SECONDS);
                    if (o instanceof Integer n) {
                        assertEquals(1, n);
                        reads++;
                    } else {
                        assertInstanceOf(InterruptedByTimeoutException.class, o);
                        timeouts++;
                    }
                    Thread.sleep(5);
                    assertEquals(1, calls.get(), "one completion per operation");
                } finally {
                    c.close();
                }
            }
            assertEquals(40, reads + timeouts);
        }
    }

    @Test
    void shouldHandAHandlersExceptionToTheUncaughtExceptionHandlerAndKeepThePoolWorking() throws Exception {
        List<Throwable> uncaught = new ArrayList<>();
        CountDownLatch seen = new CountDownLatch(1);
        AsynchronousChannelGroup g = provider.openAsynchronousChannelGroup(1, r -> {
            Thread t = new Thread(r, "async-throwing");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> {
                synchronized (uncaught) {
                    uncaught.add(e);
                }
                seen.countDown();
            });
            return t;
        });
        try (AsynchronousServerSocketChannel l =
                provider.openAsynchronousServerSocketChannel(g).bind(new InetSocketAddress(LO, 0))) {
            AsynchronousSocketChannel c = provider.openAsynchronousSocketChannel(g);
            Future<AsynchronousSocketChannel> af = l.accept();
            c.connect(l.getLocalAddress(), null, new CompletionHandler<Void, Object>() {
                @Override
                public void completed(Void v, Object att) {
                    throw new IllegalStateException("from the handler");
                }

                @Override
                public void failed(Throwable exc, Object att) {}
            });
            assertTrue(seen.await(10, TimeUnit.SECONDS));
            assertEquals("from the handler", uncaught.get(0).getMessage());
            try (AsynchronousSocketChannel a = af.get(10, TimeUnit.SECONDS)) {
                CompletableFuture<String> next = new CompletableFuture<>();
                a.write(ByteBuffer.wrap(new byte[] {1}), null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer n, Object att) {
                        next.complete(Thread.currentThread().getName());
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                        next.completeExceptionally(exc);
                    }
                });
                assertEquals("async-throwing", next.get(10, TimeUnit.SECONDS));
            }
            c.close();
        } finally {
            g.shutdownNow();
            assertTrue(g.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldEchoOverManyConnectionsInOneGroup() throws Exception {
        int n = 64;
        try (AsynchronousServerSocketChannel l =
                provider.openAsynchronousServerSocketChannel(group).bind(new InetSocketAddress(LO, 0), 128)) {
            l.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Object att) {
                    l.accept(null, this);
                    echo(ch, ByteBuffer.allocate(256));
                }

                @Override
                public void failed(Throwable exc, Object att) {}
            });
            List<AsynchronousSocketChannel> clients = new ArrayList<>();
            List<Future<Void>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                AsynchronousSocketChannel c = provider.openAsynchronousSocketChannel(group);
                clients.add(c);
                connects.add(c.connect(l.getLocalAddress()));
            }
            for (Future<Void> f : connects) {
                f.get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < n; i++) {
                clients.get(i)
                        .write(ByteBuffer.wrap(("client " + i).getBytes()))
                        .get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < n; i++) {
                byte[] want = ("client " + i).getBytes();
                ByteBuffer b = ByteBuffer.allocate(want.length);
                while (b.hasRemaining()) {
                    assertTrue(clients.get(i).read(b).get(10, TimeUnit.SECONDS) > 0);
                }
                assertEquals("client " + i, new String(b.array()));
                clients.get(i).close();
            }
        }
    }

    static void echo(AsynchronousSocketChannel ch, ByteBuffer buf) {
        ch.read(buf, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (n < 0) {
                    return;
                }
                buf.flip();
                ch.write(buf, null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer w, Object a2) {
                        if (buf.hasRemaining()) {
                            ch.write(buf, null, this);
                        } else {
                            buf.clear();
                            echo(ch, buf);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Object a2) {}
                });
            }

            @Override
            public void failed(Throwable exc, Object att) {}
        });
    }

    @Test
    void shouldRefuseAnotherProvidersGroup() throws Exception {
        AsynchronousChannelProvider platform = ModTcpAsynchronousChannelProvider.platformProvider();
        assertNotNull(platform);
        AsynchronousChannelGroup other = platform.openAsynchronousChannelGroup(1, Thread::new);
        try {
            assertThrows(IllegalChannelGroupException.class, () -> provider.openAsynchronousSocketChannel(other));
            assertThrows(IllegalChannelGroupException.class, () -> provider.openAsynchronousServerSocketChannel(other));
        } finally {
            other.shutdownNow();
        }
        assertSame(provider, provider.openAsynchronousSocketChannel(null).provider());
    }

    @Test
    void shouldFailAnOperationWhoseHandlerTheTerminatedPoolRefusesWithShutdownChannelGroupException() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        AsynchronousChannelGroup g = provider.openAsynchronousChannelGroup(pool, 0);
        AsynchronousSocketChannel c = provider.openAsynchronousSocketChannel(g);
        pool.shutdownNow();
        c.close();
        // the channel is closed: the JDK reports that through the handler, which the pool can no longer run
        assertThrows(
                java.nio.channels.ShutdownChannelGroupException.class,
                () -> c.read(ByteBuffer.allocate(1), null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer n, Object att) {}

                    @Override
                    public void failed(Throwable exc, Object att) {}
                }));
        ExecutionException e = assertThrows(
                ExecutionException.class, () -> c.read(ByteBuffer.allocate(1)).get(1, TimeUnit.SECONDS));
        assertInstanceOf(java.nio.channels.ClosedChannelException.class, e.getCause());
        g.shutdown();
        assertTrue(g.awaitTermination(10, TimeUnit.SECONDS));
    }
}

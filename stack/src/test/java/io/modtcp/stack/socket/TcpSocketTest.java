package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The socket layer over the loopback link with a real stack thread: blocking, timeouts, errors, close. */
@Timeout(20)
class TcpSocketTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private NetStack stack;
    private StackThread thread;

    @BeforeEach
    void start() {
        stack = NetStack.builder().loopback().seed(42).build();
        thread = new StackThread(stack, "test-stack").start();
    }

    @AfterEach
    void stop() {
        thread.close();
        stack.close();
    }

    private TcpSocket listen(int port) throws Exception {
        TcpSocket server = stack.openSocket();
        server.bind(LO, port);
        server.listen(8);
        return server;
    }

    private TcpSocket[] pair(int port) throws Exception {
        TcpSocket server = listen(port);
        TcpSocket client = stack.openSocket();
        assertTrue(client.connect(LO, port, 5 * SECOND));
        TcpSocket accepted = server.accept(5 * SECOND);
        assertNotNull(accepted);
        return new TcpSocket[] {client, accepted, server};
    }

    @Nested
    class Connecting {
        @Test
        void shouldThrowConnectExceptionWhenNobodyListens() {
            TcpSocket client = stack.openSocket();
            ConnectException e = assertThrows(ConnectException.class, () -> client.connect(LO, 9, 5 * SECOND));
            assertEquals("Connection refused", e.getMessage());
        }

        @Test
        void shouldThrowNoRouteWhenNoInterfaceReachesTheAddress() {
            TcpSocket client = stack.openSocket();
            assertThrows(
                    NoRouteToHostException.class, () -> client.connect(IpAddr.parseV4("198.51.100.7"), 80, SECOND));
        }

        @Test
        void shouldCompleteWithFinishConnectWhenStartedNonBlocking() throws Exception {
            listen(7000);
            TcpSocket client = stack.openSocket();
            client.connect(LO, 7000, 0);
            assertTrue(client.finishConnect(5 * SECOND));
            assertTrue(client.isConnected());
            assertEquals(LO, client.localAddress());
            assertTrue(client.localPort() >= 32768 && client.localPort() <= 60999);
            assertEquals(7000, client.remotePort());
        }

        @Test
        void shouldRejectSecondConnect() throws Exception {
            TcpSocket[] p = pair(7001);
            assertThrows(SocketException.class, () -> p[0].connect(LO, 7001, SECOND));
        }

        @Test
        void shouldRejectPortOutOfRange() {
            TcpSocket client = stack.openSocket();
            assertThrows(IllegalArgumentException.class, () -> client.connect(LO, 70000, SECOND));
        }
    }

    @Nested
    class Binding {
        @Test
        void shouldThrowBindExceptionWhenPortInUse() throws Exception {
            listen(7100);
            TcpSocket other = stack.openSocket();
            BindException e = assertThrows(BindException.class, () -> other.bind(LO, 7100));
            assertEquals("Address already in use", e.getMessage());
        }

        @Test
        void shouldThrowBindExceptionWhenAddressIsNotLocal() {
            TcpSocket s = stack.openSocket();
            assertThrows(BindException.class, () -> s.bind(IpAddr.parseV4("198.51.100.1"), 7101));
        }

        @Test
        void shouldPickEphemeralPortWhenBindingPortZero() throws Exception {
            TcpSocket s = stack.openSocket();
            s.bind(LO, 0);
            assertTrue(s.localPort() > 0);
        }

        @Test
        void shouldAllowRebindAfterListenerClosed() throws Exception {
            TcpSocket server = listen(7102);
            server.close();
            TcpSocket again = stack.openSocket();
            assertTrueEventually(() -> {
                try {
                    again.bind(LO, 7102);
                    return true;
                } catch (BindException e) {
                    return false;
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Nested
    class Accepting {
        @Test
        void shouldTimeOutWhenNoConnectionArrives() throws Exception {
            TcpSocket server = listen(7200);
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> server.accept(TimeUnit.MILLISECONDS.toNanos(200)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
        }

        @Test
        void shouldReturnNullWhenNonBlockingAndNothingPending() throws Exception {
            assertNull(listen(7201).accept(0));
        }

        @Test
        void shouldFailAcceptWhenNotListening() {
            TcpSocket s = stack.openSocket();
            assertThrows(SocketException.class, () -> s.accept(0));
        }

        @Test
        void shouldReportAcceptableReadinessWhenConnectionQueued() throws Exception {
            TcpSocket server = listen(7202);
            CountDownLatch ready = new CountDownLatch(1);
            server.setReadinessListener(s -> {
                if ((s.readyOps() & TcpSocket.OP_ACCEPT) != 0) {
                    ready.countDown();
                }
            });
            stack.openSocket().connect(LO, 7202, 0);
            assertTrue(ready.await(5, TimeUnit.SECONDS));
            assertNotNull(server.accept(0));
        }
    }

    @Nested
    class Data {
        @Test
        void shouldMoveBytesBothWaysIntact() throws Exception {
            TcpSocket[] p = pair(7300);
            byte[] data = new byte[3_000_000];
            new Random(1).nextBytes(data);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    p[0].write(ByteBuffer.wrap(data), TcpSocket.FOREVER);
                    p[0].shutdownOutput();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            ByteBuffer got = ByteBuffer.allocate(data.length + 1);
            while (p[1].read(got, 5 * SECOND) >= 0) {
                // until EOF
            }
            writer.join();
            assertNull(failure.get());
            assertEquals(data.length, got.position());
            assertArrayEquals(data, java.util.Arrays.copyOf(got.array(), data.length));
        }

        @Test
        void shouldTimeOutReadWhenNoDataArrives() throws Exception {
            TcpSocket[] p = pair(7301);
            assertThrows(SocketTimeoutException.class, () -> p[1].read(ByteBuffer.allocate(4), SECOND / 5));
            // The connection survives a read timeout.
            p[0].write(ByteBuffer.wrap(new byte[] {1}), SECOND);
            assertEquals(1, p[1].read(ByteBuffer.allocate(4), 5 * SECOND));
        }

        @Test
        void shouldReturnZeroWhenNonBlockingReadFindsNothing() throws Exception {
            TcpSocket[] p = pair(7302);
            assertEquals(0, p[1].read(ByteBuffer.allocate(1), 0));
        }

        @Test
        void shouldReportAvailableBytes() throws Exception {
            TcpSocket[] p = pair(7303);
            p[0].write(ByteBuffer.wrap(new byte[100]), SECOND);
            assertTrueEventually(() -> available(p[1]) == 100);
        }

        @Test
        void shouldStopAcceptingWritesWhenSendBufferIsFullAndPeerDoesNotRead() throws Exception {
            TcpSocket[] p = pair(7304);
            ByteBuffer big = ByteBuffer.allocate(4 << 20);
            int queued = p[0].write(big, 0);
            // Send buffer (256 KiB) plus what the peer's window took; then a non-blocking write queues nothing.
            assertTrue(queued < (1 << 20), "queued " + queued);
            // The peer's receive buffer fills up (to within the 128-byte granularity of its scaled window); after
            // that nothing more is acknowledged.
            assertTrueEventually(() -> available(p[1]) > p[1].receiveBufferSize() - 128);
            // ... and everything it holds is acknowledged (the last ACK may be a delayed one).
            int port = p[0].localPort();
            assertTrueEventually(() -> stack.callUnchecked(() -> stack.tcp().connections().stream()
                    .filter(c -> c.connection().localPort() == port)
                    .allMatch(c -> c.delivery().flightSize() == 0)));
            assertTrueEventually(() -> {
                try {
                    return p[0].write(ByteBuffer.allocate(1 << 16), 0) == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThrows(SocketTimeoutException.class, () -> p[0].write(ByteBuffer.allocate(1 << 20), SECOND / 5));
        }

        @Test
        void shouldThrowInterruptedIoExceptionWhenReaderIsInterrupted() throws Exception {
            TcpSocket[] p = pair(7305);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    p[1].read(ByteBuffer.allocate(1), TcpSocket.FOREVER);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            reader.start();
            assertTrueEventually(() -> reader.getState() == Thread.State.WAITING);
            reader.interrupt();
            reader.join(5000);
            assertTrue(thrown.get() instanceof InterruptedIOException, String.valueOf(thrown.get()));
        }

        @Test
        void shouldKeepWaitingAndKeepTheInterruptStatusWhenNotInterruptible() throws Exception {
            TcpSocket[] p = pair(7306);
            p[1].setInterruptible(false);
            AtomicReference<Object> result = new AtomicReference<>();
            AtomicReference<Boolean> interrupted = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    result.set(p[1].read(ByteBuffer.allocate(1), TcpSocket.FOREVER));
                } catch (Throwable t) {
                    result.set(t);
                }
                interrupted.set(Thread.currentThread().isInterrupted());
            });
            reader.start();
            assertTrueEventually(() -> reader.getState() == Thread.State.WAITING);
            reader.interrupt();
            assertTrueEventually(() -> reader.getState() == Thread.State.WAITING);
            assertNull(result.get());
            p[0].write(ByteBuffer.wrap(new byte[] {1}), SECOND);
            reader.join(5000);
            assertEquals(1, result.get());
            assertTrue(interrupted.get());
        }
    }

    @Nested
    class Closing {
        @Test
        void shouldWakeABlockedReaderWithEndOfStreamWhenInputIsShutDown() throws Exception {
            TcpSocket[] p = pair(7399);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    result.set(p[1].read(ByteBuffer.allocate(1), TcpSocket.FOREVER));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            reader.start();
            assertTrueEventually(() -> reader.getState() == Thread.State.WAITING);
            p[1].shutdownInput();
            reader.join(5000);
            assertEquals(-1, result.get());
        }

        @Test
        void shouldDeliverEndOfStreamAfterShutdownOutputAndKeepOtherDirection() throws Exception {
            TcpSocket[] p = pair(7400);
            p[0].write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SECOND);
            p[0].shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(3, p[1].read(buf, 5 * SECOND));
            assertEquals(-1, p[1].read(buf, 5 * SECOND));
            assertThrows(SocketException.class, () -> p[0].write(ByteBuffer.wrap(new byte[1]), SECOND));
            p[1].write(ByteBuffer.wrap(new byte[] {9}), SECOND);
            ByteBuffer back = ByteBuffer.allocate(2);
            assertEquals(1, p[0].read(back, 5 * SECOND));
        }

        @Test
        void shouldResetPeerWhenClosingWithUnreadData() throws Exception {
            TcpSocket[] p = pair(7401);
            p[0].write(ByteBuffer.wrap(new byte[10]), SECOND);
            assertTrueEventually(() -> available(p[1]) == 10);
            long rsts = stack.counters().get(Counter.TCP_OUT_RSTS);
            p[1].close();
            assertTrueEventually(() -> stack.counters().get(Counter.TCP_OUT_RSTS) > rsts);
            SocketException e = assertThrows(SocketException.class, () -> {
                p[0].read(ByteBuffer.allocate(1), 5 * SECOND);
            });
            assertEquals("Connection reset", e.getMessage());
        }

        @Test
        void shouldKeepDataReceivedBeforeAResetAndReportTheResetOnEveryLaterRead() throws Exception {
            TcpSocket[] p = pair(7405);
            p[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SECOND);
            assertTrueEventually(() -> available(p[0]) == 3);
            long resets = stack.counters().get(Counter.TCP_ESTAB_RESETS);
            p[1].setLinger(0);
            p[1].close();
            assertTrueEventually(() -> stack.counters().get(Counter.TCP_ESTAB_RESETS) > resets);
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(3, p[0].read(buf, 5 * SECOND), "bytes received before the reset stay readable");
            for (int i = 0; i < 3; i++) {
                SocketException e = assertThrows(SocketException.class, () -> p[0].read(ByteBuffer.allocate(1), 0));
                assertEquals("Connection reset", e.getMessage(), "every read after the data, as the JDK's");
            }
        }

        @Test
        void shouldWakeAWriterBlockedOnAFullSendBufferWhenOutputIsShutDown() throws Exception {
            TcpSocket[] p = pair(7406);
            p[0].setSendBufferSize(2048);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        p[0].write(ByteBuffer.wrap(new byte[65536]), TcpSocket.FOREVER);
                    }
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            writer.start();
            assertTrueEventually(() -> writer.getState() == Thread.State.WAITING);
            p[0].shutdownOutput();
            writer.join(5000);
            assertFalse(writer.isAlive(), "the writer was woken");
            assertTrue(thrown.get() instanceof SocketException, String.valueOf(thrown.get()));
        }

        @Test
        void shouldProbeAnIdleConnectionAfterTheSocketsKeepIdle() throws Exception {
            TcpSocket[] p = pair(7407);
            assertThrows(SocketException.class, () -> p[0].setKeepIdle(0));
            assertThrows(SocketException.class, () -> p[0].setKeepCount(128));
            long probes = stack.counters().get(Counter.TCP_KEEPALIVE_PROBES);
            p[0].setKeepIdle(1);
            p[0].setKeepInterval(1);
            p[0].setKeepCount(2);
            p[0].setKeepAlive(true);
            assertEquals(1, p[0].keepIdle());
            // The stack's default idle time is two hours (RFC 1122 §4.2.3.6): a probe within seconds is the option's.
            assertTrueEventually(() -> stack.counters().get(Counter.TCP_KEEPALIVE_PROBES) > probes);
            p[1].write(ByteBuffer.wrap(new byte[] {5}), SECOND);
            assertEquals(1, p[0].read(ByteBuffer.allocate(1), 5 * SECOND), "answered probes keep it alive");
        }

        @Test
        void shouldResetPeerWhenLingerIsZero() throws Exception {
            TcpSocket[] p = pair(7402);
            p[0].setLinger(0);
            p[0].close();
            assertThrows(SocketException.class, () -> p[1].read(ByteBuffer.allocate(1), 5 * SECOND));
        }

        @Test
        void shouldFailOperationsOnClosedSocket() throws Exception {
            TcpSocket[] p = pair(7403);
            p[0].close();
            assertTrue(p[0].isClosed());
            assertThrows(SocketException.class, () -> p[0].read(ByteBuffer.allocate(1), 0));
            assertThrows(SocketException.class, () -> p[0].write(ByteBuffer.allocate(1), 0));
            p[0].close(); // idempotent
        }

        @Test
        void shouldWakeBlockedAcceptorWithErrorWhenListenerClosedByAnotherThread() throws Exception {
            TcpSocket server = listen(7404);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    server.accept(TcpSocket.FOREVER);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            acceptor.start();
            assertTrueEventually(() -> acceptor.getState() == Thread.State.WAITING);
            server.close();
            acceptor.join(5000);
            assertFalse(acceptor.isAlive());
            assertTrue(thrown.get() instanceof SocketException, String.valueOf(thrown.get()));
        }

        @Test
        void shouldFinishConnectionsAndFreeThemAfterBothSidesClose() throws Exception {
            TcpSocket[] p = pair(7405);
            p[0].close();
            assertEquals(-1, p[1].read(ByteBuffer.allocate(1), 5 * SECOND));
            p[1].close();
            // Active closer stays in TIME-WAIT; the passive closer's connection is freed.
            assertTrueEventually(
                    () -> stack.callUnchecked(() -> stack.tcp().connections().size()) == 1);
        }
    }

    @Nested
    class Options {
        private String algorithmOf(TcpSocket s) {
            int port = s.localPort();
            return stack.callUnchecked(() -> stack.tcp().connections().stream()
                    .filter(c -> c.connection().localPort() == port)
                    .findFirst()
                    .orElseThrow()
                    .congestion()
                    .algorithm());
        }

        @Test
        void shouldUseCubicByDefaultAndTheChosenAlgorithmPerSocket() throws Exception {
            TcpSocket server = listen(7500);
            server.setCongestionControl("newreno");
            TcpSocket cubicClient = stack.openSocket();
            assertTrue(cubicClient.connect(LO, 7500, 5 * SECOND));
            assertEquals("cubic", algorithmOf(cubicClient));
            TcpSocket accepted = server.accept(5 * SECOND);
            assertEquals("newreno", algorithmOf(accepted));

            TcpSocket renoClient = stack.openSocket();
            renoClient.setCongestionControl("reno");
            assertTrue(renoClient.connect(LO, 7500, 5 * SECOND));
            assertEquals("newreno", algorithmOf(renoClient));
        }

        @Test
        void shouldRejectUnknownAlgorithm() {
            TcpSocket s = stack.openSocket();
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> s.setCongestionControl("bbr"));
            assertTrue(e.getMessage().contains("bbr"));
        }
    }

    private static int available(TcpSocket s) {
        try {
            return s.available();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertTrueEventually(java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + 10 * SECOND;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}

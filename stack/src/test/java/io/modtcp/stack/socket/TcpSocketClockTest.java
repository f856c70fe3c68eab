package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.Clock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Socket commands run inside {@code NetStack.poll} and must use the poll's time (the stack's TCP timestamps then stay
 * monotonic; checked by PAWS drops and RTO expiries once timestamps are negotiated): with a clock that moves 1 ms on
 * every read, a command that read the clock afresh stamped its SYN later than the handshake ACK that the same poll
 * sent afterwards (TSval going backwards), the listener dropped that ACK by PAWS and the handshake waited a whole
 * SYN-ACK retransmission timeout.
 *
 * <p>Virtual time only: the test's thread is the stack thread and polls; a second thread issues each connect, so that
 * the connect is a queued command that runs inside a poll (on the stack thread itself it would run at once, outside
 * any poll). The clock is the test's own counter, not the wall clock, so the bound below is virtual time.
 */
@Timeout(20)
class TcpSocketClockTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldKeepTimestampsMonotonicWhenCommandsRunInsideAPoll() throws Exception {
        AtomicLong time = new AtomicLong(1_000_000_000L);
        Clock ticking = () -> time.addAndGet(MS);
        NetStack stack = NetStack.builder().clock(ticking).loopback().seed(7).build();
        long initialRtoNs = TcpConfig.DEFAULT.initialRtoNs();
        stack.bindToCurrentThread();
        try {
            TcpSocket server = stack.openSocket();
            server.bind(LO, 9000);
            server.listen(8);
            for (int i = 0; i < 20; i++) {
                TcpSocket client = stack.openSocket();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread connector = new Thread(
                        () -> {
                            try {
                                client.connect(LO, 9000, 0);
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        },
                        "connector-" + i);
                connector.start();
                while (!stack.hasPendingWork()) {
                    assertTrue(connector.isAlive() || stack.hasPendingWork(), "connect never queued: " + failure);
                    Thread.onSpinWait();
                }
                long startNs = time.get();
                TcpSocket accepted = null;
                // Without the fix the final ACK is dropped by PAWS and only the SYN-ACK retransmission, one initial
                // RTO later, completes the handshake: the loop gives up before that.
                while (accepted == null && time.get() - startNs < initialRtoNs / 2) {
                    stack.poll(ticking.nanoTime());
                    accepted = server.accept(0);
                }
                connector.join();
                assertNull(failure.get());
                assertNotNull(accepted, "handshake " + i + " not done within half an initial RTO of virtual time");
                assertTrue(client.isConnected());
                client.abort();
                accepted.abort();
                stack.poll(ticking.nanoTime());
            }
            assertEquals(0, stack.counters().get(Counter.TCP_DROP_PAWS));
            assertEquals(0, stack.counters().get(Counter.TCP_RTO_EXPIRIES));
        } finally {
            stack.close();
        }
    }
}

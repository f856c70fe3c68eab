package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.Clock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Socket commands run inside {@code NetStack.poll} and must use the poll's time (the stack's TCP timestamps then stay
 * monotonic; checked by PAWS drops and RTO expiries once timestamps are negotiated): with a clock that moves 1 ms on
 * every read, a command that read the clock afresh stamped its SYN later than the handshake ACK that the same poll
 * sent afterwards (TSval going backwards), the listener dropped that ACK by PAWS and the handshake waited a whole
 * SYN-ACK retransmission timeout.
 */
@Timeout(20)
class TcpSocketClockTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");

    @Test
    void shouldKeepTimestampsMonotonicWhenCommandsRunInsideAPoll() throws Exception {
        AtomicLong time = new AtomicLong(System.nanoTime());
        Clock ticking = () -> time.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        NetStack stack = NetStack.builder().clock(ticking).loopback().seed(7).build();
        try (StackThread thread = new StackThread(stack, "clock-test").start()) {
            assertTrue(thread.thread().isAlive());
            TcpSocket server = stack.openSocket();
            server.bind(LO, 9000);
            server.listen(8);
            for (int i = 0; i < 20; i++) {
                TcpSocket client = stack.openSocket();
                long t0 = System.nanoTime();
                client.connect(LO, 9000, TimeUnit.SECONDS.toNanos(5));
                TcpSocket accepted = server.accept(TimeUnit.SECONDS.toNanos(5));
                assertNotNull(accepted);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms < 500, "connect+accept took " + ms + " ms");
                client.abort();
                accepted.abort();
            }
            assertEquals(0, stack.counters().get(Counter.TCP_RTO_EXPIRIES));
        } finally {
            stack.close();
        }
    }
}

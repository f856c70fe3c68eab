package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.sim.TwoStacks;
import io.modtcp.stack.stats.Counter;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connect from another stack right after a listener's close is refused: the close takes the listener out of its
 * stack before it returns, as the kernel's close(2) does. It used to be only queued as a command for the stack
 * thread, and a SYN that reached the listener's stack before that thread's next round (received packets are handled
 * before commands) was answered by the closing listener: the TCK's connectRefused failed now and then on
 * modtcp-pair, where the peer's listener is on another stack thread.
 */
class ListenerCloseRaceTest {
    private static final int PORT = 5000;

    @Test
    @Timeout(30)
    void shouldRefuseAConnectThatFollowsTheListenersClose() throws Exception {
        try (TwoStacks net = new TwoStacks(7)) {
            TcpSocket listener = net.b.openSocket();
            listener.bind(TwoStacks.ADDR_B, PORT);
            listener.listen(8);
            net.settle();
            // The application closes the listener on its own thread, not B's stack thread (this test's).
            AtomicReference<IOException> failure = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                try {
                    listener.close();
                } catch (IOException e) {
                    failure.set(e);
                }
            });
            closer.start();
            // A close that only queues its command returns at once; one that waits for B's stack thread does not.
            closer.join(200);
            while (closer.isAlive()) {
                net.b.poll(net.clock.nanoTime());
                closer.join(1);
            }
            assertNull(failure.get());
            TcpSocket client = net.a.openSocket();
            assertFalse(client.connect(TwoStacks.ADDR_B, PORT, 0), "a non-blocking connect is pending");
            // The SYN is on the link; B's next round starts when it has arrived, and handles it first thing.
            long arrival = net.pair.nextEventNs();
            assertTrue(arrival != Long.MAX_VALUE, "the SYN is on its way");
            if (arrival - net.clock.nanoTime() > 0) {
                net.clock.set(arrival);
            }
            net.b.poll(net.clock.nanoTime());
            assertEquals(0, net.b.counters().get(Counter.TCP_PASSIVE_OPENS), "B answered no SYN");
            assertEquals(1, net.b.counters().get(Counter.TCP_DROP_NO_SOCKET), "B reset it: nothing listens");
            assertTrue(
                    net.runUntil(() -> (client.readyOps() & TcpSocket.OP_CONNECT) != 0, 10_000_000_000L),
                    "the connect ended");
            assertThrows(ConnectException.class, () -> client.finishConnect(0));
            client.close();
        }
    }
}

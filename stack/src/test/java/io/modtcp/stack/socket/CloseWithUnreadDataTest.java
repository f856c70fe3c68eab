package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.sim.TwoStacks;
import io.modtcp.stack.stats.Counter;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing with unread data resets the connection (RFC 2525 §2.17). If the output was shut down first, the FIN goes
 * out before the reset and the peer reads end of stream, as with Linux (which checks a received FIN before a pending
 * error); without it the peer's read fails with "Connection reset".
 */
class CloseWithUnreadDataTest {
    private static final long SECOND = 1_000_000_000L;

    private TwoStacks net;
    private TcpSocket closing; // on A
    private TcpSocket peer; // on B

    @BeforeEach
    void connect() throws IOException {
        net = new TwoStacks(11);
        TcpSocket server = net.b.openSocket();
        server.bind(TwoStacks.ADDR_B, 7000);
        server.listen(4);
        closing = net.a.openSocket();
        closing.connect(TwoStacks.ADDR_B, 7000, 0);
        assertTrue(net.runUntil(() -> closing.isConnected() && (server.readyOps() & TcpSocket.OP_ACCEPT) != 0, SECOND));
        peer = server.accept(0);
        assertNotNull(peer);
        // Data A never reads.
        assertEquals(5, peer.write(ByteBuffer.wrap("hello".getBytes()), 0));
        assertTrue(net.runUntil(() -> available(closing) == 5, SECOND));
    }

    @AfterEach
    void close() {
        net.close();
    }

    @Test
    void shouldSendFinBeforeResetWhenOutputWasShutDownInTheSameRound() throws IOException {
        long rsts = net.a.counters().get(Counter.TCP_OUT_RSTS);
        closing.shutdownOutput();
        closing.close(); // one pending request with both the shutdown and the abort
        assertTrue(net.runUntil(() -> net.a.counters().get(Counter.TCP_OUT_RSTS) > rsts, SECOND));
        net.settle();

        assertEquals(-1, peer.read(ByteBuffer.allocate(8), 0), "the FIN came first: end of stream");
        SocketException e = assertThrows(SocketException.class, () -> peer.write(ByteBuffer.wrap(new byte[] {1}), 0));
        assertTrue(e.getMessage().contains("reset"), e.getMessage());
    }

    @Test
    void shouldFailPeerReadWithResetWhenClosedWithoutShutdown() throws IOException {
        long rsts = net.a.counters().get(Counter.TCP_OUT_RSTS);
        closing.close();
        assertTrue(net.runUntil(() -> net.a.counters().get(Counter.TCP_OUT_RSTS) > rsts, SECOND));
        net.settle();

        SocketException e = assertThrows(SocketException.class, () -> peer.read(ByteBuffer.allocate(8), 0));
        assertEquals("Connection reset", e.getMessage());
    }

    private static int available(TcpSocket s) {
        try {
            return s.available();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

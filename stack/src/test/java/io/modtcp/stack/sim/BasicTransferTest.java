package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.tcp.common.TcpState;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BasicTransferTest {
    @Test
    void shouldConnectTransferAndCloseWhenLinkIsPerfect() throws Exception {
        try (TwoStacks net = new TwoStacks(1)) {
            TcpSocket server = net.b.openSocket();
            server.bind(TwoStacks.ADDR_B, 80);
            server.listen(16);
            TcpSocket client = net.a.openSocket();
            client.connect(TwoStacks.ADDR_B, 80, 0);
            assertTrue(net.runUntil(client::isConnected, 1_000_000_000L));
            TcpSocket accepted = server.accept(0);
            assertNotNull(accepted);

            byte[] data = new byte[200_000];
            new Random(7).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            client.write(src, 0);
                            accepted.read(dst, 0);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        return !dst.hasRemaining();
                    },
                    60_000_000_000L));
            assertArrayEquals(data, dst.array());

            client.close();
            assertTrue(net.runUntil(() -> readEof(accepted), 1_000_000_000L));
            accepted.close();
            assertTrue(net.runUntil(() -> client.tcpState() == TcpState.TIME_WAIT, 1_000_000_000L));
            net.advance(61_000_000_000L);
            assertEquals(0, net.a.tcp().connections().size());
            assertEquals(0, net.b.tcp().connections().size());
        }
    }

    private static boolean readEof(TcpSocket s) {
        try {
            return s.read(ByteBuffer.allocate(16), 0) == -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

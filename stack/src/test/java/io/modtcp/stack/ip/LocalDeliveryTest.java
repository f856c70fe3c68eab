package io.modtcp.stack.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.sim.TwoStacks;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection to the stack's own address on a link without loopback (a TUN or pair link) stays inside the stack, as
 * the kernel's local routes keep such traffic off the wire: nothing reaches the other end of the link.
 */
class LocalDeliveryTest {
    private static final long SECOND = 1_000_000_000L;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldConnectToOwnAddressWithoutUsingTheLink(boolean ipv6) throws IOException {
        try (TwoStacks net = new TwoStacks(
                3,
                io.modtcp.stack.link.FaultModel.NONE,
                io.modtcp.stack.link.FaultModel.NONE,
                io.modtcp.stack.tcp.common.TcpConfig.DEFAULT,
                1500,
                ipv6)) {
            IpAddr own = net.addrA;
            TcpSocket server = net.a.openSocket();
            server.bind(own, 9000);
            server.listen(4);
            TcpSocket client = net.a.openSocket();
            client.connect(own, 9000, 0);
            assertTrue(
                    net.runUntil(() -> client.isConnected() && (server.readyOps() & TcpSocket.OP_ACCEPT) != 0, SECOND));
            TcpSocket accepted = server.accept(0);
            assertNotNull(accepted);
            assertEquals(own, client.localAddress());
            assertEquals(own, accepted.remoteAddress());

            byte[] data = new byte[200_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            client.write(src, 0);
                            accepted.read(dst, 0);
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                        return !dst.hasRemaining();
                    },
                    10 * SECOND));
            assertArrayEquals(data, dst.array());
            assertEquals(0, net.b.counters().get(Counter.IP_IN_RECEIVES), "nothing may cross the link");
        }
    }
}

package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpConfig;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Receive-buffer auto-tuning on a long fat path (100 Mbit/s, 100 ms round trip: 1.25 MB in flight): the receiver's
 * buffer grows past its 256 KiB start, so the transfer runs near line rate; a fixed SO_RCVBUF stays window-limited.
 */
class AutotuningTest {
    private static final int BYTES = 8_000_000;

    record Outcome(long ns, int receiveBuffer) {}

    private static Outcome transfer(Integer fixedReceiveBuffer) throws Exception {
        FaultModel path = FaultModel.NONE.withDelayNs(50_000_000).withRateBitsPerSecond(100_000_000);
        TcpConfig config = TcpConfig.builder().sendBufferBytes(4 << 20).build();
        byte[] data = new byte[BYTES];
        new SplittableRandom(5).nextBytes(data);
        try (TwoStacks net = new TwoStacks(5, path, path, config, 1500)) {
            TcpSocket server = net.b.openSocket();
            if (fixedReceiveBuffer != null) {
                server.setReceiveBufferSize(fixedReceiveBuffer);
            }
            server.bind(TwoStacks.ADDR_B, 80);
            server.listen(1);
            TcpSocket client = net.a.openSocket();
            client.connect(TwoStacks.ADDR_B, 80, 0);
            TcpSocket[] accepted = new TcpSocket[1];
            assertTrue(net.runUntil(() -> (accepted[0] = acceptNow(server)) != null, 10_000_000_000L));
            long start = net.clock.nanoTime();
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer dst = ByteBuffer.allocate(BYTES);
            assertTrue(net.runUntil(
                    () -> {
                        try {
                            client.write(src, 0);
                            accepted[0].read(dst, 0);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        return !dst.hasRemaining();
                    },
                    300_000_000_000L));
            assertArrayEquals(data, dst.array());
            TcpConnection receiver = net.b.tcp().connections().get(0);
            return new Outcome(net.clock.nanoTime() - start, receiver.receiveBufferBytes());
        }
    }

    private static TcpSocket acceptNow(TcpSocket server) {
        try {
            return server.accept(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldGrowReceiveBufferAndFinishFasterThanFixedBuffer() throws Exception {
        Outcome tuned = transfer(null);
        Outcome fixed = transfer(256 * 1024);
        System.out.printf(
                "8 MB over 100 Mbit/s, 100 ms RTT: auto-tuned %.2f s (buffer grew to %d bytes), fixed 256 KiB %.2f s%n",
                tuned.ns() / 1e9, tuned.receiveBuffer(), fixed.ns() / 1e9);
        assertTrue(tuned.receiveBuffer() > 1_000_000, "buffer " + tuned.receiveBuffer());
        assertEquals(256 * 1024, fixed.receiveBuffer());
        assertTrue(tuned.ns() * 3 < fixed.ns() * 2, "tuned " + tuned.ns() + " fixed " + fixed.ns());
    }
}

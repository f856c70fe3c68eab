package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** modtcp and the Linux kernel over a TUN device in a private namespace: basics. */
@Timeout(60)
class KernelInteropTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @RegisterExtension
    static final KernelNet NET = KernelNet.builder().build();

    @Test
    void shouldAnswerKernelPing() throws Exception {
        String out = NET.execOutput("ping", "-c", "3", "-i", "0.2", "-W", "2", KernelNet.MODTCP_ADDR);
        assertTrue(out.contains("3 received"), out);
    }

    @Test
    void shouldAcceptKernelConnection() throws Exception {
        TcpSocket server = listen(5001);
        try (Peer peer = Peer.connect(NET, 5001, 1000, "send-first", false)) {
            TcpSocket s = server.accept(5 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            Bulk.Outcome out = Bulk.send(s, 2000, 1);
            s.close();
            Peer.Result r = peer.result(10);
            assertNull(r.error());
            assertEquals(r.sentSha(), in.sha());
            assertEquals(1000, in.bytes());
            assertEquals(out.sha(), r.receivedSha());
            assertEquals(2000, r.received());
        } finally {
            server.close();
        }
    }

    @Test
    void shouldConnectToKernel() throws Exception {
        try (Peer peer = Peer.listen(NET, 5002, 3000, "recv-first", false)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), 5002, 5 * SECOND));
            Bulk.Outcome out = Bulk.send(s, 5000, 2);
            s.shutdownOutput();
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(10);
            assertNull(r.error());
            assertEquals(out.sha(), r.receivedSha());
            assertEquals(r.sentSha(), in.sha());
            assertEquals(3000, in.bytes());
        }
    }

    static TcpSocket listen(int port) throws Exception {
        TcpSocket server = NET.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), port);
        server.listen(128);
        return server;
    }
}

package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Byte-exact transfers both ways between the kernel and modtcp over TUN on the lossy path of {@link LossyPath} (2 %
 * random loss each way by nftables, a 200 Mbit/s tbf bottleneck, a 25 MB/s policer), the CI form of the lossy-path
 * benchmark row ({@link LossyPathBench}): correctness under loss, not speed.
 */
@Timeout(300)
class KernelLossyPathTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long SIZE = 8L * 1024 * 1024;

    @RegisterExtension
    static final KernelNet NET = KernelNet.builder().build();

    @BeforeAll
    static void impair() throws Exception {
        KernelNet.requireTool("nft", "apt-get install nftables");
        LossyPath.apply(NET.namespace(), NET.device());
    }

    @Test
    void shouldSendByteExactOverTheLossyPath() throws Exception {
        try (Peer peer = Peer.listen(NET, 6201, 0, "recv-first", false)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), 6201, 10 * SECOND));
            Bulk.Outcome out = Bulk.send(s, SIZE, 12);
            s.shutdownOutput();
            Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(240);
            assertNull(r.error());
            assertEquals(SIZE, r.received());
            assertEquals(out.sha(), r.receivedSha());
            System.out.printf("lossy path, modtcp -> kernel: %d MB in %.2f s%n", SIZE >> 20, r.secs());
        }
    }

    @Test
    void shouldReceiveByteExactOverTheLossyPath() throws Exception {
        TcpSocket server = NET.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), 6202);
        server.listen(8);
        try (Peer peer = Peer.connect(NET, 6202, SIZE, "send-first", false)) {
            TcpSocket s = server.accept(10 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(240);
            assertNull(r.error());
            assertEquals(SIZE, in.bytes());
            assertEquals(r.sentSha(), in.sha());
            System.out.printf("lossy path, kernel -> modtcp: %d MB in %.2f s%n", SIZE >> 20, in.nanos() / 1e9);
        } finally {
            server.close();
        }
    }
}

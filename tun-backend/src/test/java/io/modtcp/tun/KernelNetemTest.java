package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.socket.TcpSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Byte-exact transfers with netem on the kernel side of the TUN (1 % loss, 1 % duplication, reordering, 5 ms delay)
 * and, in the second pair of tests, 1 % loss on modtcp's side as well (a lossy decorator around the TUN link).
 */
@Timeout(120)
class KernelNetemTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long SIZE = 16L * 1024 * 1024;
    static LossyLink lossy;
    /** This kernel's netem, or (kernels built without sch_netem) the same faults applied in the JVM. */
    static final boolean KERNEL_NETEM = KernelNet.kernelHasNetem();
    /** What {@link #netem()} asks of the kernel, for the in-JVM fallback. */
    static final FaultModel NETEM = FaultModel.NONE
            .withDelayNs(TimeUnit.MILLISECONDS.toNanos(5))
            .withLossRate(0.01)
            .withDuplicateRate(0.01)
            .withReorder(0.25, TimeUnit.MILLISECONDS.toNanos(5));

    @RegisterExtension
    static final KernelNet NET = KernelNet.builder()
            .decorate(link ->
                    lossy = new LossyLink(KERNEL_NETEM ? link : new ImpairedLink(link, NETEM, FaultModel.NONE, 5), 11))
            .build();

    @AfterEach
    void clear() throws Exception {
        lossy.lossRate(0);
        NET.clearNetem();
    }

    static void netem() throws Exception {
        if (KERNEL_NETEM) {
            NET.netem("delay", "5ms", "loss", "1%", "duplicate", "1%", "reorder", "25%", "50%");
        } else {
            System.out.println("this kernel has no sch_netem (CONFIG_NET_SCH_NETEM): the kernel->modtcp faults are"
                    + " applied in the JVM instead, on the same path (ImpairedLink)");
        }
    }

    @Test
    void shouldReceiveByteExactUnderKernelNetem() throws Exception {
        netem();
        kernelToModtcp(6101);
    }

    @Test
    void shouldSendByteExactUnderKernelNetem() throws Exception {
        netem();
        modtcpToKernel(6102);
    }

    @Test
    void shouldReceiveByteExactWithLossOnBothSides() throws Exception {
        netem();
        lossy.lossRate(0.01);
        kernelToModtcp(6103);
        assertTrue(lossy.dropped() > 0);
    }

    @Test
    void shouldSendByteExactWithLossOnBothSides() throws Exception {
        netem();
        lossy.lossRate(0.01);
        modtcpToKernel(6104);
        assertTrue(lossy.dropped() > 0);
    }

    static void kernelToModtcp(int port) throws Exception {
        TcpSocket server = NET.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), port);
        server.listen(8);
        try (Peer peer = Peer.connect(NET, port, SIZE, "send-first", false)) {
            TcpSocket s = server.accept(10 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(60);
            assertNull(r.error());
            assertEquals(SIZE, in.bytes());
            assertEquals(r.sentSha(), in.sha());
            System.out.printf(
                    "netem kernel -> modtcp: %.0f Mbit/s, modtcp-side drops %d%n", in.mbitPerSecond(), lossy.dropped());
        } finally {
            server.close();
        }
    }

    static void modtcpToKernel(int port) throws Exception {
        try (Peer peer = Peer.listen(NET, port, 0, "recv-first", false)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), port, 10 * SECOND));
            Bulk.Outcome out = Bulk.send(s, SIZE, 9);
            s.shutdownOutput();
            Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(60);
            assertNull(r.error());
            assertEquals(SIZE, r.received());
            assertEquals(out.sha(), r.receivedSha());
            System.out.printf(
                    "netem modtcp -> kernel: %.0f Mbit/s, modtcp-side drops %d%n",
                    out.mbitPerSecond(), lossy.dropped());
        }
    }
}

package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TCP between modtcp and the Linux kernel over TUN: bulk, half-close, resets, TIME-WAIT, many connections. */
@Timeout(120)
class KernelTcpTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long MB100 = 100L * 1024 * 1024;

    @RegisterExtension
    static final KernelNet NET = KernelNet.builder().mtu(1500).build();

    static TcpSocket listen(int port) throws Exception {
        TcpSocket server = NET.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), port);
        server.listen(128);
        return server;
    }

    /** Kernel sends 100 MB, half-closes; modtcp checks the hash, then answers on its still-open half. */
    @Test
    void shouldReceive100MegabytesFromKernelByteExact() throws Exception {
        TcpSocket server = listen(6001);
        try (Peer peer = Peer.connect(NET, 6001, MB100, "send-first", false)) {
            TcpSocket s = server.accept(5 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            Bulk.Outcome out = Bulk.send(s, 4096, 3);
            s.close();
            Peer.Result r = peer.result(30);
            assertNull(r.error());
            assertEquals(MB100, in.bytes());
            assertEquals(r.sentSha(), in.sha());
            assertEquals(4096, r.received(), "modtcp's data after the kernel's FIN (half-close)");
            assertEquals(out.sha(), r.receivedSha());
            System.out.printf(
                    "kernel -> modtcp: %d MB in %.2f s = %.0f Mbit/s%n",
                    MB100 >> 20, in.nanos() / 1e9, in.mbitPerSecond());
        } finally {
            server.close();
        }
    }

    /** modtcp sends 100 MB, half-closes; the kernel checks the hash, then answers on its still-open half. */
    @Test
    void shouldSend100MegabytesToKernelByteExact() throws Exception {
        try (Peer peer = Peer.listen(NET, 6002, 4096, "recv-first", false)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), 6002, 5 * SECOND));
            Bulk.Outcome out = Bulk.send(s, MB100, 4);
            s.shutdownOutput();
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(30);
            assertNull(r.error());
            assertEquals(MB100, r.received());
            assertEquals(out.sha(), r.receivedSha());
            assertEquals(4096, in.bytes(), "kernel's data after modtcp's FIN (half-close)");
            assertEquals(r.sentSha(), in.sha());
            System.out.printf(
                    "modtcp -> kernel: %d MB in %.2f s = %.0f Mbit/s%n",
                    MB100 >> 20, out.nanos() / 1e9, out.mbitPerSecond());
        }
    }

    @Test
    void shouldGiveKernelEconnrefusedForClosedPort() throws Exception {
        try (Peer peer = Peer.connect(NET, 6999, 0, "send-first", false)) {
            assertEquals("ECONNREFUSED", peer.result(10).error());
        }
    }

    @Test
    void shouldRefuseModtcpConnectToClosedKernelPort() {
        TcpSocket s = NET.stack().openSocket();
        ConnectException e =
                assertThrows(ConnectException.class, () -> s.connect(KernelNet.kernelAddr(), 6998, 5 * SECOND));
        assertEquals("Connection refused", e.getMessage());
    }

    @Test
    void shouldResetModtcpWhenKernelAborts() throws Exception {
        try (Peer peer = Peer.listen(NET, 6003, 1000, "send-first", true)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), 6003, 5 * SECOND));
            peer.result(10);
            SocketException e = assertThrows(SocketException.class, () -> {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (true) {
                    buf.clear();
                    if (s.read(buf, 10 * SECOND) < 0) {
                        throw new AssertionError("EOF instead of reset");
                    }
                }
            });
            assertEquals("Connection reset", e.getMessage());
            s.close();
        }
    }

    /** modtcp closes first: modtcp holds TIME-WAIT, the kernel none. */
    @Test
    void shouldEnterTimeWaitOnModtcpWhenModtcpClosesFirst() throws Exception {
        try (Peer peer = Peer.listen(NET, 6004, 0, "recv-first", false)) {
            TcpSocket s = NET.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), 6004, 5 * SECOND));
            int port = s.localPort();
            Bulk.send(s, 100, 5);
            s.shutdownOutput();
            assertEquals(-1, s.read(ByteBuffer.allocate(16), 10 * SECOND));
            s.close();
            peer.result(10);
            assertEquals(TcpState.TIME_WAIT, eventuallyState(port));
            String kernelTw = NET.execOutput("ss", "-Htn", "state", "time-wait");
            assertFalse(kernelTw.contains(KernelNet.MODTCP_ADDR + ":" + port), kernelTw);
        }
    }

    /** The kernel closes first: the kernel holds TIME-WAIT, modtcp none. */
    @Test
    void shouldLeaveTimeWaitToKernelWhenKernelClosesFirst() throws Exception {
        TcpSocket server = listen(6005);
        try (Peer peer = Peer.connect(NET, 6005, 100, "send-first", false)) {
            TcpSocket s = server.accept(5 * SECOND);
            assertNotNull(s);
            Bulk.receive(s);
            int remotePort = s.remotePort();
            s.close();
            peer.result(10);
            long deadline = System.nanoTime() + 5 * SECOND;
            String kernelTw;
            do {
                kernelTw = NET.execOutput("ss", "-Htn", "state", "time-wait");
            } while (!kernelTw.contains(":" + remotePort) && System.nanoTime() < deadline);
            assertTrue(kernelTw.contains(KernelNet.KERNEL_ADDR + ":" + remotePort), kernelTw);
            assertNull(connectionState(6005, remotePort), "modtcp keeps no connection after LAST-ACK");
        } finally {
            server.close();
        }
    }

    @Test
    void shouldServe100ConcurrentKernelConnections() throws Exception {
        int count = 100;
        TcpSocket server = listen(6006);
        List<Thread> echoes = new ArrayList<>();
        try (Peer peer = Peer.multi(NET, 6006, 32 * 1024, count)) {
            for (int i = 0; i < count; i++) {
                TcpSocket s = server.accept(20 * SECOND);
                assertNotNull(s, "accepted " + i);
                Thread t = new Thread(() -> echo(s), "echo-" + i);
                t.start();
                echoes.add(t);
            }
            Peer.Result r = peer.result(60);
            assertNull(r.error());
            assertEquals(count, r.sent(), "connections whose echo matched");
            for (Thread t : echoes) {
                t.join(10_000);
            }
        } finally {
            server.close();
        }
    }

    private static void echo(TcpSocket s) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        try {
            while (true) {
                buf.clear();
                if (s.read(buf, 30 * SECOND) < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    s.write(buf, 30 * SECOND);
                }
            }
            s.close();
        } catch (Exception e) {
            s.abort();
        }
    }

    private static TcpState eventuallyState(int localPort) throws InterruptedException {
        long deadline = System.nanoTime() + 5 * SECOND;
        TcpState st;
        do {
            st = connectionState(localPort, -1);
            if (st == TcpState.TIME_WAIT) {
                return st;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return st;
    }

    /** The state of modtcp's connection with that local port (and remote port, unless -1), or null if none. */
    private static TcpState connectionState(int localPort, int remotePort) {
        return NET.stack().callUnchecked(() -> {
            for (TcpConnection c : NET.stack().tcp().connections()) {
                if (c.connection().localPort() == localPort
                        && (remotePort < 0 || c.connection().remotePort() == remotePort)) {
                    return c.state();
                }
            }
            return null;
        });
    }
}

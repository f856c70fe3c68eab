package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code modtcp.hostloopback}: a connection to 127.0.0.1 goes to a modtcp listener bound there, else to the kernel's
 * loopback ({@code auto}, the default); {@code modtcp} and {@code kernel} force either.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostLoopbackTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    final SelectorProvider platform = ModTcpSelectorProvider.platformProvider();

    private static ModTcpRuntime runtime(String mode) {
        return ModTcpRuntime.start(
                mode == null ? ModTcpConfig.defaults() : ModTcpConfig.parse(Map.of("hostloopback", mode)));
    }

    /** A kernel listener on 127.0.0.1 that writes one byte, 42, to whoever connects. */
    private ServerSocketChannel kernelServer() throws IOException {
        assertNotNull(platform);
        ServerSocketChannel ssc = platform.openServerSocketChannel();
        ssc.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread t = new Thread(() -> {
            try (SocketChannel a = ssc.accept()) {
                a.write(ByteBuffer.wrap(new byte[] {42}));
                a.read(ByteBuffer.allocate(1)); // until the client closes
            } catch (IOException ignore) {
                // the test closed the server
            }
        });
        t.setDaemon(true);
        t.start();
        return ssc;
    }

    private static int readOne(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        assertEquals(1, c.read(b));
        return b.get(0);
    }

    @Test
    void shouldReachTheKernelsLoopbackWhereNoModtcpListenerIsAndTheOwnListenerWhereOneIs() throws Exception {
        try (ModTcpRuntime rt = runtime(null);
                ServerSocketChannel kernel = kernelServer()) {
            assertEquals(ModTcpConfig.HostLoopback.AUTO, rt.config().hostLoopback());
            ModTcpSelectorProvider p = new ModTcpSelectorProvider(rt);
            try (SocketChannel c = p.openSocketChannel()) {
                assertTrue(c.connect(kernel.getLocalAddress()));
                assertEquals(42, readOne(c), "the kernel's server answered");
            }
            long opens = rt.stack().counters().get(io.modtcp.stack.stats.Counter.TCP_ACTIVE_OPENS);
            assertEquals(0, opens, "nothing went through modtcp");
            try (ServerSocketChannel own = p.openServerSocketChannel()) {
                own.bind(new InetSocketAddress(LOOPBACK, 0));
                try (SocketChannel c = p.openSocketChannel()) {
                    assertTrue(c.connect(own.getLocalAddress()));
                    try (SocketChannel acc = own.accept()) {
                        acc.write(ByteBuffer.wrap(new byte[] {7}));
                        assertEquals(7, readOne(c), "the program's own modtcp listener answered");
                    }
                }
                // java.net.Socket (modtcp's SocketImpl) too: the kernel's listener takes the connection
                try (Socket s = p.socketFactory().createSocket()) {
                    s.connect(kernel.getLocalAddress(), 5000);
                    assertTrue(s.isConnected());
                }
            }
            assertEquals(1, rt.stack().counters().get(io.modtcp.stack.stats.Counter.TCP_ACTIVE_OPENS));
        }
    }

    @Test
    void shouldKeepLoopbackConnectionsOnModtcpWhenForced() throws Exception {
        try (ModTcpRuntime rt = runtime("modtcp");
                ServerSocketChannel kernel = kernelServer()) {
            ModTcpSelectorProvider p = new ModTcpSelectorProvider(rt);
            SocketChannel c = p.openSocketChannel();
            assertThrows(ConnectException.class, () -> c.connect(kernel.getLocalAddress()));
        }
    }

    @Test
    void shouldSendLoopbackConnectionsToTheKernelWhenForced() throws Exception {
        try (ModTcpRuntime rt = runtime("kernel")) {
            ModTcpSelectorProvider p = new ModTcpSelectorProvider(rt);
            try (ServerSocketChannel own = p.openServerSocketChannel()) {
                own.bind(new InetSocketAddress(LOOPBACK, 0));
                try (ServerSocketChannel kernel = kernelServer()) {
                    // the kernel's listener answers; the program's own listener is not reachable on 127.0.0.1
                    try (SocketChannel c = p.openSocketChannel()) {
                        assertTrue(c.connect(kernel.getLocalAddress()));
                        assertEquals(42, readOne(c));
                    }
                }
            }
            assertEquals(0, rt.stack().counters().get(io.modtcp.stack.stats.Counter.TCP_ACTIVE_OPENS));
        }
    }

    @Test
    void shouldRejectABadValueNamingTheKey() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModTcpConfig.parse(Map.of("hostloopback", "maybe")));
        assertTrue(e.getMessage().startsWith("modtcp.hostloopback='maybe'"), e.getMessage());
    }
}

package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code modtcp.kernel}: surefire runs this JVM with {@code -Dmodtcp.kernel=127.0.0.2/32}, so connections to
 * 127.0.0.2 go to the kernel's loopback (a platform listener answers), while 127.0.0.1 stays on modtcp.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KernelRouteTest {
    static final InetAddress KERNEL_ADDRESS = address("127.0.0.2");

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    final SelectorProvider platform = ModTcpSelectorProvider.platformProvider();
    final SelectorProvider modtcp = new ModTcpSelectorProvider();

    ServerSocketChannel kernelServer() throws IOException {
        assertNotNull(platform);
        assertTrue(ModTcpRuntime.get().config().routesToKernel(Addresses.forConnect(KERNEL_ADDRESS)));
        ServerSocketChannel ssc = platform.openServerSocketChannel();
        ssc.bind(new InetSocketAddress(KERNEL_ADDRESS, 0));
        return ssc;
    }

    @Test
    void shouldConnectBlockingChannelThroughKernel() throws IOException {
        try (ServerSocketChannel ssc = kernelServer();
                SocketChannel c = modtcp.openSocketChannel()) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(c.connect(ssc.getLocalAddress()));
            assertTrue(c instanceof ModTcpSocketChannel);
            assertEquals(ssc.getLocalAddress(), c.getRemoteAddress());
            assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(
                    ((InetSocketAddress) ssc.getLocalAddress()).getPort(),
                    c.socket().getPort());
            try (SocketChannel a = ssc.accept()) {
                c.write(ByteBuffer.wrap("k".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer b = ByteBuffer.allocate(1);
                a.read(b);
                assertEquals('k', b.get(0));
                a.write(ByteBuffer.wrap("r".getBytes(StandardCharsets.US_ASCII)));
                b.clear();
                c.read(b);
                assertEquals('r', b.get(0));
                c.shutdownOutput();
                b.clear();
                assertEquals(-1, a.read(b));
            }
        }
    }

    @Test
    void shouldSelectOverKernelRoutedChannelRegisteredBeforeConnect() throws IOException {
        try (ServerSocketChannel ssc = kernelServer();
                Selector sel = modtcp.openSelector();
                SocketChannel c = modtcp.openSocketChannel()) {
            c.configureBlocking(false);
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            if (!c.connect(ssc.getLocalAddress())) {
                assertEquals(1, sel.select(5000));
                assertTrue(k.isConnectable());
                assertTrue(c.finishConnect());
            }
            sel.selectedKeys().clear();
            k.interestOps(SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            try (SocketChannel a = ssc.accept()) {
                a.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
                assertEquals(1, sel.select(5000));
                assertTrue(k.isReadable());
                assertEquals(1, c.read(ByteBuffer.allocate(4)));
                assertEquals(0, c.read(ByteBuffer.allocate(4)));
            }
        }
    }

    @Test
    void shouldConnectSocketImplThroughKernel() throws IOException {
        try (ServerSocketChannel ssc = kernelServer();
                Socket s = new Socket(new ModTcpSocketImpl(ModTcpRuntime.get(), false)) {}) {
            s.connect(ssc.getLocalAddress(), 5000);
            s.setTcpNoDelay(true);
            assertTrue(s.getTcpNoDelay());
            assertEquals(KERNEL_ADDRESS, s.getInetAddress());
            try (SocketChannel a = ssc.accept()) {
                s.getOutputStream().write('q');
                ByteBuffer b = ByteBuffer.allocate(1);
                a.read(b);
                assertEquals('q', b.get(0));
                s.setSoTimeout(100);
                assertThrows(
                        SocketTimeoutException.class, () -> s.getInputStream().read());
                a.write(ByteBuffer.wrap(new byte[] {9}));
                assertEquals(9, s.getInputStream().read());
            }
        }
    }
}

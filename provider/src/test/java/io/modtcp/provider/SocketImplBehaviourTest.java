package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java.net.Socket}/{@code ServerSocket} behaviour on the platform's SocketImpl and on modtcp's. The JVM-wide
 * factories can be set only once, so here the modtcp sockets are built through the protected
 * {@code Socket(SocketImpl)}/{@code ServerSocket(SocketImpl)} constructors (and {@code implAccept}); the forked-JVM
 * test ({@link ProviderAgentIT}) covers the installed factories.
 */
class SocketImplBehaviourTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Nested
    class Platform extends Cases {
        @Override
        Socket newSocket() {
            return new Socket();
        }

        @Override
        ServerSocket newServerSocket() throws IOException {
            return new ServerSocket();
        }
    }

    @Nested
    class ModTcp extends Cases {
        @Override
        Socket newSocket() throws IOException {
            return new Socket(new ModTcpSocketImpl(ModTcpRuntime.get(), false)) {};
        }

        @Override
        ServerSocket newServerSocket() throws IOException {
            return new ServerSocket(new ModTcpSocketImpl(ModTcpRuntime.get(), true)) {
                @Override
                public Socket accept() throws IOException {
                    Socket s = new Socket(new ModTcpSocketImpl(ModTcpRuntime.get(), false)) {};
                    implAccept(s);
                    return s;
                }
            };
        }
    }

    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    abstract static class Cases {
        private final List<AutoCloseable> closeables = new ArrayList<>();

        abstract Socket newSocket() throws IOException;

        abstract ServerSocket newServerSocket() throws IOException;

        <T extends AutoCloseable> T track(T c) {
            closeables.add(c);
            return c;
        }

        @AfterEach
        void closeAll() throws Exception {
            for (AutoCloseable c : closeables) {
                c.close();
            }
        }

        ServerSocket server() throws IOException {
            ServerSocket ss = track(newServerSocket());
            ss.bind(new InetSocketAddress(LOOPBACK, 0));
            return ss;
        }

        Socket[] pair() throws IOException {
            ServerSocket ss = server();
            Socket c = track(newSocket());
            c.connect(ss.getLocalSocketAddress(), 5000);
            Socket a = track(ss.accept());
            return new Socket[] {c, a};
        }

        @Test
        void shouldConnectAcceptAndEcho() throws IOException {
            Socket[] p = pair();
            assertTrue(p[0].isConnected());
            assertTrue(p[1].isConnected());
            assertEquals(p[0].getLocalPort(), p[1].getPort());
            assertEquals(p[1].getLocalPort(), p[0].getPort());
            assertEquals(LOOPBACK, p[0].getInetAddress());
            assertEquals(LOOPBACK, p[0].getLocalAddress());
            p[0].getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hi", new String(p[1].getInputStream().readNBytes(2), StandardCharsets.US_ASCII));
            p[1].getOutputStream().write(7);
            assertEquals(7, p[0].getInputStream().read());
        }

        @Test
        void shouldTimeOutReadWithSoTimeoutAndStayUsable() throws IOException {
            Socket[] p = pair();
            p[0].setSoTimeout(150);
            assertEquals(150, p[0].getSoTimeout());
            InputStream in = p[0].getInputStream();
            assertThrows(SocketTimeoutException.class, in::read);
            assertFalse(p[0].isClosed());
            p[1].getOutputStream().write(1);
            assertEquals(1, in.read());
        }

        @Test
        void shouldTimeOutAcceptWithSoTimeout() throws IOException {
            ServerSocket ss = server();
            ss.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, ss::accept);
        }

        @Test
        void shouldRefuseConnectWhenNoListener() throws IOException {
            int port;
            try (ServerSocket ss = newServerSocket()) {
                ss.bind(new InetSocketAddress(LOOPBACK, 0));
                port = ss.getLocalPort();
            }
            Socket s = track(newSocket());
            assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(LOOPBACK, port), 5000));
        }

        @Test
        void shouldSeeEndOfStreamAfterShutdownOutputAndReportAvailable() throws Exception {
            Socket[] p = pair();
            p[0].getOutputStream().write(new byte[] {1, 2, 3});
            p[0].shutdownOutput();
            assertTrue(p[0].isOutputShutdown());
            InputStream in = p[1].getInputStream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (in.available() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(3, in.available());
            assertEquals(3, in.readNBytes(3).length);
            assertEquals(-1, in.read());
            assertThrows(SocketException.class, () -> p[0].getOutputStream().write(1));
        }

        @Test
        void shouldFailBindWhenPortInUse() throws IOException {
            ServerSocket a = server();
            ServerSocket b = track(newServerSocket());
            assertThrows(BindException.class, () -> b.bind(a.getLocalSocketAddress()));
        }

        @Test
        void shouldBindEphemeralWildcard() throws IOException {
            ServerSocket ss = track(newServerSocket());
            ss.bind(null);
            assertTrue(ss.getLocalPort() > 0);
            assertTrue(ss.getInetAddress().isAnyLocalAddress());
        }

        @Test
        void shouldRoundTripOptions() throws IOException {
            Socket[] p = pair();
            Socket s = p[0];
            s.setTcpNoDelay(true);
            assertTrue(s.getTcpNoDelay());
            s.setTcpNoDelay(false);
            assertFalse(s.getTcpNoDelay());
            s.setKeepAlive(true);
            assertTrue(s.getKeepAlive());
            s.setSoLinger(true, 4);
            assertEquals(4, s.getSoLinger());
            s.setSoLinger(false, 0);
            assertEquals(-1, s.getSoLinger());
            s.setReuseAddress(true);
            assertTrue(s.getReuseAddress());
            s.setReceiveBufferSize(32768);
            assertTrue(s.getReceiveBufferSize() > 0);
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertTrue(s.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
            s.setTrafficClass(0x10);
        }

        @Test
        void shouldThrowOnReadAfterClose() throws IOException {
            Socket[] p = pair();
            InputStream in = p[0].getInputStream();
            p[0].close();
            assertTrue(p[0].isClosed());
            assertThrows(SocketException.class, in::read);
        }
    }
}

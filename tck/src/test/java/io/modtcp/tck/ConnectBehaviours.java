package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Connecting: blocking and non-blocking channels, and java.net.Socket. */
class ConnectBehaviours {
    /** Calls {@code finishConnect} on a non-blocking channel until it returns true (at most 5 s). */
    private static void finishConnectLoop(SocketChannel ch) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!ch.finishConnect()) {
            assertTrue(ch.isConnectionPending(), "pending until finishConnect returns true");
            assertFalse(ch.isConnected());
            if (System.nanoTime() - deadline > 0) {
                fail("finishConnect did not complete within 5 s");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * A peer listener with backlog 1 whose accept queue subject clients have filled: a further connect to it stays
     * pending (its SYNs are dropped) for a second or more.
     */
    private static SocketAddress fullPeerListener(Tck tck) throws IOException {
        ServerSocketChannel l = tck.peerServerChannel();
        l.bind(new InetSocketAddress(tck.peer().address(), 0), 1);
        int connected = 0;
        for (int i = 0; i < 16; i++) {
            Socket s = tck.socket();
            try {
                s.connect(l.getLocalAddress(), 300);
                connected++;
            } catch (SocketTimeoutException full) {
                assertTrue(connected >= 1, "at least one connection fits a backlog of 1");
                return l.getLocalAddress();
            }
        }
        throw new AssertionError(connected + " connects completed to a peer listener with backlog 1");
    }

    @Behaviour("a non-blocking connect returns true or leaves the connection pending; finishConnect completes it")
    void nonBlockingConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        boolean connected = ch.connect(l.getLocalAddress());
        assertEquals(!connected, ch.isConnectionPending());
        assertEquals(connected, ch.isConnected());
        finishConnectLoop(ch);
        assertTrue(ch.isConnected());
        assertFalse(ch.isConnectionPending());
        assertTrue(ch.finishConnect(), "finishConnect on a connected channel returns true");
        SocketChannel a = tck.track(l.accept());
        assertEquals(ch.getLocalAddress(), a.getRemoteAddress());
        assertEquals(l.getLocalAddress(), ch.getRemoteAddress());
    }

    @Behaviour("finishConnect without a connect throws NoConnectionPendingException")
    void finishConnectWithoutConnect(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertThrows(NoConnectionPendingException.class, ch::finishConnect);
        ch.configureBlocking(false);
        assertThrows(NoConnectionPendingException.class, ch::finishConnect);
    }

    @Behaviour("while a connect is pending, connect and bind throw ConnectionPendingException")
    void connectWhilePending(Tck tck) throws Exception {
        SocketAddress full = fullPeerListener(tck);
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        assertFalse(ch.connect(full), "a connect to a full listener does not complete at once");
        assertTrue(ch.isConnectionPending());
        assertThrows(ConnectionPendingException.class, () -> ch.connect(full));
        assertThrows(
                ConnectionPendingException.class,
                () -> ch.bind(new InetSocketAddress(tck.subject().address(), 0)));
        assertFalse(ch.finishConnect(), "still pending");
        assertTrue(ch.isConnectionPending());
        assertFalse(ch.isConnected());
    }

    @Behaviour("a finishConnect in blocking mode waits for the handshake a non-blocking connect started")
    void blockingFinishConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        boolean connected = ch.connect(l.getLocalAddress());
        ch.configureBlocking(true);
        assertTrue(ch.finishConnect());
        assertTrue(connected || ch.isConnected());
        assertTrue(ch.isConnected());
        SocketChannel a = tck.track(l.accept());
        Tck.writeFully(ch, new byte[] {5});
        assertEquals(5, Tck.readFully(a, 1)[0]);
    }

    @Behaviour("connecting a connected channel throws AlreadyConnectedException")
    void connectTwice(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        SocketAddress remote = c.subject().getRemoteAddress();
        assertThrows(AlreadyConnectedException.class, () -> c.subject().connect(remote));
        c.subject().configureBlocking(false);
        assertThrows(AlreadyConnectedException.class, () -> c.subject().connect(remote));
        assertTrue(c.subject().isConnected());
    }

    @Behaviour("binding a connected channel throws AlreadyBoundException")
    void bindConnected(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        assertThrows(AlreadyBoundException.class, () -> c.subject()
                .bind(new InetSocketAddress(tck.subject().address(), 0)));
    }

    @Behaviour("connect on a closed channel throws ClosedChannelException")
    void connectClosed(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.close();
        assertThrows(ClosedChannelException.class, () -> ch.connect(l.getLocalAddress()));
        assertThrows(ClosedChannelException.class, ch::finishConnect);
    }

    @Behaviour("a non-blocking connect to a port with no listener fails in finishConnect with ConnectException"
            + " and closes the channel")
    void nonBlockingRefused(Tck tck) throws Exception {
        InetSocketAddress nobody = tck.unusedPeerAddress();
        SocketChannel ch = tck.channel();
        ch.configureBlocking(false);
        try {
            if (ch.connect(nobody)) {
                fail("connected to a port with no listener");
            }
            finishConnectLoop(ch);
            fail("connected to a port with no listener");
        } catch (ConnectException expected) {
            // the refusal
        }
        assertFalse(ch.isOpen());
        assertThrows(ClosedChannelException.class, ch::finishConnect);
    }

    @Behaviour("a connect to port 0 is refused: ConnectException, and the channel is closed")
    void connectPortZero(Tck tck) throws Exception {
        InetSocketAddress zero = new InetSocketAddress(tck.peer().address(), 0);
        SocketChannel ch = tck.channel();
        assertThrows(ConnectException.class, () -> ch.connect(zero));
        assertFalse(ch.isOpen());
        Socket s = tck.socket();
        assertThrows(ConnectException.class, () -> s.connect(zero, 2_000));
        assertFalse(s.isConnected());
    }

    @Behaviour("connecting to the wildcard address connects to the loopback address")
    void connectToWildcard(Tck tck) throws Exception {
        Assumptions.assumeFalse(tck.impl().isTwoStacks(), "subject and peer are different hosts");
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(0));
        int port = ((InetSocketAddress) l.getLocalAddress()).getPort();
        SocketChannel ch = tck.channel();
        assertTrue(ch.connect(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)));
        SocketChannel a = tck.track(l.accept());
        InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
        assertTrue(remote.getAddress().isLoopbackAddress(), "the loopback: " + remote);
        assertEquals(port, remote.getPort());
        assertEquals(ch.getLocalAddress(), a.getRemoteAddress());
    }

    @Behaviour("200 sequential connect, accept and close cycles all succeed")
    void manyCycles(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        for (int i = 0; i < 200; i++) {
            try (SocketChannel ch = tck.subject().openChannel()) {
                assertTrue(ch.connect(l.getLocalAddress()), "cycle " + i);
                try (SocketChannel a = l.accept()) {
                    Tck.writeFully(ch, new byte[] {(byte) i});
                    assertEquals((byte) i, Tck.readFully(a, 1)[0], "cycle " + i);
                }
            }
        }
    }

    @Behaviour("Socket.connect with a timeout to a live listener connects")
    void socketConnectWithTimeout(Tck tck) throws Exception {
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        Socket s = tck.socket();
        assertFalse(s.isConnected());
        s.connect(l.getLocalSocketAddress(), 2_000);
        assertTrue(s.isConnected());
        assertTrue(s.isBound());
        assertFalse(s.isClosed());
        Socket a = tck.track(l.accept());
        s.getOutputStream().write(7);
        assertEquals(7, a.getInputStream().read());
    }

    @Behaviour("Socket.connect to a port with no listener throws ConnectException \"Connection refused\"")
    void socketConnectRefused(Tck tck) throws Exception {
        InetSocketAddress nobody = tck.unusedPeerAddress();
        Socket s = tck.socket();
        ConnectException e = assertThrows(ConnectException.class, () -> s.connect(nobody, 2_000));
        assertEquals("Connection refused", e.getMessage());
        assertFalse(s.isConnected());
    }

    @Behaviour("Socket.connect with a timeout throws SocketTimeoutException when the listener's queue is full")
    void socketConnectTimesOut(Tck tck) throws Exception {
        SocketAddress full = fullPeerListener(tck);
        Socket s = tck.socket();
        long t0 = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> s.connect(full, 200));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150), "waited for the timeout");
        assertFalse(s.isConnected());
    }

    @Behaviour("Socket.connect on a closed Socket throws SocketException \"Socket is closed\"")
    void socketConnectClosed(Tck tck) throws Exception {
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        Socket s = tck.socket();
        s.close();
        SocketException e = assertThrows(SocketException.class, () -> s.connect(l.getLocalSocketAddress()));
        assertEquals("Socket is closed", e.getMessage());
    }

    @Behaviour("Socket.connect on a connected Socket throws SocketException")
    void socketConnectTwice(Tck tck) throws Exception {
        Tck.Sockets c = tck.connectSockets();
        SocketAddress remote = c.subject().getRemoteSocketAddress();
        assertThrows(SocketException.class, () -> c.subject().connect(remote));
        assertTrue(c.subject().isConnected());
    }

    @Behaviour("Socket.connect with a negative timeout throws IllegalArgumentException")
    void socketConnectNegativeTimeout(Tck tck) throws Exception {
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        Socket s = tck.socket();
        assertThrows(IllegalArgumentException.class, () -> s.connect(l.getLocalSocketAddress(), -1));
        assertFalse(s.isConnected());
    }

    @Behaviour("Socket.connect over IPv6 with a timeout connects to an IPv6 listener")
    void socketConnectIpv6(Tck tck) throws Exception {
        tck.assumeIpv6();
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address6(), 0));
        Socket s = tck.socket();
        s.connect(l.getLocalSocketAddress(), 2_000);
        Socket a = tck.track(l.accept());
        assertEquals(tck.address6(), s.getLocalAddress());
        assertEquals(tck.peer().address6(), s.getInetAddress());
        assertEquals(s.getLocalSocketAddress(), a.getRemoteSocketAddress());
    }
}

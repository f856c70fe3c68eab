package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Accepting connections. */
class AcceptBehaviours {
    /** A peer client connected (blocking) to {@code l}. */
    private static SocketChannel peerClient(Tck tck, ServerSocketChannel l) throws IOException {
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(l.getLocalAddress()), "a blocking connect completes");
        return c;
    }

    @Behaviour("accept on an unbound server channel throws NotYetBoundException")
    void acceptUnbound(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(NotYetBoundException.class, ssc::accept);
        ssc.configureBlocking(false);
        assertThrows(NotYetBoundException.class, ssc::accept);
    }

    @Behaviour("accept on a closed server channel throws ClosedChannelException")
    void acceptClosed(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.close();
        assertThrows(ClosedChannelException.class, l::accept);
    }

    @Behaviour("a non-blocking accept with no connection pending returns null")
    void nonBlockingAcceptNothing(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.configureBlocking(false);
        assertNull(l.accept());
        assertNull(l.accept());
    }

    @Behaviour("a non-blocking accept returns a pending connection, and the accepted channel is in blocking mode")
    void nonBlockingAcceptReturnsBlockingChannel(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.configureBlocking(false);
        Selector sel = tck.selector();
        l.register(sel, SelectionKey.OP_ACCEPT);
        SocketChannel c = peerClient(tck, l);
        assertTrue(sel.select(5_000) > 0, "the connection becomes acceptable");
        SocketChannel a = l.accept();
        assertNotNull(a, "the connection is accepted");
        tck.track(a);
        assertTrue(a.isBlocking());
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
    }

    @Behaviour("an accepted channel is open, connected and in blocking mode")
    void acceptedChannelState(Tck tck) throws Exception {
        Tck.Channels c = tck.accept();
        SocketChannel a = c.subject();
        assertTrue(a.isOpen());
        assertTrue(a.isConnected());
        assertFalse(a.isConnectionPending());
        assertTrue(a.isBlocking());
        assertFalse(a.isRegistered());
    }

    @Behaviour("an accepted channel's local address is the listener's address and port, its remote the client's")
    void acceptedAddresses(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        SocketChannel c = peerClient(tck, l);
        SocketChannel a = tck.track(l.accept());
        InetSocketAddress local = (InetSocketAddress) a.getLocalAddress();
        InetSocketAddress listening = (InetSocketAddress) l.getLocalAddress();
        assertEquals(listening.getPort(), local.getPort());
        assertEquals(tck.subject().address(), local.getAddress());
        assertEquals(a.socket().getLocalPort(), listening.getPort());
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
        assertEquals(tck.peer().address(), ((InetSocketAddress) a.getRemoteAddress()).getAddress());
    }

    @Behaviour("accept returns connections in the order their handshakes completed")
    void arrivalOrder(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(peerClient(tck, l));
        }
        for (SocketChannel c : clients) {
            SocketChannel a = tck.track(l.accept());
            assertEquals(c.getLocalAddress(), a.getRemoteAddress());
        }
    }

    @Behaviour("connections complete their handshake before accept is called, and data sent early is kept")
    void handshakeBeforeAccept(Tck tck) throws Exception {
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(tck.subject().address(), 0), 5);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SocketChannel c = peerClient(tck, l);
            assertTrue(c.isConnected());
            Tck.writeFully(c, new byte[] {(byte) (10 + i)});
            clients.add(c);
        }
        for (int i = 0; i < 3; i++) {
            SocketChannel a = tck.track(l.accept());
            assertEquals(clients.get(i).getLocalAddress(), a.getRemoteAddress());
            assertEquals(10 + i, Tck.readFully(a, 1)[0]);
        }
    }

    @Behaviour("when a listener's accept queue is full (backlog 1, never accepted), a new connect times out")
    void fullBacklog(Tck tck) throws Exception {
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(tck.subject().address(), 0), 1);
        int connected = 0;
        for (int i = 0; i < 16; i++) {
            Socket s = tck.peerSocket();
            try {
                s.connect(l.getLocalAddress(), 300);
                connected++;
            } catch (SocketTimeoutException expected) {
                assertTrue(connected >= 1, "at least one connection fits a backlog of 1");
                // Accepting one makes room again.
                tck.track(l.accept());
                Socket next = tck.peerSocket();
                next.connect(l.getLocalAddress(), 5_000);
                assertTrue(next.isConnected());
                return;
            }
        }
        fail(connected + " connects completed to a listener with backlog 1 that never accepts");
    }

    @Behaviour("a connection accepted stays usable after its listener is closed")
    void acceptedOutlivesListener(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        SocketChannel c = peerClient(tck, l);
        SocketChannel a = tck.track(l.accept());
        l.close();
        Tck.writeFully(c, new byte[] {1, 2});
        assertEquals(2, Tck.readFully(a, 2).length);
        Tck.writeFully(a, new byte[] {3});
        assertEquals(3, Tck.readFully(c, 1)[0]);
    }

    @Behaviour("100 concurrent connections to one listener are all accepted and each exchanges a byte")
    void hundredConcurrent(Tck tck) throws Exception {
        int n = 100;
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(tck.subject().address(), 0), 128);
        Future<Integer> server = tck.async(() -> {
            List<SocketChannel> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                accepted.add(tck.track(l.accept()));
            }
            for (SocketChannel a : accepted) {
                byte b = Tck.readFully(a, 1)[0];
                Tck.writeFully(a, new byte[] {(byte) (b + 1)});
            }
            return accepted.size();
        });
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(tck.peerChannel());
        }
        int threads = 10;
        List<Future<Integer>> connectors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            connectors.add(tck.async(() -> {
                for (int i = first; i < n; i += threads) {
                    SocketChannel c = clients.get(i);
                    assertTrue(c.connect(l.getLocalAddress()));
                    Tck.writeFully(c, new byte[] {(byte) i});
                }
                int ok = 0;
                for (int i = first; i < n; i += threads) {
                    assertEquals((byte) (i + 1), Tck.readFully(clients.get(i), 1)[0]);
                    ok++;
                }
                return ok;
            }));
        }
        int ok = 0;
        for (Future<Integer> f : connectors) {
            ok += f.get(20, TimeUnit.SECONDS);
        }
        assertEquals(n, ok);
        assertEquals(n, server.get(20, TimeUnit.SECONDS));
        Set<Integer> ports = new HashSet<>();
        for (SocketChannel c : clients) {
            ports.add(((InetSocketAddress) c.getLocalAddress()).getPort());
        }
        assertEquals(n, ports.size());
    }

    @Behaviour("a ServerSocket is unbound until bound; then getLocalPort and getInetAddress report the binding")
    void serverSocketBind(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        assertFalse(ss.isBound());
        assertEquals(-1, ss.getLocalPort());
        assertNull(ss.getInetAddress());
        assertNull(ss.getLocalSocketAddress());
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertTrue(ss.isBound());
        assertTrue(ss.getLocalPort() > 0);
        assertEquals(tck.subject().address(), ss.getInetAddress());
        assertEquals(new InetSocketAddress(tck.subject().address(), ss.getLocalPort()), ss.getLocalSocketAddress());
    }

    @Behaviour("ServerSocket.accept returns a connected Socket on the listener's port that exchanges bytes")
    void serverSocketAccept(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        Socket c = tck.peerSocket();
        c.connect(ss.getLocalSocketAddress(), 5_000);
        Socket a = tck.track(ss.accept());
        assertTrue(a.isConnected());
        assertTrue(a.isBound());
        assertEquals(ss.getLocalPort(), a.getLocalPort());
        assertEquals(tck.subject().address(), a.getLocalAddress());
        assertEquals(c.getLocalPort(), a.getPort());
        assertEquals(tck.peer().address(), a.getInetAddress());
        c.getOutputStream().write(42);
        assertEquals(42, a.getInputStream().read());
        a.getOutputStream().write(43);
        assertEquals(43, c.getInputStream().read());
    }

    @Behaviour("ServerSocket.accept before bind throws SocketException")
    void serverSocketAcceptUnbound(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        assertThrows(SocketException.class, ss::accept);
    }

    @Behaviour("ServerSocket.accept after close throws SocketException \"Socket is closed\"")
    void serverSocketAcceptClosed(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        ss.close();
        assertTrue(ss.isClosed());
        SocketException e = assertThrows(SocketException.class, ss::accept);
        assertEquals("Socket is closed", e.getMessage());
    }

    @Behaviour("binding a bound ServerSocket again throws SocketException")
    void serverSocketBindTwice(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertThrows(
                SocketException.class,
                () -> ss.bind(new InetSocketAddress(tck.subject().address(), 0)));
    }
}

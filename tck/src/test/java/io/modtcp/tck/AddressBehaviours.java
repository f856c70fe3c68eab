package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/** Local and remote addresses, binding and ports. */
class AddressBehaviours {
    /** An address no implementation owns: only ever bound to (and refused), never sent to. */
    private static final InetAddress NOT_OWNED = Implementation.inet("198.51.100.77");

    /** A socket address that is not an {@link InetSocketAddress}. */
    private static final class OtherAddress extends SocketAddress {
        private static final long serialVersionUID = 1L;
    }

    private static int port(SocketAddress a) {
        return ((InetSocketAddress) a).getPort();
    }

    private static InetAddress host(SocketAddress a) {
        return ((InetSocketAddress) a).getAddress();
    }

    @Behaviour("binding a channel to port 0 picks a non-zero port, which getLocalAddress reports")
    void ephemeralBind(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.bind(new InetSocketAddress(tck.subject().address(), 0));
        SocketAddress local = ch.getLocalAddress();
        assertTrue(port(local) > 0);
        assertEquals(tck.subject().address(), host(local));
        assertEquals(port(local), ch.socket().getLocalPort());
    }

    @Behaviour("a server channel bound to port 0 gets a non-zero port, and a connect to it is accepted")
    void serverEphemeralBind(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        ssc.bind(new InetSocketAddress(tck.subject().address(), 0));
        int port = port(ssc.getLocalAddress());
        assertTrue(port > 0);
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(tck.subject().at(port)));
        SocketChannel a = tck.track(ssc.accept());
        assertEquals(port, port(c.getRemoteAddress()));
        assertEquals(port, port(a.getLocalAddress()));
    }

    @Behaviour("bind(null) binds a channel to the wildcard address and an ephemeral port")
    void bindNull(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.bind(null);
        SocketAddress local = ch.getLocalAddress();
        assertTrue(host(local).isAnyLocalAddress(), "the wildcard: " + local);
        assertTrue(port(local) > 0);
    }

    @Behaviour("a listener bound to the wildcard reports it, and accepts connections to the subject's address")
    void wildcardListener(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        ssc.bind(new InetSocketAddress(0));
        SocketAddress local = ssc.getLocalAddress();
        assertTrue(host(local).isAnyLocalAddress(), "the wildcard: " + local);
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(tck.subject().at(port(local))));
        SocketChannel a = tck.track(ssc.accept());
        assertEquals(new InetSocketAddress(tck.subject().address(), port(local)), a.getLocalAddress());
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
    }

    @Behaviour("a client bound to a local address and port before connecting keeps them; the peer sees them")
    void bindThenConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.bind(new InetSocketAddress(tck.subject().address(), 0));
        SocketAddress bound = ch.getLocalAddress();
        assertTrue(ch.connect(l.getLocalAddress()));
        SocketChannel a = tck.track(l.accept());
        assertEquals(bound, ch.getLocalAddress());
        assertEquals(bound, a.getRemoteAddress());
    }

    @Behaviour("a connect without bind binds the subject's address and an ephemeral port")
    void connectBindsImplicitly(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        assertNull(ch.getLocalAddress());
        assertTrue(ch.connect(l.getLocalAddress()));
        SocketAddress local = ch.getLocalAddress();
        assertEquals(tck.subject().address(), host(local));
        assertTrue(port(local) > 0);
        assertNotEquals(port(l.getLocalAddress()), port(local));
    }

    @Behaviour("binding to an address the subject does not own throws BindException")
    void bindNotOwned(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertThrows(BindException.class, () -> ch.bind(new InetSocketAddress(NOT_OWNED, 0)));
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(BindException.class, () -> ssc.bind(new InetSocketAddress(NOT_OWNED, 0)));
    }

    @Behaviour("binding a listener to an address and port another listener holds throws BindException")
    void bindInUse(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        ServerSocketChannel second = tck.serverChannel();
        assertThrows(BindException.class, () -> second.bind(l.getLocalAddress()));
        SocketChannel ch = tck.channel();
        assertThrows(BindException.class, () -> ch.bind(l.getLocalAddress()));
    }

    @Behaviour("binding a bound channel or server channel again throws AlreadyBoundException")
    void bindTwice(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertThrows(
                AlreadyBoundException.class,
                () -> ch.bind(new InetSocketAddress(tck.subject().address(), 0)));
        ServerSocketChannel l = tck.listener();
        assertThrows(
                AlreadyBoundException.class,
                () -> l.bind(new InetSocketAddress(tck.subject().address(), 0)));
    }

    @Behaviour("with SO_REUSEADDR a listener binds the port of a just-closed connection still in TIME_WAIT")
    void reuseAddressTimeWait(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        SocketAddress where = l.getLocalAddress();
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(where));
        SocketChannel a = tck.track(l.accept());
        a.close(); // the subject closes first: its end of the connection goes to TIME_WAIT
        assertEquals(-1, c.read(ByteBuffer.allocate(1)));
        c.close();
        l.close();
        ServerSocketChannel again = tck.serverChannel();
        again.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        again.bind(where);
        assertEquals(where, again.getLocalAddress());
        SocketChannel c2 = tck.peerChannel();
        assertTrue(c2.connect(where));
        tck.track(again.accept());
    }

    @Behaviour("without SO_REUSEADDR a listener cannot bind the port of a just-closed connection: BindException")
    void noReuseAddressTimeWait(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        SocketAddress where = l.getLocalAddress();
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(where));
        SocketChannel a = tck.track(l.accept());
        a.close(); // the subject closes first: its end of the connection stays (FIN-WAIT, then TIME-WAIT)
        assertEquals(-1, c.read(ByteBuffer.allocate(1)));
        c.close();
        l.close();
        ServerSocketChannel again = tck.serverChannel();
        again.setOption(StandardSocketOptions.SO_REUSEADDR, false);
        assertThrows(BindException.class, () -> again.bind(where));
        SocketChannel client = tck.channel();
        assertThrows(BindException.class, () -> client.bind(where), "a client channel has SO_REUSEADDR off");
    }

    @Behaviour("two listeners with SO_REUSEPORT bind one port, and a connect to it completes")
    void reusePort(Tck tck) throws Exception {
        ServerSocketChannel first = tck.serverChannel();
        Assumptions.assumeTrue(
                first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT), "SO_REUSEPORT unsupported");
        first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        first.bind(new InetSocketAddress(tck.subject().address(), 0));
        ServerSocketChannel second = tck.serverChannel();
        second.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        assertTrue(second.getOption(StandardSocketOptions.SO_REUSEPORT));
        second.bind(first.getLocalAddress());
        assertEquals(first.getLocalAddress(), second.getLocalAddress());
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(first.getLocalAddress()));
        assertEquals(first.getLocalAddress(), c.getRemoteAddress());
    }

    @Behaviour("getLocalAddress is null before bind, for a channel and a server channel")
    void localAddressNullBeforeBind(Tck tck) throws Exception {
        assertNull(tck.channel().getLocalAddress());
        assertNull(tck.serverChannel().getLocalAddress());
    }

    @Behaviour("getRemoteAddress is null before connect, also when bound")
    void remoteAddressNullBeforeConnect(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertNull(ch.getRemoteAddress());
        ch.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertNull(ch.getRemoteAddress());
    }

    @Behaviour("getLocalAddress and getRemoteAddress of a closed channel throw ClosedChannelException")
    void addressesOfClosed(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().close();
        assertThrows(ClosedChannelException.class, c.subject()::getLocalAddress);
        assertThrows(ClosedChannelException.class, c.subject()::getRemoteAddress);
        ServerSocketChannel l = tck.listener();
        l.close();
        assertThrows(ClosedChannelException.class, l::getLocalAddress);
    }

    @Behaviour("connect or bind to an unresolved address throws UnresolvedAddressException")
    void unresolved(Tck tck) throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("nowhere.invalid", 80);
        SocketChannel ch = tck.channel();
        assertThrows(UnresolvedAddressException.class, () -> ch.connect(unresolved));
        assertThrows(UnresolvedAddressException.class, () -> ch.bind(unresolved));
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(UnresolvedAddressException.class, () -> ssc.bind(unresolved));
        assertTrue(ch.isOpen());
        assertFalse(ch.isConnected());
    }

    @Behaviour("connect or bind to a SocketAddress that is not an InetSocketAddress throws"
            + " UnsupportedAddressTypeException")
    void unsupportedAddressType(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertThrows(UnsupportedAddressTypeException.class, () -> ch.connect(new OtherAddress()));
        assertThrows(UnsupportedAddressTypeException.class, () -> ch.bind(new OtherAddress()));
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(UnsupportedAddressTypeException.class, () -> ssc.bind(new OtherAddress()));
    }

    @Behaviour("an unconnected Socket reports no addresses (port -1 / 0, null); connected, it reports both ends")
    void socketAddresses(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertFalse(s.isBound());
        assertEquals(-1, s.getLocalPort());
        assertEquals(0, s.getPort());
        assertNull(s.getInetAddress());
        assertNull(s.getLocalSocketAddress());
        assertNull(s.getRemoteSocketAddress());
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        s.connect(l.getLocalSocketAddress(), 5_000);
        Socket a = tck.track(l.accept());
        assertTrue(s.isBound());
        assertEquals(tck.subject().address(), s.getLocalAddress());
        assertEquals(a.getPort(), s.getLocalPort());
        assertEquals(l.getLocalPort(), s.getPort());
        assertEquals(tck.peer().address(), s.getInetAddress());
        assertEquals(a.getLocalSocketAddress(), s.getRemoteSocketAddress());
        assertEquals(a.getRemoteSocketAddress(), s.getLocalSocketAddress());
    }

    @Behaviour("Socket.connect to an unresolved address throws UnknownHostException; to null or a non-Inet"
            + " address IllegalArgumentException")
    void socketConnectBadAddress(Tck tck) throws Exception {
        assertThrows(UnknownHostException.class, () -> tck.socket()
                .connect(InetSocketAddress.createUnresolved("nowhere.invalid", 80), 1_000));
        assertThrows(IllegalArgumentException.class, () -> tck.socket().connect(null));
        assertThrows(IllegalArgumentException.class, () -> tck.socket().connect(new OtherAddress()));
    }

    @Behaviour("a Socket bound before connect keeps its local port")
    void socketBindThenConnect(Tck tck) throws Exception {
        var l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        Socket s = tck.socket();
        s.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertTrue(s.isBound());
        int port = s.getLocalPort();
        assertTrue(port > 0);
        s.connect(l.getLocalSocketAddress(), 5_000);
        Socket a = tck.track(l.accept());
        assertEquals(port, s.getLocalPort());
        assertEquals(port, a.getPort());
    }

    @Behaviour("an IPv6 listener accepts an IPv6 client; both ends' addresses are IPv6")
    void ipv6Accept(Tck tck) throws Exception {
        tck.assumeIpv6();
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(tck.address6(), 0));
        assertInstanceOf(Inet6Address.class, host(l.getLocalAddress()));
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(l.getLocalAddress()));
        SocketChannel a = tck.track(l.accept());
        assertEquals(new InetSocketAddress(tck.address6(), port(l.getLocalAddress())), a.getLocalAddress());
        assertEquals(tck.peer().address6(), host(a.getRemoteAddress()));
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
        Tck.writeFully(a, new byte[] {6});
        assertEquals(6, Tck.readFully(c, 1)[0]);
    }

    @Behaviour("an IPv6 channel bound to port 0 reports its IPv6 address and a non-zero port")
    void ipv6Bind(Tck tck) throws Exception {
        tck.assumeIpv6();
        SocketChannel ch = tck.channel();
        ch.bind(new InetSocketAddress(tck.address6(), 0));
        assertEquals(tck.address6(), host(ch.getLocalAddress()));
        assertTrue(port(ch.getLocalAddress()) > 0);
    }

    @Behaviour("an IPv4 client of a dual-stack listener bound to :: is seen with its IPv4 address")
    void dualStack(Tck tck) throws Exception {
        tck.assumeIpv6();
        ServerSocketChannel l = tck.serverChannel();
        l.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
        int port = port(l.getLocalAddress());
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(tck.subject().at(port)));
        SocketChannel a = tck.track(l.accept());
        InetAddress remote = host(a.getRemoteAddress());
        assertInstanceOf(Inet4Address.class, remote);
        assertEquals(tck.peer().address(), remote);
        assertEquals(c.getLocalAddress(), a.getRemoteAddress());
        assertEquals(new InetSocketAddress(tck.subject().address(), port), a.getLocalAddress());
    }

    @Behaviour("50 connections open at once from one client host to one listener have distinct local ports")
    void distinctPorts(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            SocketChannel ch = tck.channel();
            assertTrue(ch.connect(l.getLocalAddress()));
            tck.track(l.accept());
            int p = port(ch.getLocalAddress());
            assertTrue(p > 0);
            ports.add(p);
        }
        assertEquals(50, ports.size());
    }
}

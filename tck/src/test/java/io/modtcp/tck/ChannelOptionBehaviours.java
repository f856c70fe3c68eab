package io.modtcp.tck;

import static java.net.StandardSocketOptions.IP_MULTICAST_TTL;
import static java.net.StandardSocketOptions.IP_TOS;
import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_REUSEPORT;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static java.net.StandardSocketOptions.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;

/** Socket options of SocketChannel and ServerSocketChannel. */
class ChannelOptionBehaviours {
    /** The standard options a TCP SocketChannel has on the platform. */
    static final List<SocketOption<?>> CLIENT_STANDARD =
            List.of(TCP_NODELAY, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_REUSEPORT, IP_TOS);

    /** The standard options a ServerSocketChannel has on the platform. */
    static final List<SocketOption<?>> SERVER_STANDARD = List.of(SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT);

    @Behaviour("SocketChannel.supportedOptions() contains the standard TCP options")
    void socketChannelSupportedOptions(Tck tck) throws Exception {
        Set<SocketOption<?>> options = tck.channel().supportedOptions();
        for (SocketOption<?> o : CLIENT_STANDARD) {
            assertTrue(options.contains(o), "supports " + o);
        }
    }

    @Behaviour("ServerSocketChannel.supportedOptions() contains SO_RCVBUF, SO_REUSEADDR and SO_REUSEPORT")
    void serverChannelSupportedOptions(Tck tck) throws Exception {
        Set<SocketOption<?>> options = tck.serverChannel().supportedOptions();
        for (SocketOption<?> o : SERVER_STANDARD) {
            assertTrue(options.contains(o), "supports " + o);
        }
    }

    @Behaviour("supportedOptions() is an unmodifiable set and still answers after close")
    void supportedOptionsUnmodifiable(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        Set<SocketOption<?>> options = ch.supportedOptions();
        assertThrows(UnsupportedOperationException.class, () -> options.add(IP_MULTICAST_TTL));
        ch.close();
        assertTrue(ch.supportedOptions().contains(TCP_NODELAY));
    }

    @Behaviour(
            "a ServerSocketChannel has no client options: TCP_NODELAY, SO_SNDBUF, SO_LINGER throw UnsupportedOperationException")
    void serverChannelRejectsClientOptions(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        for (SocketOption<?> o : List.of(TCP_NODELAY, SO_SNDBUF, SO_LINGER, SO_KEEPALIVE)) {
            assertFalse(ssc.supportedOptions().contains(o), "does not list " + o);
            assertThrows(UnsupportedOperationException.class, () -> ssc.getOption(o), o.name());
        }
        assertThrows(UnsupportedOperationException.class, () -> ssc.setOption(TCP_NODELAY, true));
        assertThrows(UnsupportedOperationException.class, () -> ssc.setOption(SO_SNDBUF, 65536));
    }

    @Behaviour("a new SocketChannel has TCP_NODELAY, SO_KEEPALIVE and SO_REUSEADDR off and SO_LINGER disabled (-1)")
    void socketChannelDefaults(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertFalse(ch.getOption(TCP_NODELAY));
        assertFalse(ch.getOption(SO_KEEPALIVE));
        assertFalse(ch.getOption(SO_REUSEADDR));
        assertTrue(ch.getOption(SO_LINGER) < 0, "SO_LINGER is disabled");
        assertTrue(ch.getOption(SO_RCVBUF) > 0);
        assertTrue(ch.getOption(SO_SNDBUF) > 0);
    }

    @Behaviour("TCP_NODELAY set true then false reads back what was set")
    void tcpNoDelayRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertTrue(ch.setOption(TCP_NODELAY, true) == ch, "setOption returns the channel");
        assertTrue(ch.getOption(TCP_NODELAY));
        ch.setOption(TCP_NODELAY, false);
        assertFalse(ch.getOption(TCP_NODELAY));
    }

    @Behaviour("SO_KEEPALIVE set true then false reads back what was set")
    void keepAliveRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_KEEPALIVE, true);
        assertTrue(ch.getOption(SO_KEEPALIVE));
        ch.setOption(SO_KEEPALIVE, false);
        assertFalse(ch.getOption(SO_KEEPALIVE));
    }

    @Behaviour("SO_LINGER 0 and 5 read back as set; a negative value disables it (-1)")
    void lingerRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_LINGER, 0);
        assertEquals(0, ch.getOption(SO_LINGER));
        ch.setOption(SO_LINGER, 5);
        assertEquals(5, ch.getOption(SO_LINGER));
        ch.setOption(SO_LINGER, -5);
        assertEquals(-1, ch.getOption(SO_LINGER));
    }

    @Behaviour("SO_LINGER above 65535 seconds reads back as 65535")
    void lingerCapped(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_LINGER, 70_000);
        assertEquals(65535, ch.getOption(SO_LINGER));
    }

    @Behaviour("SO_RCVBUF: a set size reads back positive, and a larger size is not read back smaller")
    void receiveBufferMonotone(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_RCVBUF, 8 * 1024);
        int small = ch.getOption(SO_RCVBUF);
        ch.setOption(SO_RCVBUF, 128 * 1024);
        int large = ch.getOption(SO_RCVBUF);
        assertTrue(small > 0, "small " + small);
        assertTrue(large >= small, large + " >= " + small);
        assertTrue(large >= 8 * 1024, "a 128 KiB request gives at least 8 KiB: " + large);
    }

    @Behaviour("SO_SNDBUF: a set size reads back positive, and a larger size is not read back smaller")
    void sendBufferMonotone(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_SNDBUF, 8 * 1024);
        int small = ch.getOption(SO_SNDBUF);
        ch.setOption(SO_SNDBUF, 128 * 1024);
        int large = ch.getOption(SO_SNDBUF);
        assertTrue(small > 0, "small " + small);
        assertTrue(large >= small, large + " >= " + small);
        assertTrue(large >= 8 * 1024, "a 128 KiB request gives at least 8 KiB: " + large);
    }

    @Behaviour("SO_RCVBUF and SO_SNDBUF 0 are accepted on a SocketChannel and read back positive")
    void zeroBufferSizesAccepted(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_RCVBUF, 0);
        ch.setOption(SO_SNDBUF, 0);
        assertTrue(ch.getOption(SO_RCVBUF) > 0);
        assertTrue(ch.getOption(SO_SNDBUF) > 0);
    }

    @Behaviour(
            "a negative SO_RCVBUF or SO_SNDBUF throws IllegalArgumentException, on SocketChannel and ServerSocketChannel")
    void negativeBufferSizes(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_RCVBUF, -1));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_SNDBUF, -1));
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(IllegalArgumentException.class, () -> ssc.setOption(SO_RCVBUF, -1));
        assertTrue(ch.getOption(SO_RCVBUF) > 0, "the channel is still usable");
    }

    @Behaviour("IP_TOS 0x10 and 0x08 read back as set")
    void ipTosRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(IP_TOS, 0x10);
        assertEquals(0x10, ch.getOption(IP_TOS));
        ch.setOption(IP_TOS, 0x08);
        assertEquals(0x08, ch.getOption(IP_TOS));
    }

    @Behaviour("IP_TOS 256 or -1 throws IllegalArgumentException and leaves the value unchanged")
    void ipTosOutOfRange(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(IP_TOS, 0x10);
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(IP_TOS, 256));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(IP_TOS, -1));
        assertEquals(0x10, ch.getOption(IP_TOS));
    }

    @Behaviour("a null option throws NullPointerException from getOption and setOption, open or closed")
    void nullOption(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(NullPointerException.class, () -> ch.getOption(null));
        assertThrows(NullPointerException.class, () -> ch.setOption(null, 1));
        assertThrows(NullPointerException.class, () -> ssc.getOption(null));
        assertThrows(NullPointerException.class, () -> ssc.setOption(null, 1));
        ch.close();
        assertThrows(NullPointerException.class, () -> ch.getOption(null));
    }

    @Behaviour("an option the channel does not support (IP_MULTICAST_TTL) throws UnsupportedOperationException")
    void unsupportedOption(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertFalse(ch.supportedOptions().contains(IP_MULTICAST_TTL));
        assertThrows(UnsupportedOperationException.class, () -> ch.getOption(IP_MULTICAST_TTL));
        assertThrows(UnsupportedOperationException.class, () -> ch.setOption(IP_MULTICAST_TTL, 1));
        ServerSocketChannel ssc = tck.serverChannel();
        assertThrows(UnsupportedOperationException.class, () -> ssc.getOption(IP_MULTICAST_TTL));
    }

    @Behaviour("a value of the wrong type or a null value throws IllegalArgumentException")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void wrongValueType(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        SocketOption raw = TCP_NODELAY;
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(raw, 1));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_RCVBUF, null));
        assertFalse(ch.getOption(TCP_NODELAY));
    }

    @Behaviour("getOption and setOption on a closed SocketChannel or ServerSocketChannel throw ClosedChannelException")
    void closedChannel(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ServerSocketChannel ssc = tck.serverChannel();
        ch.close();
        ssc.close();
        assertThrows(ClosedChannelException.class, () -> ch.getOption(TCP_NODELAY));
        assertThrows(ClosedChannelException.class, () -> ch.setOption(SO_KEEPALIVE, true));
        assertThrows(ClosedChannelException.class, () -> ssc.getOption(SO_RCVBUF));
        assertThrows(ClosedChannelException.class, () -> ssc.setOption(SO_REUSEADDR, true));
    }

    @Behaviour("options set before connect are still set on the connected channel")
    void optionsPersistAcrossConnect(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        SocketChannel ch = tck.channel();
        ch.setOption(TCP_NODELAY, true);
        ch.setOption(SO_KEEPALIVE, true);
        ch.setOption(SO_LINGER, 7);
        ch.setOption(IP_TOS, 0x10);
        assertTrue(ch.connect(l.getLocalAddress()));
        tck.track(l.accept());
        assertTrue(ch.getOption(TCP_NODELAY));
        assertTrue(ch.getOption(SO_KEEPALIVE));
        assertEquals(7, ch.getOption(SO_LINGER));
        assertEquals(0x10, ch.getOption(IP_TOS));
        assertTrue(ch.getOption(SO_SNDBUF) > 0);
    }

    @Behaviour("an accepted channel's options are readable and settable")
    void acceptedChannelOptions(Tck tck) throws Exception {
        SocketChannel a = tck.accept().subject();
        assertFalse(a.getOption(SO_KEEPALIVE));
        assertTrue(a.getOption(SO_LINGER) < 0);
        assertTrue(a.getOption(SO_RCVBUF) > 0);
        assertTrue(a.getOption(SO_SNDBUF) > 0);
        a.setOption(TCP_NODELAY, true);
        assertTrue(a.getOption(TCP_NODELAY));
        a.setOption(SO_KEEPALIVE, true);
        assertTrue(a.getOption(SO_KEEPALIVE));
    }

    @Behaviour("a ServerSocketChannel has SO_REUSEADDR on by default, and it can be turned off")
    void serverReuseAddressDefault(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        assertTrue(ssc.getOption(SO_REUSEADDR));
        ssc.setOption(SO_REUSEADDR, false);
        assertFalse(ssc.getOption(SO_REUSEADDR));
        ssc.setOption(SO_REUSEADDR, true);
        assertTrue(ssc.getOption(SO_REUSEADDR));
    }

    @Behaviour("SO_REUSEADDR on a SocketChannel reads back what was set")
    void clientReuseAddressRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ch.setOption(SO_REUSEADDR, true);
        assertTrue(ch.getOption(SO_REUSEADDR));
        ch.setOption(SO_REUSEADDR, false);
        assertFalse(ch.getOption(SO_REUSEADDR));
    }

    @Behaviour("SO_RCVBUF set on a server channel before bind is readable before and after bind")
    void listenerReceiveBufferBeforeBind(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        ssc.setOption(SO_RCVBUF, 64 * 1024);
        int before = ssc.getOption(SO_RCVBUF);
        assertTrue(before > 0);
        ssc.bind(new InetSocketAddress(tck.subject().address(), 0));
        assertEquals(before, ssc.getOption(SO_RCVBUF));
    }

    @Behaviour("a channel accepted by a listener with SO_RCVBUF set before bind has the listener's SO_RCVBUF")
    void acceptedInheritsReceiveBuffer(Tck tck) throws Exception {
        ServerSocketChannel l = tck.serverChannel();
        l.setOption(SO_RCVBUF, 32 * 1024);
        l.bind(new InetSocketAddress(tck.subject().address(), 0));
        SocketChannel client = tck.peerChannel();
        assertTrue(client.connect(l.getLocalAddress()));
        SocketChannel a = tck.track(l.accept());
        assertEquals(l.getOption(SO_RCVBUF), a.getOption(SO_RCVBUF));
    }

    @Behaviour("SO_REUSEPORT reads back what was set, on SocketChannel and ServerSocketChannel")
    void reusePortRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        ServerSocketChannel ssc = tck.serverChannel();
        assertFalse(ch.getOption(SO_REUSEPORT));
        assertFalse(ssc.getOption(SO_REUSEPORT));
        ch.setOption(SO_REUSEPORT, true);
        ssc.setOption(SO_REUSEPORT, true);
        assertTrue(ch.getOption(SO_REUSEPORT));
        assertTrue(ssc.getOption(SO_REUSEPORT));
    }

    @Behaviour("two server channels with SO_REUSEPORT bind the same port; a third without it fails with BindException")
    void reusePortSharesPort(Tck tck) throws Exception {
        ServerSocketChannel a = tck.serverChannel();
        a.setOption(SO_REUSEPORT, true);
        a.bind(new InetSocketAddress(tck.subject().address(), 0));
        InetSocketAddress at = (InetSocketAddress) a.getLocalAddress();
        ServerSocketChannel b = tck.serverChannel();
        b.setOption(SO_REUSEPORT, true);
        b.bind(at);
        assertEquals(at, b.getLocalAddress());
        ServerSocketChannel c = tck.serverChannel();
        assertThrows(java.net.BindException.class, () -> c.bind(at));
        SocketChannel client = tck.peerChannel();
        assertTrue(client.connect(at), "a connect to the shared port completes");
    }

    @Behaviour("a listener with SO_REUSEADDR binds the port of a closed listener whose accepted connection is open")
    void reuseAddressRebind(Tck tck) throws Exception {
        ServerSocketChannel first = tck.listener();
        InetSocketAddress at = (InetSocketAddress) first.getLocalAddress();
        SocketChannel client = tck.peerChannel();
        assertTrue(client.connect(at));
        SocketChannel accepted = tck.track(first.accept());
        first.close();
        ServerSocketChannel second = tck.serverChannel();
        second.setOption(SO_REUSEADDR, true);
        second.bind(at);
        SocketChannel client2 = tck.peerChannel();
        assertTrue(client2.connect(at));
        SocketChannel accepted2 = tck.track(second.accept());
        Tck.writeFully(client, new byte[] {1});
        Tck.writeFully(client2, new byte[] {2});
        assertEquals(1, Tck.readFully(accepted, 1)[0]);
        assertEquals(2, Tck.readFully(accepted2, 1)[0]);
    }

    @Behaviour("SO_KEEPALIVE and TCP_NODELAY on both ends still let data flow both ways")
    void optionsDoNotBreakDataFlow(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        for (SocketChannel ch : List.of(c.subject(), c.peer())) {
            ch.setOption(SO_KEEPALIVE, true);
            ch.setOption(TCP_NODELAY, true);
        }
        for (int i = 0; i < 50; i++) {
            Tck.writeFully(c.subject(), new byte[] {(byte) i});
        }
        byte[] expected = new byte[50];
        for (int i = 0; i < 50; i++) {
            expected[i] = (byte) i;
        }
        assertArrayEquals(expected, Tck.readFully(c.peer(), 50));
        byte[] data = Tck.pattern(100_000);
        Tck.writeFully(c.peer(), data);
        assertEquals(Tck.sha256(data), Tck.sha256(Tck.readFully(c.subject(), data.length)));
    }

    @Behaviour("with SO_LINGER 0, close resets the connection: the peer's read throws \"Connection reset\"")
    void lingerZeroResets(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.subject(), new byte[] {1});
        assertEquals(1, Tck.readFully(c.peer(), 1)[0]);
        c.subject().setOption(SO_LINGER, 0);
        c.subject().close();
        IOException e = assertThrows(IOException.class, () -> {
            ByteBuffer buf = ByteBuffer.allocate(16);
            while (c.peer().read(buf) >= 0) {
                buf.clear();
            }
        });
        assertEquals("Connection reset", e.getMessage());
    }

    @Behaviour("options set on a channel's socket() adaptor are the channel's, and the other way round")
    void adaptorMirrorsChannel(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        Socket s = ch.socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.setSoLinger(true, 3);
        s.setTrafficClass(0x10);
        assertTrue(ch.getOption(TCP_NODELAY));
        assertTrue(ch.getOption(SO_KEEPALIVE));
        assertEquals(3, ch.getOption(SO_LINGER));
        assertEquals(0x10, ch.getOption(IP_TOS));
        ch.setOption(TCP_NODELAY, false);
        ch.setOption(SO_LINGER, -1);
        ch.setOption(SO_REUSEADDR, true);
        assertFalse(s.getTcpNoDelay());
        assertEquals(-1, s.getSoLinger());
        assertTrue(s.getReuseAddress());
        assertEquals(ch.getOption(SO_RCVBUF), s.getReceiveBufferSize());
        assertEquals(ch.getOption(SO_SNDBUF), s.getSendBufferSize());
        assertEquals(ch.supportedOptions(), s.supportedOptions());
    }

    @Behaviour("a server channel's socket() adaptor shares SO_RCVBUF and SO_REUSEADDR with the channel")
    void serverAdaptorMirrorsChannel(Tck tck) throws Exception {
        ServerSocketChannel ssc = tck.serverChannel();
        var ss = ssc.socket();
        ss.setReuseAddress(false);
        assertFalse(ssc.getOption(SO_REUSEADDR));
        ssc.setOption(SO_REUSEADDR, true);
        assertTrue(ss.getReuseAddress());
        ss.setReceiveBufferSize(32 * 1024);
        assertEquals(ssc.getOption(SO_RCVBUF), ss.getReceiveBufferSize());
        assertEquals(ssc.getOption(SO_RCVBUF), ss.getOption(SO_RCVBUF));
    }

    @Behaviour(
            "options through the socket() adaptor of a closed channel throw SocketException (IOException for getOption)")
    void closedAdaptor(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        Socket s = ch.socket();
        ch.close();
        assertThrows(SocketException.class, s::getTcpNoDelay);
        assertThrows(SocketException.class, () -> s.setKeepAlive(true));
        assertThrows(IOException.class, () -> s.getOption(SO_LINGER));
        assertThrows(SocketException.class, s::getSoTimeout);
        assertNotNull(s.supportedOptions());
    }
}

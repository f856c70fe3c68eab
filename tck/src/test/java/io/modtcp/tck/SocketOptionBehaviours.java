package io.modtcp.tck;

import static java.net.StandardSocketOptions.IP_MULTICAST_TTL;
import static java.net.StandardSocketOptions.IP_TOS;
import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_REUSEPORT;
import static java.net.StandardSocketOptions.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;

/** Socket options of java.net.Socket and java.net.ServerSocket. */
class SocketOptionBehaviours {
    @Behaviour("Socket.setTcpNoDelay/getTcpNoDelay round trip, off by default")
    void tcpNoDelay(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertFalse(s.getTcpNoDelay());
        s.setTcpNoDelay(true);
        assertTrue(s.getTcpNoDelay());
        s.setTcpNoDelay(false);
        assertFalse(s.getTcpNoDelay());
    }

    @Behaviour("Socket.setKeepAlive/getKeepAlive round trip, off by default")
    void keepAlive(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertFalse(s.getKeepAlive());
        s.setKeepAlive(true);
        assertTrue(s.getKeepAlive());
        s.setKeepAlive(false);
        assertFalse(s.getKeepAlive());
    }

    @Behaviour("Socket.getSoLinger is -1 by default, n after setSoLinger(true, n), -1 after setSoLinger(false, n)")
    void soLinger(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertEquals(-1, s.getSoLinger());
        s.setSoLinger(true, 0);
        assertEquals(0, s.getSoLinger());
        s.setSoLinger(true, 5);
        assertEquals(5, s.getSoLinger());
        s.setSoLinger(false, 5);
        assertEquals(-1, s.getSoLinger());
    }

    @Behaviour(
            "Socket.setSoLinger(true, negative) throws IllegalArgumentException; setSoLinger(false, negative) is accepted")
    void soLingerNegative(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertThrows(IllegalArgumentException.class, () -> s.setSoLinger(true, -1));
        s.setSoLinger(false, -1);
        assertEquals(-1, s.getSoLinger());
    }

    @Behaviour("setSoLinger(true, 70000) on a channel's socket() adaptor reads back 65535")
    void adaptorLingerCapped(Tck tck) throws Exception {
        Socket s = tck.channel().socket();
        s.setSoLinger(true, 70_000);
        assertEquals(65535, s.getSoLinger());
    }

    @Behaviour("Socket.setReceiveBufferSize(0 or negative) throws IllegalArgumentException")
    void receiveBufferSizeInvalid(Tck tck) throws Exception {
        for (Socket s : List.of(tck.socket(), tck.channel().socket())) {
            assertThrows(IllegalArgumentException.class, () -> s.setReceiveBufferSize(0));
            assertThrows(IllegalArgumentException.class, () -> s.setReceiveBufferSize(-1));
            assertTrue(s.getReceiveBufferSize() > 0);
        }
    }

    @Behaviour("Socket.setSendBufferSize(0 or negative) throws IllegalArgumentException")
    void sendBufferSizeInvalid(Tck tck) throws Exception {
        for (Socket s : List.of(tck.socket(), tck.channel().socket())) {
            assertThrows(IllegalArgumentException.class, () -> s.setSendBufferSize(-1));
            assertThrows(IllegalArgumentException.class, () -> s.setSendBufferSize(0));
            assertTrue(s.getSendBufferSize() > 0);
        }
    }

    @Behaviour("Socket buffer sizes: a set size reads back positive, and a larger size is not read back smaller")
    void bufferSizesMonotone(Tck tck) throws Exception {
        Socket s = tck.socket();
        s.setReceiveBufferSize(8 * 1024);
        s.setSendBufferSize(8 * 1024);
        int rcv = s.getReceiveBufferSize();
        int snd = s.getSendBufferSize();
        s.setReceiveBufferSize(128 * 1024);
        s.setSendBufferSize(128 * 1024);
        assertTrue(rcv > 0 && snd > 0);
        assertTrue(s.getReceiveBufferSize() >= rcv);
        assertTrue(s.getSendBufferSize() >= snd);
    }

    @Behaviour("Socket.setTrafficClass outside 0..255 throws IllegalArgumentException; 0x10 reads back")
    void trafficClass(Tck tck) throws Exception {
        for (Socket s : List.of(tck.socket(), tck.channel().socket())) {
            assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(256));
            assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(-1));
            s.setTrafficClass(0x10);
            assertEquals(0x10, s.getTrafficClass());
        }
    }

    @Behaviour("Socket.setReuseAddress/getReuseAddress round trip, off by default")
    void reuseAddress(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertFalse(s.getReuseAddress());
        s.setReuseAddress(true);
        assertTrue(s.getReuseAddress());
        s.setReuseAddress(false);
        assertFalse(s.getReuseAddress());
    }

    @Behaviour("Socket.setOOBInline/getOOBInline round trip, off by default")
    void oobInline(Tck tck) throws Exception {
        for (Socket s : List.of(tck.socket(), tck.channel().socket())) {
            assertFalse(s.getOOBInline());
            s.setOOBInline(true);
            assertTrue(s.getOOBInline());
            s.setOOBInline(false);
            assertFalse(s.getOOBInline());
        }
    }

    @Behaviour("Socket.setOption/getOption with StandardSocketOptions round trip, and setOption returns the socket")
    void typedOptions(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertSame(s, s.setOption(TCP_NODELAY, true));
        assertTrue(s.getOption(TCP_NODELAY));
        assertTrue(s.getTcpNoDelay());
        s.setOption(SO_LINGER, 4);
        assertEquals(4, s.getOption(SO_LINGER));
        assertEquals(4, s.getSoLinger());
        s.setOption(SO_KEEPALIVE, true);
        assertTrue(s.getKeepAlive());
        s.setOption(IP_TOS, 0x08);
        assertEquals(0x08, s.getOption(IP_TOS));
        s.setOption(SO_REUSEADDR, true);
        assertTrue(s.getReuseAddress());
        s.setReuseAddress(false);
        assertFalse(s.getOption(SO_REUSEADDR));
    }

    @Behaviour(
            "Socket.setOption rejects null (NullPointerException), unsupported (UnsupportedOperationException) and IP_TOS 256 (IllegalArgumentException)")
    void typedOptionsInvalid(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertThrows(NullPointerException.class, () -> s.setOption(null, 1));
        assertThrows(NullPointerException.class, () -> s.getOption(null));
        assertThrows(UnsupportedOperationException.class, () -> s.setOption(IP_MULTICAST_TTL, 1));
        assertThrows(UnsupportedOperationException.class, () -> s.getOption(IP_MULTICAST_TTL));
        assertThrows(IllegalArgumentException.class, () -> s.setOption(IP_TOS, 256));
        assertThrows(IllegalArgumentException.class, () -> s.setOption(SO_RCVBUF, -1));
    }

    @Behaviour("Socket.supportedOptions() contains the standard TCP options, also after close")
    void socketSupportedOptions(Tck tck) throws Exception {
        Socket s = tck.socket();
        Set<SocketOption<?>> options = s.supportedOptions();
        for (SocketOption<?> o : ChannelOptionBehaviours.CLIENT_STANDARD) {
            assertTrue(options.contains(o), "supports " + o);
        }
        s.close();
        assertTrue(s.supportedOptions().contains(TCP_NODELAY));
    }

    @Behaviour(
            "option getters and setters on a closed Socket throw SocketException (\"Socket is closed\" or \"Socket closed\")")
    void closedSocket(Tck tck) throws Exception {
        Socket s = tck.socket();
        s.close();
        List<Executable> calls = List.of(
                s::getTcpNoDelay,
                () -> s.setTcpNoDelay(true),
                s::getKeepAlive,
                () -> s.setKeepAlive(true),
                s::getSoLinger,
                () -> s.setSoLinger(true, 1),
                s::getReceiveBufferSize,
                () -> s.setSendBufferSize(4096),
                s::getTrafficClass,
                s::getReuseAddress,
                s::getOOBInline,
                s::getSoTimeout,
                () -> s.setSoTimeout(10),
                () -> s.getOption(TCP_NODELAY),
                () -> s.setOption(SO_KEEPALIVE, true));
        for (int i = 0; i < calls.size(); i++) {
            SocketException e = assertThrows(SocketException.class, calls.get(i), "call " + i);
            assertTrue(List.of("Socket is closed", "Socket closed").contains(e.getMessage()), "call " + i + ": " + e);
        }
    }

    @Behaviour(
            "Socket.setSoTimeout/getSoTimeout round trip (0 by default); a negative timeout throws IllegalArgumentException")
    void soTimeout(Tck tck) throws Exception {
        for (Socket s : List.of(tck.socket(), tck.channel().socket())) {
            assertEquals(0, s.getSoTimeout());
            s.setSoTimeout(1234);
            assertEquals(1234, s.getSoTimeout());
            assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1));
            s.setSoTimeout(0);
            assertEquals(0, s.getSoTimeout());
        }
    }

    @Behaviour("with SO_TIMEOUT set, a read with no data throws SocketTimeoutException and the socket stays usable")
    void soTimeoutRead(Tck tck) throws Exception {
        Tck.Sockets c = tck.connectSockets();
        c.subject().setSoTimeout(150);
        InputStream in = c.subject().getInputStream();
        assertThrows(SocketTimeoutException.class, in::read);
        assertFalse(c.subject().isClosed());
        c.peer().getOutputStream().write(42);
        assertEquals(42, in.read());
    }

    @Behaviour("ServerSocket.setSoTimeout makes accept throw SocketTimeoutException; the server socket stays usable")
    void serverSoTimeout(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        assertEquals(0, ss.getSoTimeout());
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        ss.setSoTimeout(150);
        assertEquals(150, ss.getSoTimeout());
        assertThrows(SocketTimeoutException.class, ss::accept);
        Socket c = tck.peerSocket();
        c.connect(ss.getLocalSocketAddress(), 10_000);
        Socket a = tck.track(ss.accept());
        assertEquals(c.getLocalPort(), a.getPort());
    }

    @Behaviour("setPerformancePreferences is accepted by Socket and ServerSocket, and they still connect")
    void performancePreferences(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.setPerformancePreferences(0, 1, 2);
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        Socket s = tck.peerSocket();
        s.setPerformancePreferences(2, 1, 0);
        Socket mine = tck.socket();
        mine.setPerformancePreferences(1, 2, 3);
        s.connect(ss.getLocalSocketAddress(), 10_000);
        tck.track(ss.accept());
        tck.channel().socket().setPerformancePreferences(1, 0, 0);
        assertTrue(s.isConnected());
    }

    @Behaviour("TCP_NODELAY set on an accepted Socket after accept reads back, and data still flows")
    void acceptedNoDelay(Tck tck) throws Exception {
        Tck.Sockets c = tck.acceptSockets();
        Socket a = c.subject();
        assertFalse(a.getTcpNoDelay());
        a.setTcpNoDelay(true);
        assertTrue(a.getTcpNoDelay());
        a.getOutputStream().write(new byte[] {1, 2, 3});
        assertEquals(3, c.peer().getInputStream().readNBytes(3).length);
    }

    @Behaviour("an accepted Socket's options are readable: keep-alive off, linger -1, positive buffer sizes")
    void acceptedSocketOptions(Tck tck) throws Exception {
        Socket a = tck.acceptSockets().subject();
        assertFalse(a.getKeepAlive());
        assertEquals(-1, a.getSoLinger());
        assertTrue(a.getReceiveBufferSize() > 0);
        assertTrue(a.getSendBufferSize() > 0);
        assertEquals(0, a.getSoTimeout());
        assertFalse(a.getOOBInline());
    }

    @Behaviour("Socket options set before connect are still set after connect")
    void socketOptionsPersistAcrossConnect(Tck tck) throws Exception {
        ServerSocket l = tck.peerServerSocket();
        l.bind(new InetSocketAddress(tck.peer().address(), 0));
        Socket s = tck.socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.setSoLinger(true, 9);
        s.setSoTimeout(777);
        s.setTrafficClass(0x10);
        s.connect(l.getLocalSocketAddress(), 10_000);
        tck.track(l.accept());
        assertTrue(s.getTcpNoDelay());
        assertTrue(s.getKeepAlive());
        assertEquals(9, s.getSoLinger());
        assertEquals(777, s.getSoTimeout());
        assertEquals(0x10, s.getTrafficClass());
    }

    @Behaviour(
            "ServerSocket.setReceiveBufferSize: a larger size is not read back smaller; 0 or negative throws IllegalArgumentException")
    void serverReceiveBuffer(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.setReceiveBufferSize(8 * 1024);
        int small = ss.getReceiveBufferSize();
        ss.setReceiveBufferSize(128 * 1024);
        int large = ss.getReceiveBufferSize();
        assertTrue(small > 0);
        assertTrue(large >= small);
        assertThrows(IllegalArgumentException.class, () -> ss.setReceiveBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> ss.setReceiveBufferSize(-1));
        assertEquals(large, ss.getReceiveBufferSize());
    }

    @Behaviour("ServerSocket has SO_REUSEADDR on by default; setReuseAddress round trips")
    void serverReuseAddress(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        assertTrue(ss.getReuseAddress());
        ss.setReuseAddress(false);
        assertFalse(ss.getReuseAddress());
        assertFalse(ss.getOption(SO_REUSEADDR));
        ss.setOption(SO_REUSEADDR, true);
        assertTrue(ss.getReuseAddress());
    }

    @Behaviour(
            "ServerSocket.supportedOptions() contains SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT and IP_TOS, not TCP_NODELAY")
    void serverSupportedOptions(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        Set<SocketOption<?>> options = ss.supportedOptions();
        for (SocketOption<?> o : List.of(SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT, IP_TOS)) {
            assertTrue(options.contains(o), "supports " + o);
        }
        assertFalse(options.contains(TCP_NODELAY));
        assertThrows(UnsupportedOperationException.class, () -> ss.setOption(TCP_NODELAY, true));
        ss.setOption(IP_TOS, 0x10);
        assertEquals(0x10, ss.getOption(IP_TOS));
        assertThrows(IllegalArgumentException.class, () -> ss.setOption(IP_TOS, 256));
    }

    @Behaviour("option getters and setters on a closed ServerSocket throw SocketException \"Socket is closed\"")
    void closedServerSocket(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.close();
        List<Executable> calls = List.of(
                ss::getReuseAddress,
                () -> ss.setReuseAddress(true),
                ss::getReceiveBufferSize,
                () -> ss.setReceiveBufferSize(4096),
                ss::getSoTimeout,
                () -> ss.setSoTimeout(5),
                () -> ss.getOption(SO_RCVBUF),
                () -> ss.setOption(SO_REUSEADDR, true));
        for (Executable call : calls) {
            SocketException e = assertThrows(SocketException.class, call);
            assertEquals("Socket is closed", e.getMessage());
        }
        assertTrue(ss.supportedOptions().contains(SO_RCVBUF));
    }

    @Behaviour("SO_KEEPALIVE set on both Sockets of a connection still lets data flow both ways")
    void keepAliveDataFlow(Tck tck) throws Exception {
        Tck.Sockets c = tck.connectSockets();
        c.subject().setKeepAlive(true);
        c.peer().setKeepAlive(true);
        byte[] data = Tck.pattern(50_000);
        c.subject().getOutputStream().write(data);
        assertEquals(Tck.sha256(data), Tck.sha256(c.peer().getInputStream().readNBytes(data.length)));
        c.peer().getOutputStream().write(data, 0, 1000);
        assertEquals(
                Tck.sha256(java.util.Arrays.copyOf(data, 1000)),
                Tck.sha256(c.subject().getInputStream().readNBytes(1000)));
        assertTrue(c.subject().getKeepAlive());
    }
}

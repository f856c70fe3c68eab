package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/** Connection setup and refusal. */
class ConnectionSetupBehaviours {
    @Behaviour("a blocking connect to a listener completes, and both ends see each other's address")
    void blockingConnect(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        assertTrue(c.subject().isConnected());
        assertEquals(c.peer().getLocalAddress(), c.subject().getRemoteAddress());
        assertEquals(c.subject().getLocalAddress(), c.peer().getRemoteAddress());
        assertEquals(tck.subject().address(), ((InetSocketAddress) c.subject().getLocalAddress()).getAddress());
    }

    @Behaviour("a connect to a port with no listener throws ConnectException and closes the channel")
    void connectRefused(Tck tck) throws Exception {
        InetSocketAddress nobody = tck.unusedPeerAddress();
        SocketChannel ch = tck.channel();
        assertThrows(ConnectException.class, () -> ch.connect(nobody));
        assertFalse(ch.isOpen());
    }

    @Behaviour("bytes written by the subject arrive at the peer, and back")
    void echo(Tck tck) throws Exception {
        Tck.Channels c = tck.accept();
        byte[] data = Tck.pattern(1000);
        Tck.writeFully(c.subject(), data);
        assertArrayEquals(data, Tck.readFully(c.peer(), data.length));
        Tck.writeFully(c.peer(), data);
        assertArrayEquals(data, Tck.readFully(c.subject(), data.length));
    }

    @Behaviour("java.net.Socket connects to a ServerSocket and exchanges bytes both ways")
    void socketsExchange(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().getOutputStream().write(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, s.peer().getInputStream().readNBytes(3));
        s.peer().getOutputStream().write(new byte[] {4});
        assertEquals(4, s.subject().getInputStream().read());
    }

    @Behaviour("connecting over IPv6 works and the addresses are IPv6")
    void ipv6(Tck tck) throws Exception {
        tck.assumeIpv6();
        var l = tck.peerServerChannel();
        l.bind(new InetSocketAddress(tck.peer().address6(), 0));
        SocketChannel ch = tck.channel();
        assertTrue(ch.connect(l.getLocalAddress()));
        SocketChannel a = tck.track(l.accept());
        assertEquals(tck.address6(), ((InetSocketAddress) a.getRemoteAddress()).getAddress());
        Tck.writeFully(ch, new byte[] {9});
        assertEquals(9, Tck.readFully(a, 1)[0]);
    }
}

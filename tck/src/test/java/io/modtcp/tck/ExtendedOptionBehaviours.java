package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/** The options of {@code jdk.net.ExtendedSocketOptions} that the JDK offers for TCP on Linux. */
class ExtendedOptionBehaviours {
    private static final List<SocketOption<?>> LINUX_TCP = List.of(
            ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL,
            ExtendedSocketOptions.TCP_KEEPCOUNT,
            ExtendedSocketOptions.TCP_QUICKACK,
            ExtendedSocketOptions.SO_INCOMING_NAPI_ID);

    private interface OptionSetter {
        void set(SocketOption<Integer> name, int value) throws IOException;
    }

    @Behaviour("SocketChannel, ServerSocketChannel, Socket and ServerSocket support TCP_KEEPIDLE, TCP_KEEPINTERVAL,"
            + " TCP_KEEPCOUNT, TCP_QUICKACK and SO_INCOMING_NAPI_ID")
    void supported(Tck tck) throws Exception {
        List<Set<SocketOption<?>>> sets = List.of(
                tck.channel().supportedOptions(),
                tck.serverChannel().supportedOptions(),
                tck.socket().supportedOptions(),
                tck.serverSocket().supportedOptions(),
                tck.channel().socket().supportedOptions());
        for (Set<SocketOption<?>> s : sets) {
            assertTrue(s.containsAll(LINUX_TCP), s.toString());
        }
    }

    private static void keepaliveRanges(OptionSetter set) throws IOException {
        for (int bad : new int[] {-1, 0, 32768, 200_000}) {
            assertThrows(SocketException.class, () -> set.set(ExtendedSocketOptions.TCP_KEEPIDLE, bad));
            assertThrows(SocketException.class, () -> set.set(ExtendedSocketOptions.TCP_KEEPINTERVAL, bad));
            assertThrows(SocketException.class, () -> set.set(ExtendedSocketOptions.TCP_KEEPCOUNT, bad));
        }
        assertThrows(SocketException.class, () -> set.set(ExtendedSocketOptions.TCP_KEEPCOUNT, 32767));
        set.set(ExtendedSocketOptions.TCP_KEEPIDLE, 32767);
        set.set(ExtendedSocketOptions.TCP_KEEPINTERVAL, 32767);
        set.set(ExtendedSocketOptions.TCP_KEEPCOUNT, 127);
    }

    @Behaviour("TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT read back as set; 0, negative and too large values"
            + " (idle and interval above 32767, count above 127) throw SocketException")
    void keepaliveRoundTrip(Tck tck) throws Exception {
        SocketChannel ch = tck.channel();
        assertTrue(ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE) > 0, "a default idle time");
        assertTrue(ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL) > 0, "a default interval");
        assertTrue(ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT) > 0, "a default count");
        ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
        ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        assertEquals(30, ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        assertEquals(5, ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
        assertEquals(3, ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
        keepaliveRanges(ch::setOption);
        Socket s = tck.socket();
        s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 40);
        assertEquals(40, s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        keepaliveRanges(s::setOption);
    }

    @Behaviour("a connection accepted by a listener with TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT set has"
            + " the listener's values")
    void keepaliveInherited(Tck tck) throws Exception {
        ServerSocketChannel l = tck.serverChannel();
        l.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 31);
        l.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 7);
        l.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
        assertEquals(31, l.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        l.bind(new InetSocketAddress(tck.subject().address(), 0));
        SocketChannel c = tck.peerChannel();
        c.connect(l.getLocalAddress());
        SocketChannel a = tck.track(l.accept());
        assertEquals(31, a.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        assertEquals(7, a.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
        assertEquals(4, a.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
    }

    @Behaviour("with SO_KEEPALIVE and the shortest keepalive times on both ends, an idle connection stays usable")
    void keepaliveIdleConnectionLives(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        for (NetworkChannel ch : List.of(c.subject(), c.peer())) {
            ch.setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 1);
        }
        Thread.sleep(2500); // two idle periods: probes go out and are answered, so the connection does not fail
        Tck.writeFully(c.subject(), new byte[] {1});
        assertEquals(1, Tck.readFully(c.peer(), 1)[0]);
        Tck.writeFully(c.peer(), new byte[] {2});
        assertEquals(2, Tck.readFully(c.subject(), 1)[0]);
    }

    @Behaviour("TCP_QUICKACK reads true on a new socket and round trips; data still flows with it on and off")
    void quickAck(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        SocketChannel ch = tck.channel();
        assertTrue(ch.getOption(ExtendedSocketOptions.TCP_QUICKACK));
        ch.setOption(ExtendedSocketOptions.TCP_QUICKACK, false);
        assertEquals(false, ch.getOption(ExtendedSocketOptions.TCP_QUICKACK));
        ch.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        assertEquals(true, ch.getOption(ExtendedSocketOptions.TCP_QUICKACK));
        c.subject().setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        byte[] data = Tck.pattern(100_000);
        Tck.writeFully(c.peer(), data);
        assertEquals(Tck.sha256(data), Tck.sha256(Tck.readFully(c.subject(), data.length)));
        c.subject().setOption(ExtendedSocketOptions.TCP_QUICKACK, false);
        Tck.writeFully(c.peer(), data);
        assertEquals(Tck.sha256(data), Tck.sha256(Tck.readFully(c.subject(), data.length)));
    }

    @Behaviour("SO_INCOMING_NAPI_ID reads a non-negative value and setting it throws SocketException")
    void napiIdReadOnly(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        assertTrue(c.subject().getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID) >= 0);
        assertThrows(SocketException.class, () -> c.subject().setOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID, 1));
        ServerSocket ss = tck.serverSocket();
        assertTrue(ss.getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID) >= 0);
    }
}

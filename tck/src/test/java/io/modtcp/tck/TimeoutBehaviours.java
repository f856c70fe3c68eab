package io.modtcp.tck;

import static io.modtcp.tck.InterruptBehaviours.block;
import static io.modtcp.tck.InterruptBehaviours.fullBacklog;
import static io.modtcp.tck.InterruptBehaviours.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.tck.InterruptBehaviours.Blocked;
import io.modtcp.tck.InterruptBehaviours.Outcome;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.function.Executable;

/** Timeouts: SO_TIMEOUT on reads and accepts, connect timeouts. */
class TimeoutBehaviours {
    @Behaviour("a Socket read with SO_TIMEOUT and no data throws SocketTimeoutException after the timeout; the socket"
            + " stays open and a later read gets the data")
    void socketReadTimeout(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setSoTimeout(200);
        InputStream in = s.subject().getInputStream();
        assertTimesOut(200, in::read);
        assertFalse(s.subject().isClosed());
        s.peer().getOutputStream().write(7);
        assertEquals(7, in.read());
    }

    @Behaviour("a Socket read with SO_TIMEOUT returns data that arrives before the timeout")
    void socketReadBeforeTimeout(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setSoTimeout(10_000);
        InputStream in = s.subject().getInputStream();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        s.peer().getOutputStream().write(9);
        assertEquals(9, b.get().value());
    }

    @Behaviour("SO_TIMEOUT 0 is an infinite timeout: a Socket read blocks until the peer writes")
    void soTimeoutZeroIsInfinite(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setSoTimeout(300);
        s.subject().setSoTimeout(0);
        assertEquals(0, s.subject().getSoTimeout());
        InputStream in = s.subject().getInputStream();
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        assertThrows(TimeoutException.class, () -> b.result().get(400, TimeUnit.MILLISECONDS));
        s.peer().getOutputStream().write(3);
        assertEquals(3, b.get().value());
    }

    @Behaviour("ServerSocket.accept with SO_TIMEOUT throws SocketTimeoutException; the server socket then still"
            + " accepts")
    void serverSocketAcceptTimeout(Tck tck) throws Exception {
        ServerSocket ss = tck.serverSocket();
        ss.bind(new InetSocketAddress(tck.subject().address(), 0));
        ss.setSoTimeout(200);
        assertTimesOut(200, ss::accept);
        assertFalse(ss.isClosed());
        Socket c = tck.peerSocket();
        c.connect(ss.getLocalSocketAddress(), 5_000);
        Socket a = tck.track(ss.accept());
        assertEquals(c.getLocalSocketAddress(), a.getRemoteSocketAddress());
    }

    @Behaviour("Socket.connect with a timeout to a listener whose backlog is full throws SocketTimeoutException")
    void connectTimeout(Tck tck) throws Exception {
        InetSocketAddress full = fullBacklog(tck);
        Socket s = tck.socket();
        assertTimesOut(200, () -> s.connect(full, 200));
        assertFalse(s.isConnected());
    }

    @Behaviour("a channel's socket().connect with a timeout to a full-backlog listener throws SocketTimeoutException"
            + " and closes the channel")
    void adaptorConnectTimeout(Tck tck) throws Exception {
        InetSocketAddress full = fullBacklog(tck);
        SocketChannel ch = tck.channel();
        assertTimesOut(200, () -> ch.socket().connect(full, 200));
        assertFalse(ch.isOpen());
        assertFalse(ch.isConnected());
    }

    @Behaviour("Socket.setSoTimeout and ServerSocket.setSoTimeout with a negative value throw"
            + " IllegalArgumentException")
    void negativeSoTimeout(Tck tck) throws Exception {
        Socket s = tck.socket();
        assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1));
        ServerSocket ss = tck.serverSocket();
        assertThrows(IllegalArgumentException.class, () -> ss.setSoTimeout(-1));
        assertEquals(0, s.getSoTimeout());
        assertEquals(0, ss.getSoTimeout());
    }

    @Behaviour("Socket.connect with a negative timeout throws IllegalArgumentException and leaves the socket"
            + " unconnected")
    void negativeConnectTimeout(Tck tck) throws Exception {
        InetSocketAddress target = (InetSocketAddress) tck.peerListener().getLocalAddress();
        Socket s = tck.socket();
        assertThrows(IllegalArgumentException.class, () -> s.connect(target, -1));
        assertFalse(s.isConnected());
        SocketChannel ch = tck.channel();
        assertThrows(IllegalArgumentException.class, () -> ch.socket().connect(target, -1));
        assertFalse(ch.isConnected());
    }

    @Behaviour("SO_TIMEOUT round-trips on Socket, ServerSocket and the channels' socket() adaptors")
    void soTimeoutRoundTrip(Tck tck) throws Exception {
        Socket s = tck.socket();
        s.setSoTimeout(1234);
        assertEquals(1234, s.getSoTimeout());
        ServerSocket ss = tck.serverSocket();
        ss.setSoTimeout(2345);
        assertEquals(2345, ss.getSoTimeout());
        Socket a = tck.channel().socket();
        assertEquals(0, a.getSoTimeout());
        a.setSoTimeout(3456);
        assertEquals(3456, a.getSoTimeout());
        ServerSocket sa = tck.serverChannel().socket();
        sa.setSoTimeout(4567);
        assertEquals(4567, sa.getSoTimeout());
    }

    @Behaviour("SO_TIMEOUT on a channel's socket() applies to its InputStream: SocketTimeoutException, the channel"
            + " stays open and a later read gets the data")
    void adaptorReadTimeout(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().socket().setSoTimeout(200);
        InputStream in = c.subject().socket().getInputStream();
        assertTimesOut(200, in::read);
        assertTrue(c.subject().isOpen());
        Tck.writeFully(c.peer(), new byte[] {5});
        assertEquals(5, in.read());
    }

    @Behaviour("SO_TIMEOUT on a server channel's socket() applies to its accept: SocketTimeoutException, the channel"
            + " stays open and accepts afterwards")
    void serverAdaptorAcceptTimeout(Tck tck) throws Exception {
        ServerSocketChannel l = tck.listener();
        l.socket().setSoTimeout(200);
        assertTimesOut(200, () -> l.socket().accept());
        assertTrue(l.isOpen());
        SocketChannel c = tck.peerChannel();
        assertTrue(c.connect(l.getLocalAddress()));
        Socket a = tck.track(l.socket().accept());
        assertEquals(c.getLocalAddress(), a.getRemoteSocketAddress());
    }

    @Behaviour("SO_TIMEOUT on a channel's socket() does not apply to SocketChannel.read, which blocks until data")
    void soTimeoutNotForChannelRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().socket().setSoTimeout(100);
        Blocked<Outcome> b = block(tck, "read", () -> outcome(() -> c.subject().read(ByteBuffer.allocate(4))));
        assertThrows(TimeoutException.class, () -> b.result().get(300, TimeUnit.MILLISECONDS));
        Tck.writeFully(c.peer(), new byte[] {1, 2});
        assertEquals(2, b.get().value());
    }

    @Behaviour("a new SO_TIMEOUT applies to the next read: after a timeout, a longer timeout lets data sent"
            + " meanwhile arrive")
    void soTimeoutChangedBetweenReads(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setSoTimeout(100);
        InputStream in = s.subject().getInputStream();
        assertTimesOut(100, in::read);
        s.subject().setSoTimeout(10_000);
        Blocked<Outcome> b = block(tck, "read", () -> outcome(in::read));
        s.peer().getOutputStream().write(11);
        assertEquals(11, b.get().value());
    }

    /** Asserts that {@code call} throws SocketTimeoutException, not before about {@code timeoutMs}. */
    private static void assertTimesOut(long timeoutMs, Executable call) {
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, call);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs >= timeoutMs * 3 / 4, "timed out after " + tookMs + " ms, before " + timeoutMs + " ms");
    }
}

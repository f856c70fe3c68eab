package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** End of stream, half-close, close and reset, linger. */
class CloseBehaviours {
    /** Reads until the channel throws; fails if it reads to the end of stream or for too long. */
    private static IOException readUntilFailure(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() - deadline < 0) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    fail("the stream ended normally instead of failing");
                }
            }
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("reads did not fail within 10 s");
    }

    /** Writes until the channel throws (bounded: 10 s). */
    private static IOException writeUntilFailure(SocketChannel ch) throws InterruptedException {
        ByteBuffer buf = ByteBuffer.wrap(new byte[1000]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() - deadline < 0) {
                buf.clear();
                ch.write(buf);
                Thread.sleep(1); // the peer's reset is on its way: give it a moment, bounded by the deadline
            }
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("writes did not fail within 10 s");
    }

    private static void assertReset(IOException e) {
        assertEquals("Connection reset", e.getMessage(), e.toString());
    }

    @Behaviour("after the peer's shutdownOutput the subject reads -1, and -1 again")
    void eofAfterPeerShutdownOutput(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), new byte[] {1, 2});
        c.peer().shutdownOutput();
        assertArrayEquals(new byte[] {1, 2}, Tck.readFully(c.subject(), 2), "bytes before the FIN come first");
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
        assertEquals(-1, c.subject().read(new ByteBuffer[] {ByteBuffer.allocate(10)}));
    }

    @Behaviour("after the peer's shutdownOutput the subject can still write to the peer (half-close)")
    void writeAfterPeerShutdownOutput(Tck tck) throws Exception {
        Tck.Channels c = tck.accept();
        c.peer().shutdownOutput();
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(1)));
        byte[] data = Tck.pattern(5000);
        Tck.writeFully(c.subject(), data);
        assertArrayEquals(data, Tck.readFully(c.peer(), data.length));
        c.subject().close();
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)));
    }

    @Behaviour("after the subject's shutdownOutput the peer reads -1 and can still write to the subject")
    void ownShutdownOutputHalfClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.subject(), new byte[] {7});
        c.subject().shutdownOutput();
        assertArrayEquals(new byte[] {7}, Tck.readFully(c.peer(), 2));
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)));
        byte[] data = Tck.pattern(5000);
        Tck.writeFully(c.peer(), data);
        assertArrayEquals(data, Tck.readFully(c.subject(), data.length));
    }

    @Behaviour("shutdownInput makes the subject's reads return -1 at once")
    void shutdownInputReadsEof(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().shutdownInput();
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(10)));
        Tck.writeFully(c.subject(), new byte[] {3});
        assertEquals(3, Tck.readFully(c.peer(), 1)[0], "the output still works");
    }

    @Behaviour("shutdownOutput and shutdownInput twice are harmless")
    void shutdownTwice(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().shutdownOutput();
        c.subject().shutdownOutput();
        c.subject().shutdownInput();
        c.subject().shutdownInput();
        assertTrue(c.subject().isOpen());
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)));
    }

    @Behaviour("a channel write after its own shutdownOutput throws ClosedChannelException")
    void channelWriteAfterShutdownOutput(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().shutdownOutput();
        assertThrows(ClosedChannelException.class, () -> c.subject().write(ByteBuffer.wrap(new byte[] {1})));
        assertThrows(ClosedChannelException.class, () -> c.subject()
                .write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}));
        assertTrue(c.subject().isOpen(), "the channel stays open");
    }

    @Behaviour("a Socket OutputStream write after shutdownOutput throws SocketException")
    void socketWriteAfterShutdownOutput(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        OutputStream out = s.subject().getOutputStream();
        s.subject().shutdownOutput();
        assertThrows(SocketException.class, () -> out.write(1));
        assertThrows(SocketException.class, () -> out.write(new byte[10]));
        assertThrows(SocketException.class, () -> s.subject().getOutputStream());
        assertEquals(-1, s.peer().getInputStream().read());
    }

    @Behaviour("Socket.isInputShutdown and isOutputShutdown follow shutdownInput and shutdownOutput")
    void socketShutdownState(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        Socket so = s.subject();
        InputStream in = so.getInputStream();
        assertFalse(so.isInputShutdown());
        assertFalse(so.isOutputShutdown());
        so.shutdownOutput();
        assertTrue(so.isOutputShutdown());
        assertFalse(so.isInputShutdown());
        so.shutdownInput();
        assertTrue(so.isInputShutdown());
        assertEquals(-1, in.read(), "input shut down: end of stream");
        assertThrows(SocketException.class, () -> so.getInputStream(), "getInputStream after shutdownInput");
        assertTrue(so.isConnected() && !so.isClosed());
    }

    @Behaviour("a Socket reads -1, and -1 again, after the peer closes")
    void socketEofAfterPeerClose(Tck tck) throws Exception {
        Tck.Sockets s = tck.acceptSockets();
        s.peer().getOutputStream().write(new byte[] {1, 2, 3});
        s.peer().close();
        InputStream in = s.subject().getInputStream();
        assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3));
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[10]));
    }

    @Behaviour("closing with unread received data resets the connection: the peer's read throws \"Connection reset\"")
    void closeWithUnreadDataResets(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), new byte[] {1, 2, 3});
        Tck.writeFully(c.subject(), new byte[] {9});
        assertEquals(9, Tck.readFully(c.peer(), 1)[0]); // the peer's bytes have arrived by now (sent first)
        assertEquals(1, Tck.readFully(c.subject(), 1)[0]); // ...and two are left unread
        c.subject().close();
        assertReset(readUntilFailure(c.peer()));
    }

    @Behaviour("a close with SO_LINGER 0 resets the connection: the peer's read throws \"Connection reset\"")
    void lingerZeroResets(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().setOption(StandardSocketOptions.SO_LINGER, 0);
        assertEquals(0, c.subject().getOption(StandardSocketOptions.SO_LINGER));
        Tck.writeFully(c.subject(), new byte[] {1});
        assertEquals(1, Tck.readFully(c.peer(), 1)[0]);
        c.subject().close();
        assertReset(readUntilFailure(c.peer()));
    }

    @Behaviour("Socket.setSoLinger(true, 0) then close resets the connection")
    void socketLingerZeroResets(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setSoLinger(true, 0);
        assertEquals(0, s.subject().getSoLinger());
        s.subject().close();
        IOException e = assertThrows(IOException.class, () -> {
            InputStream in = s.peer().getInputStream();
            while (in.read() >= 0) {
                // nothing was sent
            }
        });
        assertReset(e);
    }

    @Behaviour("when the peer resets the connection, the subject's read throws \"Connection reset\"")
    void peerResetFailsRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        assertReset(readUntilFailure(c.subject()));
    }

    @Behaviour("when the peer resets the connection, the subject's next write throws IOException")
    void peerResetFailsWrite(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        readUntilFailure(c.subject()); // the reset has arrived
        assertThrows(IOException.class, () -> c.subject().write(ByteBuffer.wrap(new byte[] {1})));
    }

    @Behaviour("after the peer closes, the subject's writes eventually fail with IOException")
    void writesFailAfterPeerClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().close();
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(1)), "the peer's FIN");
        IOException e = writeUntilFailure(c.subject());
        assertFalse(e instanceof ClosedChannelException, e.toString());
    }

    @Behaviour("closing while the peer still sends makes the peer's writes fail with IOException")
    void closeWhilePeerSends(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Future<IOException> sender = tck.async(() -> {
            ByteBuffer buf = ByteBuffer.wrap(Tck.pattern(8192));
            try {
                while (true) {
                    buf.clear();
                    c.peer().write(buf);
                }
            } catch (IOException e) {
                return e;
            }
        });
        Tck.readFully(c.subject(), 100_000);
        c.subject().close();
        IOException e = sender.get(10, TimeUnit.SECONDS);
        assertFalse(e instanceof ClosedChannelException, e.toString());
    }

    @Behaviour("a read after the channel's own close throws ClosedChannelException, a write too")
    void readAfterClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), new byte[] {1});
        c.subject().close();
        assertThrows(ClosedChannelException.class, () -> c.subject().read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> c.subject().write(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> c.subject().shutdownOutput());
    }

    @Behaviour("a Socket InputStream read after the socket's close throws SocketException \"Socket closed\"")
    void socketReadAfterClose(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        InputStream in = s.subject().getInputStream();
        OutputStream out = s.subject().getOutputStream();
        s.subject().close();
        SocketException e = assertThrows(SocketException.class, () -> in.read());
        assertEquals("Socket closed", e.getMessage());
        assertThrows(SocketException.class, () -> out.write(1));
        assertThrows(SocketException.class, () -> s.subject().getInputStream());
    }

    @Behaviour("after close a channel is not open and not connected; a Socket is closed and stays connected")
    void stateAfterClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().close();
        assertFalse(c.subject().isOpen());
        assertFalse(c.subject().isConnected());
        c.subject().close(); // twice is harmless
        Tck.Sockets s = tck.connectSockets();
        s.subject().close();
        assertTrue(s.subject().isClosed());
        assertTrue(s.subject().isConnected(), "closing a socket does not clear its connection state");
    }

    @Behaviour("closing a channel closes its socket adaptor and the adaptor's streams")
    void channelCloseClosesAdaptor(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Socket adaptor = c.subject().socket();
        InputStream in = adaptor.getInputStream();
        OutputStream out = adaptor.getOutputStream();
        c.subject().close();
        assertTrue(adaptor.isClosed());
        assertThrows(IOException.class, () -> in.read());
        assertThrows(IOException.class, () -> out.write(1));
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)), "the peer sees the close");
    }

    @Behaviour("closing a Socket's InputStream or OutputStream closes the socket")
    void streamCloseClosesSocket(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().getInputStream().close();
        assertTrue(s.subject().isClosed());
        assertEquals(-1, s.peer().getInputStream().read(), "the peer sees the close");
        Tck.Sockets t = tck.connectSockets();
        t.subject().getOutputStream().close();
        assertTrue(t.subject().isClosed());
        assertEquals(-1, t.peer().getInputStream().read(), "the peer sees the close");
    }

    /** Writes 1 MiB from the subject, closes it at once, and checks the peer still gets all of it and then -1. */
    private static void closeAfterWriteDelivers(Tck tck, Tck.Channels c) throws Exception {
        byte[] data = Tck.pattern(1 << 20);
        Future<byte[]> r = tck.async(() -> Tck.readFully(c.peer(), data.length + 1));
        Tck.writeFully(c.subject(), data);
        c.subject().close();
        assertEquals(Tck.sha256(data), Tck.sha256(r.get(20, TimeUnit.SECONDS)), "all bytes, then the end of stream");
    }

    @Behaviour("a close right after a large write still delivers every byte, then the end of stream")
    void closeAfterWrite(Tck tck) throws Exception {
        closeAfterWriteDelivers(tck, tck.connect());
    }

    @Behaviour("with SO_LINGER 5 a close after a large write delivers every byte, then the end of stream")
    void lingerPositiveClose(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().setOption(StandardSocketOptions.SO_LINGER, 5);
        assertEquals(5, c.subject().getOption(StandardSocketOptions.SO_LINGER));
        closeAfterWriteDelivers(tck, c);
    }

    @Behaviour("a channel's socket adaptor InputStream reads -1 twice after the peer's shutdownOutput")
    void adaptorEof(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        InputStream in = c.subject().socket().getInputStream();
        Tck.writeFully(c.peer(), new byte[] {5});
        c.peer().shutdownOutput();
        assertEquals(5, in.read());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[4]));
        assertEquals(0, in.available());
    }

    @Behaviour("a channel's socket adaptor InputStream throws \"Connection reset\" after the peer resets")
    void adaptorReset(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        InputStream in = c.subject().socket().getInputStream();
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        assertReset(assertThrows(IOException.class, () -> {
            while (in.read() >= 0) {
                // nothing was sent
            }
        }));
    }

    @Behaviour("a channel's socket adaptor OutputStream write after shutdownOutput throws IOException")
    void adaptorWriteAfterShutdownOutput(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Socket adaptor = c.subject().socket();
        OutputStream out = adaptor.getOutputStream();
        adaptor.shutdownOutput();
        assertTrue(adaptor.isOutputShutdown());
        assertTrue(c.subject().isOpen());
        assertThrows(IOException.class, () -> out.write(1));
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)));
    }
    /** Waits (bounded: 10 s) until {@code in} has {@code n} bytes available. */
    private static void awaitAvailable(InputStream in, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (in.available() < n) {
            if (System.nanoTime() - deadline > 0) {
                fail("fewer than " + n + " bytes arrived within 10 s: " + in.available());
            }
            Thread.sleep(1);
        }
    }

    /**
     * Sends {@code data} from {@code peer}, waits until the subject has it, then resets the connection from the peer
     * (SO_LINGER 0) and gives the reset time to arrive: it cannot be observed without reading, which would consume it.
     */
    private static void dataThenReset(SocketChannel peer, InputStream subjectIn, byte[] data) throws Exception {
        Tck.writeFully(peer, data);
        awaitAvailable(subjectIn, data.length);
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();
        Thread.sleep(200);
    }

    @Behaviour("after a reset that follows data, a channel reads the data, then \"Connection reset\" on every read")
    void resetAfterDataChannel(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        dataThenReset(c.peer(), c.subject().socket().getInputStream(), new byte[] {1, 2, 3});
        ByteBuffer buf = ByteBuffer.allocate(10);
        assertEquals(3, c.subject().read(buf), "the bytes received before the reset are kept");
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(buf.array(), 3));
        for (int i = 0; i < 3; i++) {
            assertReset(assertThrows(IOException.class, () -> c.subject().read(ByteBuffer.allocate(10))));
        }
        assertReset(assertThrows(IOException.class, () -> c.subject().read(new ByteBuffer[] {ByteBuffer.allocate(1)})));
        assertTrue(c.subject().isOpen(), "the channel stays open");
    }

    @Behaviour("after a reset that follows data, a Socket reads the data, then \"Connection reset\" on every read")
    void resetAfterDataSocket(Tck tck) throws Exception {
        ServerSocketChannel l = tck.peerListener();
        Socket s = tck.socket();
        s.connect(l.getLocalAddress(), 10_000);
        SocketChannel peer = tck.track(l.accept());
        InputStream in = s.getInputStream();
        dataThenReset(peer, in, new byte[] {4, 5, 6});
        byte[] b = new byte[10];
        assertEquals(3, in.read(b), "the bytes received before the reset are kept");
        assertArrayEquals(new byte[] {4, 5, 6}, java.util.Arrays.copyOf(b, 3));
        for (int i = 0; i < 3; i++) {
            assertReset(assertThrows(IOException.class, () -> in.read(new byte[10])));
        }
        assertReset(assertThrows(IOException.class, in::read));
        assertFalse(s.isClosed(), "the socket stays open");
    }

    @Behaviour("after a reset that follows data, a channel's socket adaptor reads the data, then \"Connection reset\""
            + " on every read")
    void resetAfterDataAdaptor(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        InputStream in = c.subject().socket().getInputStream();
        dataThenReset(c.peer(), in, new byte[] {7, 8});
        byte[] b = new byte[10];
        assertEquals(2, in.read(b), "the bytes received before the reset are kept");
        for (int i = 0; i < 3; i++) {
            assertReset(assertThrows(IOException.class, () -> in.read(new byte[10])));
        }
    }

    @Behaviour("after a reset with nothing received, every channel read and every Socket read throws \"Connection"
            + " reset\"")
    void resetEveryRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().setOption(StandardSocketOptions.SO_LINGER, 0);
        c.peer().close();
        assertReset(readUntilFailure(c.subject()));
        assertReset(assertThrows(IOException.class, () -> c.subject().read(ByteBuffer.allocate(10))));
        Tck.Sockets s = tck.connectSockets();
        s.peer().setSoLinger(true, 0);
        s.peer().close();
        InputStream in = s.subject().getInputStream();
        assertReset(assertThrows(IOException.class, () -> {
            while (in.read() >= 0) {
                // nothing was sent
            }
        }));
        assertReset(assertThrows(IOException.class, in::read));
    }

    /**
     * Fills the subject's send path (the peer does not read) on another thread and returns what ends the writes; the
     * writer is blocked on a full send buffer when this returns (bounded wait for the buffers to fill).
     */
    private static Future<IOException> blockedWriter(Tck tck, Tck.IoWriter w) throws Exception {
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Future<IOException> f = tck.async(() -> {
            byte[] chunk = new byte[8192];
            try {
                while (true) {
                    w.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                return e;
            }
        });
        // Wait until the writes stop making progress: the buffers on both sides are full.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = -1;
        while (true) {
            Thread.sleep(200);
            long now = written.get();
            if (now == last && now > 0) {
                return f;
            }
            last = now;
            if (f.isDone() || System.nanoTime() - deadline > 0) {
                fail("the writer did not block on a full send buffer (" + now + " bytes, done " + f.isDone() + ")");
            }
        }
    }

    @Behaviour("shutdownOutput from another thread wakes a channel writer blocked on a full send buffer: the write"
            + " throws ClosedChannelException (AsynchronousCloseException, or after a short count) and the channel"
            + " stays open")
    void asyncShutdownOutputWakesChannelWriter(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Future<IOException> w = blockedWriter(tck, b -> Tck.writeFully(c.subject(), b));
        c.subject().shutdownOutput();
        IOException e = w.get(10, TimeUnit.SECONDS);
        // The JDK's blocking write fails with AsynchronousCloseException when the shutdown ends a wait that had
        // written nothing, and returns a short count when it had written some (then the next write throws).
        assertTrue(e instanceof ClosedChannelException, e.toString());
        assertTrue(c.subject().isOpen(), "the channel stays open");
        assertThrows(ClosedChannelException.class, () -> c.subject().write(ByteBuffer.wrap(new byte[] {1})));
    }

    @Behaviour("shutdownOutput from another thread wakes a Socket writer blocked on a full send buffer: the write"
            + " throws SocketException")
    void asyncShutdownOutputWakesSocketWriter(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        OutputStream out = s.subject().getOutputStream();
        Future<IOException> w = blockedWriter(tck, out::write);
        s.subject().shutdownOutput();
        IOException e = w.get(10, TimeUnit.SECONDS);
        assertEquals(SocketException.class, e.getClass(), e.toString());
        assertFalse(s.subject().isClosed(), "the socket stays open");
    }
}

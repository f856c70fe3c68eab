package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Reads and writes: sizes, buffers, scatter/gather, streams. */
class ReadWriteBehaviours {
    /** Sends {@code n} bytes subject → peer and back, each way checked by SHA-256 and by the end of stream after it. */
    private static void roundTrip(Tck tck, int n) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(n);
        Future<Object> w = tck.async(() -> {
            Tck.writeFully(c.subject(), data);
            c.subject().shutdownOutput();
            return null;
        });
        assertEquals(Tck.sha256(data), Tck.sha256(Tck.readFully(c.peer(), n)));
        w.get(20, TimeUnit.SECONDS);
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(1)), "nothing after the bytes written");
        Future<Object> back = tck.async(() -> {
            Tck.writeFully(c.peer(), data);
            c.peer().shutdownOutput();
            return null;
        });
        assertEquals(Tck.sha256(data), Tck.sha256(Tck.readFully(c.subject(), n)));
        back.get(20, TimeUnit.SECONDS);
        assertEquals(-1, c.subject().read(ByteBuffer.allocate(1)), "nothing after the bytes written");
    }

    @Behaviour("1 byte written arrives intact, both ways")
    void size1(Tck tck) throws Exception {
        roundTrip(tck, 1);
    }

    @Behaviour("1460 bytes (one full segment at MTU 1500) arrive intact, both ways")
    void size1460(Tck tck) throws Exception {
        roundTrip(tck, 1460);
    }

    @Behaviour("1461 bytes (one byte more than a segment) arrive intact, both ways")
    void size1461(Tck tck) throws Exception {
        roundTrip(tck, 1461);
    }

    @Behaviour("65535 bytes arrive intact, both ways")
    void size65535(Tck tck) throws Exception {
        roundTrip(tck, 65535);
    }

    @Behaviour("65536 bytes arrive intact, both ways")
    void size65536(Tck tck) throws Exception {
        roundTrip(tck, 65536);
    }

    @Behaviour("1 MiB arrives intact, both ways")
    void size1MiB(Tck tck) throws Exception {
        roundTrip(tck, 1 << 20);
    }

    @Behaviour("a write of an empty buffer returns 0 and sends nothing")
    void writeEmpty(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        assertEquals(0, c.subject().write(ByteBuffer.allocate(0)));
        assertEquals(0, c.subject().write(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(0)}));
        c.subject().shutdownOutput();
        assertEquals(-1, c.peer().read(ByteBuffer.allocate(10)));
    }

    @Behaviour("a read into a buffer with no space left returns 0 at once, even in blocking mode")
    void readIntoFullBuffer(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        ByteBuffer full = ByteBuffer.allocate(4);
        full.position(4);
        assertEquals(0, c.subject().read(full));
        assertEquals(0, c.subject().read(new ByteBuffer[] {full, ByteBuffer.allocate(0)}));
    }

    @Behaviour("a blocking read returns the bytes available without waiting for the buffer to fill")
    void readReturnsWhatIsAvailable(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), Tck.pattern(10));
        ByteBuffer buf = ByteBuffer.allocate(1000);
        int n = c.subject().read(buf);
        assertTrue(n >= 1 && n <= 10, "read returned " + n);
        byte[] got = Arrays.copyOf(buf.array(), 10);
        byte[] rest = Tck.readFully(c.subject(), 10 - n);
        System.arraycopy(rest, 0, got, n, rest.length);
        assertArrayEquals(Tck.pattern(10), got);
    }

    @Behaviour("a read advances the buffer's position by the count it returns and never writes past the limit")
    void readHonoursPositionAndLimit(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), Tck.pattern(20));
        ByteBuffer buf = ByteBuffer.allocate(16);
        buf.position(3).limit(8);
        int got = 0;
        while (buf.hasRemaining()) {
            got += c.subject().read(buf);
        }
        assertEquals(5, got);
        assertEquals(8, buf.position());
        assertEquals(8, buf.limit());
        byte[] all = buf.array();
        assertArrayEquals(new byte[3], Arrays.copyOfRange(all, 0, 3));
        assertArrayEquals(Arrays.copyOf(Tck.pattern(20), 5), Arrays.copyOfRange(all, 3, 8));
        assertArrayEquals(new byte[8], Arrays.copyOfRange(all, 8, 16));
        assertArrayEquals(Arrays.copyOfRange(Tck.pattern(20), 5, 20), Tck.readFully(c.subject(), 15));
    }

    @Behaviour("a write sends only the bytes between position and limit and advances the position")
    void writeHonoursPositionAndLimit(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(100);
        ByteBuffer src = ByteBuffer.wrap(data);
        src.position(10).limit(60);
        while (src.hasRemaining()) {
            c.subject().write(src);
        }
        assertEquals(60, src.position());
        assertEquals(60, src.limit());
        c.subject().shutdownOutput();
        assertArrayEquals(Arrays.copyOfRange(data, 10, 60), Tck.readFully(c.peer(), 100));
    }

    @Behaviour("a scatter read fills the buffers in order")
    void scatterRead(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(30);
        Tck.writeFully(c.peer(), data);
        ByteBuffer[] dsts = {ByteBuffer.allocate(10), ByteBuffer.allocateDirect(5), ByteBuffer.allocate(15)};
        long total = 0;
        while (total < 30) {
            long n = c.subject().read(dsts);
            assertTrue(n > 0, "read returned " + n);
            total += n;
        }
        assertEquals(30, total);
        byte[] got = new byte[30];
        ByteBuffer out = ByteBuffer.wrap(got);
        for (ByteBuffer b : dsts) {
            assertEquals(0, b.remaining());
            out.put(b.flip());
        }
        assertArrayEquals(data, got);
    }

    @Behaviour("a gather write sends the buffers in order")
    void gatherWrite(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(3000);
        ByteBuffer[] srcs = {
            ByteBuffer.wrap(data, 0, 1000).slice(),
            ByteBuffer.allocateDirect(1500).put(data, 1000, 1500).flip(),
            ByteBuffer.wrap(data, 2500, 500).slice()
        };
        long total = 0;
        while (total < 3000) {
            total += c.subject().write(srcs);
        }
        assertEquals(3000, total);
        for (ByteBuffer b : srcs) {
            assertEquals(0, b.remaining());
        }
        c.subject().shutdownOutput();
        assertArrayEquals(data, Tck.readFully(c.peer(), 4000));
    }

    @Behaviour("scatter read and gather write with offset and length use only the buffers in that range")
    void scatterGatherOffsetLength(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        ByteBuffer[] srcs = {
            ByteBuffer.wrap(new byte[] {1, 1}), ByteBuffer.wrap(new byte[] {2, 2}),
            ByteBuffer.wrap(new byte[] {3, 3}), ByteBuffer.wrap(new byte[] {4, 4})
        };
        long sent = 0;
        while (sent < 4) {
            sent += c.subject().write(srcs, 1, 2);
        }
        assertEquals(4, sent);
        assertEquals(2, srcs[0].remaining());
        assertEquals(2, srcs[3].remaining());
        ByteBuffer[] dsts = {ByteBuffer.allocate(4), ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
        long got = 0;
        while (got < 4) {
            got += c.peer().read(dsts, 1, 1);
        }
        assertEquals(4, got);
        assertEquals(0, dsts[0].position());
        assertEquals(0, dsts[2].position());
        assertArrayEquals(new byte[] {2, 2, 3, 3}, dsts[1].array());
        assertThrows(IndexOutOfBoundsException.class, () -> c.subject().write(srcs, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> c.subject().read(dsts, -1, 1));
    }

    @Behaviour("direct buffers are written and read like heap buffers")
    void directBuffers(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        byte[] data = Tck.pattern(100_000);
        ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
        Future<Object> w = tck.async(() -> {
            while (src.hasRemaining()) {
                c.subject().write(src);
            }
            return null;
        });
        ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
        while (dst.hasRemaining()) {
            assertTrue(c.peer().read(dst) > 0);
        }
        w.get(20, TimeUnit.SECONDS);
        byte[] got = new byte[data.length];
        dst.flip().get(got);
        assertArrayEquals(data, got);
    }

    @Behaviour("a read (or scatter read) into a read-only buffer throws IllegalArgumentException")
    void readIntoReadOnlyBuffer(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        Tck.writeFully(c.peer(), new byte[] {1});
        ByteBuffer ro = ByteBuffer.allocate(10).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class, () -> c.subject().read(ro));
        ByteBuffer[] scatter = {ByteBuffer.allocate(10), ro};
        assertThrows(IllegalArgumentException.class, () -> c.subject().read(scatter));
        assertEquals(0, scatter[0].position(), "nothing was read");
        assertEquals(1, Tck.readFully(c.subject(), 1)[0], "the byte is still there");
    }

    @Behaviour("InputStream.read() returns single bytes as 0..255, and -1 at the end of stream")
    void streamSingleBytes(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        OutputStream out = s.peer().getOutputStream();
        out.write(0);
        out.write(0x7f);
        out.write(0x80);
        out.write(0xff);
        out.write(0x1ff); // only the low 8 bits
        s.peer().shutdownOutput();
        InputStream in = s.subject().getInputStream();
        assertEquals(0, in.read());
        assertEquals(0x7f, in.read());
        assertEquals(0x80, in.read());
        assertEquals(0xff, in.read());
        assertEquals(0xff, in.read());
        assertEquals(-1, in.read());
    }

    @Behaviour("InputStream read(b, off, len) and OutputStream write(b, off, len) use only that part of the array")
    void streamOffsetLength(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        byte[] data = Tck.pattern(50);
        s.subject().getOutputStream().write(data, 10, 20);
        s.subject().shutdownOutput();
        byte[] dst = new byte[40];
        InputStream in = s.peer().getInputStream();
        int got = 0;
        while (got < 20) {
            int n = in.read(dst, 5 + got, 20 - got);
            assertTrue(n > 0, "read returned " + n);
            got += n;
        }
        assertEquals(-1, in.read());
        byte[] expected = new byte[40];
        System.arraycopy(data, 10, expected, 5, 20);
        assertArrayEquals(expected, dst);
        assertEquals(0, s.subject().getInputStream().read(new byte[4], 1, 0), "a read of 0 bytes returns 0");
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> s.subject().getInputStream().read(new byte[4], 3, 2));
    }

    @Behaviour("InputStream.available() counts the bytes received and not read, and is 0 after the end of stream")
    void available(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        InputStream in = s.subject().getInputStream();
        assertEquals(0, in.available());
        s.peer().getOutputStream().write(Tck.pattern(100));
        assertEquals(Tck.pattern(1)[0], (byte) in.read());
        assertEquals(99, in.available());
        assertEquals(99, in.readNBytes(99).length);
        assertEquals(0, in.available());
        s.peer().shutdownOutput();
        assertEquals(-1, in.read());
        assertEquals(0, in.available());
    }

    @Behaviour("InputStream.skip skips received bytes; the next read returns the byte after them")
    void skip(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        byte[] data = Tck.pattern(100);
        s.peer().getOutputStream().write(data);
        InputStream in = s.subject().getInputStream();
        long skipped = 0;
        while (skipped < 40) {
            long n = in.skip(40 - skipped);
            assertTrue(n > 0, "skip returned " + n);
            skipped += n;
        }
        assertEquals(data[40] & 0xff, in.read());
        assertArrayEquals(Arrays.copyOfRange(data, 41, 100), in.readNBytes(59));
    }

    @Behaviour("OutputStream.flush is harmless: the bytes arrive and the socket stays usable")
    void flush(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        OutputStream out = s.subject().getOutputStream();
        out.flush();
        out.write(new byte[] {1, 2, 3});
        out.flush();
        out.flush();
        assertArrayEquals(new byte[] {1, 2, 3}, s.peer().getInputStream().readNBytes(3));
        out.write(4);
        out.flush();
        assertEquals(4, s.peer().getInputStream().read());
        assertTrue(s.subject().isConnected() && !s.subject().isClosed());
    }

    @Behaviour("with TCP_NODELAY a 1-byte write arrives without any further write or close")
    void noDelaySingleByte(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(c.subject().getOption(StandardSocketOptions.TCP_NODELAY));
        for (int i = 0; i < 20; i++) {
            // Two small writes in a row: without TCP_NODELAY the second may wait for the first's acknowledgement.
            c.subject().write(ByteBuffer.wrap(new byte[] {(byte) i}));
            c.subject().write(ByteBuffer.wrap(new byte[] {(byte) (i + 100)}));
            assertArrayEquals(new byte[] {(byte) i, (byte) (i + 100)}, Tck.readFully(c.peer(), 2));
        }
    }

    @Behaviour("the channel's socket adaptor streams and the channel read and write the same byte stream")
    void adaptorStreamsAndChannelInterleave(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        OutputStream out = c.subject().socket().getOutputStream();
        out.write(new byte[] {1, 2});
        Tck.writeFully(c.subject(), new byte[] {3});
        out.write(4);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Tck.readFully(c.peer(), 4));
        Tck.writeFully(c.peer(), new byte[] {5, 6, 7});
        InputStream in = c.subject().socket().getInputStream();
        assertEquals(5, in.read());
        assertArrayEquals(new byte[] {6, 7}, Tck.readFully(c.subject(), 2));
    }
}

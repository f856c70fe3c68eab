package io.modtcp.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The stream halves of the classic sockets ({@link SocketAdaptor}, {@link ModTcpSocketImpl}) over a read or write of a
 * {@link ByteBuffer}: the single-byte calls go through the array calls, which check their bounds and wrap the array.
 */
final class BufferStreams {
    private BufferStreams() {}

    /** An input stream whose reads are {@link #read(ByteBuffer)}; reading 0 bytes reads nothing. */
    abstract static class In extends InputStream {
        /** Reads into {@code dst} (which has room): bytes read, or -1 at end of stream. */
        abstract int read(ByteBuffer dst) throws IOException;

        @Override
        public final int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public final int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            return read(ByteBuffer.wrap(b, off, len));
        }
    }

    /** An output stream whose writes are {@link #write(ByteBuffer)}. */
    abstract static class Out extends OutputStream {
        /** Writes all of {@code src}. */
        abstract void write(ByteBuffer src) throws IOException;

        @Override
        public final void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public final void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            write(ByteBuffer.wrap(b, off, len));
        }
    }
}

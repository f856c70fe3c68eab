package io.modtcp.stack.tcp.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;

/**
 * Bytes queued to send and not yet acknowledged: the send queue and the retransmission queue in one. Offset 0 is the
 * oldest unacknowledged byte. Small appends are copied into a tail chunk so that many tiny writes do not pin many
 * buffers.
 */
final class SendBuffer {
    private static final int COALESCE_BELOW = 2048;
    private static final int CHUNK = 16 * 1024;

    /** Oldest first; an indexed list so that copying needs no iterator (it runs once per segment sent). */
    private final Chunks chunks = new Chunks();

    private final ByteBufAllocator alloc;
    private ByteBuf ownTail;
    private int length;

    SendBuffer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    int length() {
        return length;
    }

    /** Appends {@code data}, taking ownership of it. */
    void append(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return;
        }
        if (n < COALESCE_BELOW) {
            if (ownTail == null
                    || chunks.isEmpty()
                    || chunks.get(chunks.size() - 1) != ownTail
                    || ownTail.writableBytes() < n) {
                ownTail = alloc.buffer(Math.max(CHUNK, n));
                chunks.add(ownTail);
            }
            ownTail.writeBytes(data);
            data.release();
        } else {
            chunks.add(data);
        }
        length += n;
    }

    /** Copies {@code len} bytes starting at {@code offset} to the end of {@code dst}. No allocation. */
    void copy(int offset, int len, ByteBuf dst) {
        int size = chunks.size();
        for (int i = 0; i < size && len > 0; i++) {
            ByteBuf chunk = chunks.get(i);
            int readable = chunk.readableBytes();
            if (offset >= readable) {
                offset -= readable;
                continue;
            }
            int n = Math.min(len, readable - offset);
            dst.writeBytes(chunk, chunk.readerIndex() + offset, n);
            len -= n;
            offset = 0;
        }
        if (len != 0) {
            throw new IndexOutOfBoundsException("send buffer has " + length + " bytes");
        }
    }

    /** Removes the {@code n} oldest bytes (they were acknowledged). */
    void drop(int n) {
        if (n > length) {
            throw new IndexOutOfBoundsException(n + " > " + length);
        }
        length -= n;
        int dropped = 0;
        while (n > 0) {
            ByteBuf head = chunks.get(dropped);
            int readable = head.readableBytes();
            if (n >= readable && !(head == ownTail && n == readable && head.writableBytes() > 0)) {
                head.release();
                dropped++;
                if (head == ownTail) {
                    ownTail = null;
                }
                n -= readable;
            } else {
                head.skipBytes(n);
                n = 0;
            }
        }
        if (dropped > 0) {
            chunks.removeFirst(dropped);
        }
    }

    /** An {@link ArrayList} whose head can be removed without the view object {@code subList(0, n).clear()} makes. */
    private static final class Chunks extends ArrayList<ByteBuf> {
        private static final long serialVersionUID = 1L;

        void removeFirst(int n) {
            removeRange(0, n);
        }
    }

    void release() {
        for (ByteBuf chunk : chunks) {
            chunk.release();
        }
        chunks.clear();
        ownTail = null;
        length = 0;
    }
}

package io.modtcp.stack.tcp.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;

/**
 * Bytes queued to send and not yet acknowledged: the send queue and the retransmission queue in one. Offset 0 is the
 * oldest unacknowledged byte. Small appends are copied into a tail chunk so that many tiny writes do not pin many
 * buffers.
 */
final class SendBuffer {
    private static final int COALESCE_BELOW = 2048;
    private static final int CHUNK = 16 * 1024;

    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
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
            if (ownTail == null || chunks.peekLast() != ownTail || ownTail.writableBytes() < n) {
                ownTail = alloc.buffer(Math.max(CHUNK, n));
                chunks.addLast(ownTail);
            }
            ownTail.writeBytes(data);
            data.release();
        } else {
            chunks.addLast(data);
        }
        length += n;
    }

    /** Copies {@code len} bytes starting at {@code offset} to the end of {@code dst}. */
    void copy(int offset, int len, ByteBuf dst) {
        for (ByteBuf chunk : chunks) {
            if (len == 0) {
                return;
            }
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
        while (n > 0) {
            ByteBuf head = chunks.peekFirst();
            int readable = head.readableBytes();
            if (n >= readable && !(head == ownTail && n == readable && head.writableBytes() > 0)) {
                chunks.pollFirst().release();
                if (head == ownTail) {
                    ownTail = null;
                }
                n -= readable;
            } else {
                head.skipBytes(n);
                n = 0;
            }
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

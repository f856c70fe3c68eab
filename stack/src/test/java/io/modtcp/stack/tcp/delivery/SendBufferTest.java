package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SendBufferTest {
    private final SendBuffer buffer = new SendBuffer(UnpooledByteBufAllocator.DEFAULT);
    /** Everything appended, in order, to compare copies against. */
    private final ByteArrayOutputStream model = new ByteArrayOutputStream();

    private int nextByte;

    @AfterEach
    void release() {
        buffer.release();
    }

    private ByteBuf append(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (nextByte++ * 7 + 3);
        }
        model.write(b, 0, length);
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        buffer.append(buf);
        return buf;
    }

    private byte[] copy(int offset, int len) {
        ByteBuf dst = Unpooled.buffer(len);
        try {
            buffer.copy(offset, len, dst);
            byte[] out = new byte[dst.readableBytes()];
            dst.readBytes(out);
            return out;
        } finally {
            dst.release();
        }
    }

    private byte[] expected(int dropped, int offset, int len) {
        byte[] all = model.toByteArray();
        byte[] out = new byte[len];
        System.arraycopy(all, dropped + offset, out, 0, len);
        return out;
    }

    @Nested
    class Append {
        @Test
        void shouldCoalesceAndReleaseWhenSmallWrites() {
            List<ByteBuf> small = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                small.add(append(10));
            }
            assertEquals(1000, buffer.length());
            for (ByteBuf b : small) {
                assertEquals(0, b.refCnt(), "a small write is copied and released at once");
            }
            assertArrayEquals(expected(0, 0, 1000), copy(0, 1000));
        }

        @Test
        void shouldKeepLargeWriteWithoutCopyWhenAppended() {
            ByteBuf big = append(5000);
            assertEquals(1, big.refCnt());
            assertEquals(5000, buffer.length());
            buffer.release();
            assertEquals(0, big.refCnt());
            assertEquals(0, buffer.length());
        }

        @Test
        void shouldReleaseWhenEmptyWriteAppended() {
            ByteBuf empty = Unpooled.buffer(4);
            buffer.append(empty);
            assertEquals(0, empty.refCnt());
            assertEquals(0, buffer.length());
        }

        @Test
        void shouldStartNewChunkWhenTailFull() {
            for (int i = 0; i < 20; i++) {
                append(2000); // 20 * 2000 = 40000 bytes, more than two 16 KiB chunks
            }
            assertEquals(40_000, buffer.length());
            assertArrayEquals(expected(0, 0, 40_000), copy(0, 40_000));
        }
    }

    @Nested
    class CopyAndDrop {
        @Test
        void shouldCopyAcrossChunksWhenRangeSpansThem() {
            append(3000);
            append(100);
            append(100);
            append(4000);
            append(50);
            int total = 7250;
            assertEquals(total, buffer.length());
            assertArrayEquals(expected(0, 2950, 200), copy(2950, 200));
            assertArrayEquals(expected(0, 3150, 4050), copy(3150, 4050));
            assertArrayEquals(expected(0, 0, total), copy(0, total));
        }

        @Test
        void shouldDropAcrossChunksWhenAcked() {
            ByteBuf first = append(3000);
            append(100);
            ByteBuf third = append(4000);
            buffer.drop(3050);
            assertEquals(0, first.refCnt(), "a fully acknowledged chunk is released");
            assertEquals(1, third.refCnt());
            assertEquals(4050, buffer.length());
            assertArrayEquals(expected(3050, 0, 4050), copy(0, 4050));
            buffer.drop(4050);
            assertEquals(0, third.refCnt());
            assertEquals(0, buffer.length());
        }

        @Test
        void shouldKeepAppendingToTailWhenTailDroppedCompletely() {
            append(10);
            buffer.drop(10);
            append(20);
            assertEquals(20, buffer.length());
            assertArrayEquals(expected(10, 0, 20), copy(0, 20));
        }

        @Test
        void shouldStayConsistentWhenAppendsAndDropsInterleave() {
            int dropped = 0;
            for (int round = 0; round < 50; round++) {
                append(round % 3 == 0 ? 2500 : 300 + round);
                int drop = buffer.length() / 3;
                buffer.drop(drop);
                dropped += drop;
                assertArrayEquals(expected(dropped, 0, buffer.length()), copy(0, buffer.length()));
            }
        }

        @Test
        void shouldThrowWhenCopyPastEnd() {
            append(100);
            ByteBuf dst = Unpooled.buffer(200);
            try {
                assertThrows(IndexOutOfBoundsException.class, () -> buffer.copy(50, 51, dst));
            } finally {
                dst.release();
            }
        }

        @Test
        void shouldThrowWhenDropMoreThanHeld() {
            append(100);
            assertThrows(IndexOutOfBoundsException.class, () -> buffer.drop(101));
            assertEquals(100, buffer.length());
        }
    }
}

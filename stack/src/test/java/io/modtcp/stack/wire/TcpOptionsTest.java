package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class TcpOptionsTest {
    private final TcpOptions options = new TcpOptions();

    /** Parses the bytes placed at index 5 of a buffer, so absolute indexing is exercised. */
    private boolean parse(int... bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length + 8);
        try {
            buf.writeZero(5);
            for (int b : bytes) {
                buf.writeByte(b);
            }
            buf.writeByte(0xee); // a byte after the options that must never be read as one
            buf.readerIndex(5);
            boolean ok = options.parse(buf, 5, bytes.length);
            assertEquals(5, buf.readerIndex());
            return ok;
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldBeEmptyWhenNoBytes() {
        assertTrue(parse());
        assertAbsent();
    }

    private void assertAbsent() {
        assertEquals(-1, options.mss());
        assertEquals(-1, options.windowScale());
        assertFalse(options.sackPermitted());
        assertFalse(options.hasTimestamps());
        assertEquals(0, options.sackBlockCount());
    }

    @Example
    void shouldParseLinuxSynOptionsWhenWellFormed() {
        assertTrue(parse(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 1, 0xe2, 0x40, 0, 0, 0, 9, 1, 3, 3, 7));
        assertEquals(1460, options.mss());
        assertTrue(options.sackPermitted());
        assertTrue(options.hasTimestamps());
        assertEquals(123456, options.tsVal());
        assertEquals(9, options.tsEcr());
        assertEquals(7, options.windowScale());
        assertEquals(0, options.sackBlockCount());
    }

    @Example
    void shouldParseSackBlocksWhenPresent() {
        assertTrue(parse(1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10));
        assertEquals(2, options.sackBlockCount());
        assertEquals(10, options.sackLeft(0));
        assertEquals(20, options.sackRight(0));
        assertEquals(0xfffffff0, options.sackLeft(1));
        assertEquals(0x10, options.sackRight(1));
        assertThrows(IndexOutOfBoundsException.class, () -> options.sackLeft(2));
    }

    @Example
    void shouldStopWhenEndOfOptionList() {
        // EOL, then bytes that would be malformed if read
        assertTrue(parse(2, 4, 1, 0, 0, 2, 1, 0xff));
        assertEquals(256, options.mss());
        assertEquals(-1, options.windowScale());
    }

    @Example
    void shouldSkipUnknownOptionsWhenWellFormed() {
        // kind 30 (MPTCP) length 6, kind 254 (experimental) length 2, then window scale
        assertTrue(parse(30, 6, 1, 2, 3, 4, 254, 2, 1, 3, 3, 2));
        assertEquals(2, options.windowScale());
        assertEquals(-1, options.mss());
    }

    @Example
    void shouldClampWindowScaleWhenAbove14() {
        assertTrue(parse(3, 3, 15));
        assertEquals(14, options.windowScale());
        assertTrue(parse(3, 3, 255));
        assertEquals(14, options.windowScale());
        assertTrue(parse(3, 3, 14));
        assertEquals(14, options.windowScale());
    }

    @Example
    void shouldForgetPreviousOptionsWhenParsingAgain() {
        assertTrue(parse(2, 4, 0x05, 0xb4));
        assertTrue(parse(1, 1, 1, 1));
        assertAbsent();
    }

    @Example
    void shouldRejectWhenLengthByteMissing() {
        assertFalse(parse(2));
        assertAbsent();
    }

    @Example
    void shouldRejectWhenOptionLengthBelow2() {
        assertFalse(parse(30, 1, 0, 0));
        assertFalse(parse(2, 0, 0, 0));
    }

    @Example
    void shouldRejectWhenOptionRunsPastTheEnd() {
        assertFalse(parse(30, 8, 0, 0, 0, 0));
        assertFalse(parse(8, 10, 0, 0, 0, 1));
    }

    @Example
    void shouldRejectWhenMssLengthIsNot4() {
        assertFalse(parse(2, 3, 5, 1));
        assertFalse(parse(2, 5, 5, 0xb4, 0, 1));
    }

    @Example
    void shouldRejectWhenWindowScaleLengthIsNot3() {
        assertFalse(parse(3, 4, 7, 0));
        assertFalse(parse(3, 2, 1, 1));
    }

    @Example
    void shouldRejectWhenSackPermittedLengthIsNot2() {
        assertFalse(parse(4, 3, 0, 1));
    }

    @Example
    void shouldRejectWhenTimestampsLengthIsNot10() {
        assertFalse(parse(8, 8, 0, 0, 0, 1, 0, 0, 1, 1));
        assertFalse(parse(8, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1));
    }

    @Example
    void shouldRejectWhenSackLengthIsNot2Plus8n() {
        assertFalse(parse(5, 2, 1, 1)); // n = 0
        assertFalse(parse(5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 1)); // not a multiple of 8
        int[] five = new int[2 + 40];
        five[0] = 5;
        five[1] = 42; // n = 5: more than 4 blocks
        assertFalse(parse(five));
    }

    @Property
    void shouldReadBackWhenWritten(
            @ForAll @IntRange(max = 0xffff) int mss,
            @ForAll @IntRange(max = 14) int shift,
            @ForAll int tsVal,
            @ForAll int tsEcr,
            @ForAll int left0,
            @ForAll int right0,
            @ForAll int left1,
            @ForAll int right1,
            @ForAll @IntRange(min = 1, max = 2) int sackCount) {
        ByteBuf buf = Unpooled.buffer(TcpOptions.MAX_LENGTH + 3);
        try {
            buf.writeZero(TcpOptions.MAX_LENGTH + 3);
            int start = 3;
            int idx = TcpOptions.writeMss(buf, start, mss);
            idx = TcpOptions.writeWindowScale(buf, idx, shift);
            idx = TcpOptions.writeTimestamps(buf, idx, tsVal, tsEcr);
            idx = TcpOptions.writeSack(buf, idx, new int[] {left0, left1}, new int[] {right0, right1}, sackCount);
            assertEquals(start + 4 + 4 + 12 + 4 + 8 * sackCount, idx);
            idx = TcpOptions.padToWord(buf, start, idx);
            assertEquals(0, (idx - start) % 4);
            assertTrue(options.parse(buf, start, idx - start));
            assertEquals(mss, options.mss());
            assertEquals(shift, options.windowScale());
            assertTrue(options.hasTimestamps());
            assertEquals(tsVal, options.tsVal());
            assertEquals(tsEcr, options.tsEcr());
            assertFalse(options.sackPermitted());
            assertEquals(sackCount, options.sackBlockCount());
            assertEquals(left0, options.sackLeft(0));
            assertEquals(right0, options.sackRight(0));
            if (sackCount == 2) {
                assertEquals(left1, options.sackLeft(1));
                assertEquals(right1, options.sackRight(1));
            }
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldWriteFourAlignedBytesWhenSackPermitted() {
        ByteBuf buf = Unpooled.buffer(8);
        try {
            buf.writeZero(8);
            assertEquals(5, TcpOptions.writeSackPermitted(buf, 1));
            assertEquals(1, buf.getByte(1));
            assertEquals(1, buf.getByte(2));
            assertEquals(4, buf.getByte(3));
            assertEquals(2, buf.getByte(4));
            assertTrue(options.parse(buf, 1, 4));
            assertTrue(options.sackPermitted());
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldPadWithZerosWhenNotWordAligned() {
        ByteBuf buf = Unpooled.buffer(8);
        try {
            buf.writeBytes(new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
            assertEquals(6, TcpOptions.padToWord(buf, 2, 3));
            assertEquals(9, buf.getByte(2));
            assertEquals(0, buf.getByte(3));
            assertEquals(0, buf.getByte(5));
            assertEquals(9, buf.getByte(6));
            assertEquals(6, TcpOptions.padToWord(buf, 2, 6));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldRefuseWhenSackCountOutOfRange() {
        ByteBuf buf = Unpooled.buffer(48);
        try {
            assertThrows(IllegalArgumentException.class, () -> TcpOptions.writeSack(buf, 0, new int[5], new int[5], 5));
            assertThrows(IllegalArgumentException.class, () -> TcpOptions.writeSack(buf, 0, new int[0], new int[0], 0));
        } finally {
            buf.release();
        }
    }
}

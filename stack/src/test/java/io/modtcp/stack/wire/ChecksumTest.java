package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ChecksumTest {

    /** RFC 1071 §4.1, byte by byte. */
    static int naiveSum(byte[] data, int offset, int length, int initial) {
        long acc = initial & 0xffff_ffffL;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xff;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            acc += (hi << 8) | lo;
        }
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    @Property(tries = 2000)
    void shouldMatchNaiveSumWhenBuffersRandom(
            @ForAll @Size(max = 300) byte[] data,
            @ForAll @IntRange(min = 0, max = 300) int from,
            @ForAll @IntRange(min = 0, max = 300) int len,
            @ForAll int initial,
            @ForAll boolean direct) {
        int offset = Math.min(from, data.length);
        int length = Math.min(len, data.length - offset);
        ByteBuf buf = direct ? Unpooled.directBuffer(data.length + 1) : Unpooled.buffer(data.length + 1);
        try {
            buf.writeByte(0x5a); // the data starts at index 1, so word boundaries are not buffer-aligned
            buf.writeBytes(data);
            buf.readerIndex(1);
            int readerIndex = buf.readerIndex();
            int writerIndex = buf.writerIndex();
            assertEquals(naiveSum(data, offset, length, initial), Checksum.sum(buf, offset + 1, length, initial));
            assertEquals(readerIndex, buf.readerIndex());
            assertEquals(writerIndex, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldVerifyToZeroWhenChecksumInserted(@ForAll @Size(min = 4, max = 200) byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        try {
            buf.setShort(2, 0);
            buf.setShort(2, Checksum.fold(Checksum.sum(buf, 0, data.length, 0)));
            assertEquals(0, Checksum.fold(Checksum.sum(buf, 0, data.length, 0)));
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldEqualOneSumWhenSplitAtEvenBoundary(
            @ForAll @Size(max = 200) byte[] data, @ForAll @IntRange(min = 0, max = 100) int half) {
        int split = Math.min(2 * half, data.length & ~1);
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        try {
            int whole = Checksum.sum(buf, 0, data.length, 0);
            int first = Checksum.sum(buf, 0, split, 0);
            assertEquals(whole, Checksum.sum(buf, split, data.length - split, first));
            assertEquals(Checksum.fold(whole), Checksum.fold(first + Checksum.sum(buf, split, data.length - split, 0)));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldMatchRfc1071ExampleWhenSummingItsBytes() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d.
        ByteBuf buf = Unpooled.wrappedBuffer(
                new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        try {
            assertEquals(0xddf2, Checksum.sum(buf, 0, 8, 0));
            assertEquals(0x220d, Checksum.fold(Checksum.sum(buf, 0, 8, 0)));
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldSumIpv4PseudoHeaderWhenBothV4(
            @ForAll int src,
            @ForAll int dst,
            @ForAll @IntRange(max = 255) int proto,
            @ForAll @IntRange(max = 0xffff) int len) {
        byte[] ph = new byte[12];
        ByteBuf buf = Unpooled.wrappedBuffer(ph);
        try {
            buf.setInt(0, src).setInt(4, dst).setByte(8, 0).setByte(9, proto).setShort(10, len);
            assertEquals(naiveSum(ph, 0, 12, 0), Checksum.pseudoHeader(IpAddr.v4(src), IpAddr.v4(dst), proto, len));
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldSumIpv6PseudoHeaderWhenEitherIsV6(
            @ForAll long srcHi,
            @ForAll long srcLo,
            @ForAll long dstHi,
            @ForAll long dstLo,
            @ForAll @IntRange(max = 255) int proto,
            @ForAll int len) {
        // a non-zero high half is never IPv4-mapped
        IpAddr src = new IpAddr(srcHi | 1, srcLo);
        IpAddr dst = new IpAddr(dstHi | 2, dstLo);
        byte[] ph = new byte[40];
        ByteBuf buf = Unpooled.wrappedBuffer(ph);
        try {
            buf.setLong(0, src.hi()).setLong(8, src.lo()).setLong(16, dst.hi()).setLong(24, dst.lo());
            buf.setInt(32, len).setInt(36, proto);
            assertEquals(naiveSum(ph, 0, 40, 0), Checksum.pseudoHeader(src, dst, proto, len));
        } finally {
            buf.release();
        }
    }
}

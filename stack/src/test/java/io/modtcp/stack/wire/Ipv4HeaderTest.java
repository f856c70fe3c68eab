package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class Ipv4HeaderTest {
    private final Ipv4Header ip = new Ipv4Header();

    @Property
    void shouldReadBackFieldsWhenWritten(
            @ForAll @IntRange(max = 255) int tos,
            @ForAll @IntRange(min = 20, max = 0xffff) int totalLength,
            @ForAll @IntRange(max = 0xffff) int id,
            @ForAll boolean df,
            @ForAll @IntRange(max = 255) int ttl,
            @ForAll @IntRange(max = 255) int proto,
            @ForAll int src,
            @ForAll int dst,
            @ForAll @IntRange(max = 16) int offset) {
        ByteBuf buf = Unpooled.buffer(offset + 20);
        try {
            buf.writerIndex(offset + 20);
            ip.wrap(buf, offset).write(tos, totalLength, id, df, ttl, proto, src, dst);
            assertEquals(4, ip.version());
            assertEquals(20, ip.headerLength());
            assertEquals(tos, ip.tos());
            assertEquals(totalLength, ip.totalLength());
            assertEquals(id, ip.identification());
            assertEquals(df, ip.dontFragment());
            assertFalse(ip.moreFragments());
            assertEquals(0, ip.fragmentOffset());
            assertEquals(ttl, ip.ttl());
            assertEquals(proto, ip.protocol());
            assertEquals(src, ip.src());
            assertEquals(dst, ip.dst());
            assertEquals(IpAddr.v4(src), ip.srcAddr());
            assertEquals(IpAddr.v4(dst), ip.dstAddr());
            assertEquals(0, Checksum.fold(Checksum.sum(buf, offset, 20, 0)));
            assertEquals(0, buf.readerIndex());
            // a 20-byte header whose total length says 20 validates
            ip.totalLength(20);
            ip.updateChecksum();
            assertEquals(Ipv4Validation.OK, ip.validate(20));
        } finally {
            buf.release();
        }
    }

    private Ipv4Validation validateCrafted(int available, Consumer<ByteBuf> tweak, boolean fixChecksum) {
        ByteBuf buf = Unpooled.buffer(64);
        try {
            buf.writeZero(64);
            ip.wrap(buf, 0).write(0, 40, 7, true, 64, Ipv4Header.PROTO_TCP, 0x0a000001, 0x0a000002);
            tweak.accept(buf);
            if (fixChecksum) {
                ip.updateChecksum();
            }
            return ip.validate(available);
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldReturnOkWhenWellFormed() {
        assertEquals(Ipv4Validation.OK, validateCrafted(40, b -> {}, false));
        assertEquals(Ipv4Validation.OK, validateCrafted(64, b -> {}, false));
    }

    @Example
    void shouldReturnTruncatedWhenFewerThan20Bytes() {
        assertEquals(Ipv4Validation.TRUNCATED, validateCrafted(19, b -> {}, false));
        assertEquals(Ipv4Validation.TRUNCATED, validateCrafted(0, b -> {}, false));
    }

    @Example
    void shouldReturnBadVersionWhenVersionIsNot4() {
        assertEquals(Ipv4Validation.BAD_VERSION, validateCrafted(40, b -> b.setByte(0, 0x65), true));
    }

    @Example
    void shouldReturnBadHeaderLengthWhenIhlBelow5OrTooLong() {
        assertEquals(Ipv4Validation.BAD_HEADER_LENGTH, validateCrafted(40, b -> b.setByte(0, 0x44), false));
        // IHL 15 = 60 bytes > 40 available
        assertEquals(Ipv4Validation.BAD_HEADER_LENGTH, validateCrafted(40, b -> b.setByte(0, 0x4f), false));
        // IHL 10 = 40 bytes, available 64, but total length 30
        assertEquals(
                Ipv4Validation.BAD_HEADER_LENGTH,
                validateCrafted(64, b -> b.setByte(0, 0x4a).setShort(2, 30), false));
    }

    @Example
    void shouldReturnBadTotalLengthWhenLongerThanAvailable() {
        assertEquals(Ipv4Validation.BAD_TOTAL_LENGTH, validateCrafted(39, b -> {}, false));
        assertEquals(Ipv4Validation.BAD_TOTAL_LENGTH, validateCrafted(20, b -> {}, false));
    }

    @Example
    void shouldReturnBadChecksumWhenAByteChanges() {
        assertEquals(Ipv4Validation.BAD_CHECKSUM, validateCrafted(40, b -> b.setByte(8, 63), false));
    }

    @Example
    void shouldReturnFragmentWhenMoreFragmentsOrOffsetSet() {
        assertEquals(Ipv4Validation.FRAGMENT, validateCrafted(40, b -> b.setShort(6, 0x2000), true));
        assertEquals(Ipv4Validation.FRAGMENT, validateCrafted(40, b -> b.setShort(6, 0x0001), true));
    }

    @Example
    void shouldReportFlagsAndOffsetWhenFragmentFieldsSet() {
        ByteBuf buf = Unpooled.buffer(20);
        try {
            buf.writeZero(20);
            ip.wrap(buf, 0).write(0, 20, 0, false, 1, Ipv4Header.PROTO_UDP, 1, 2);
            buf.setShort(6, 0x2000 | 185);
            assertTrue(ip.moreFragments());
            assertFalse(ip.dontFragment());
            assertEquals(1480, ip.fragmentOffset());
        } finally {
            buf.release();
        }
    }
}

package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class TcpHeaderTest {
    private final TcpHeader tcp = new TcpHeader();

    @Property
    void shouldReadBackFieldsWhenWritten(
            @ForAll @IntRange(max = 0xffff) int srcPort,
            @ForAll @IntRange(max = 0xffff) int dstPort,
            @ForAll int seq,
            @ForAll int ack,
            @ForAll @IntRange(min = 5, max = 15) int words,
            @ForAll @IntRange(max = 255) int flags,
            @ForAll @IntRange(max = 0xffff) int window,
            @ForAll @IntRange(max = 0xffff) int checksum,
            @ForAll @IntRange(max = 0xffff) int urgent,
            @ForAll @IntRange(max = 16) int offset) {
        ByteBuf buf = Unpooled.buffer(offset + 60);
        try {
            buf.writeZero(offset + 60);
            tcp.wrap(buf, offset)
                    .srcPort(srcPort)
                    .dstPort(dstPort)
                    .seq(seq)
                    .ack(ack)
                    .dataOffset(words * 4)
                    .flags(flags)
                    .window(window)
                    .checksum(checksum)
                    .urgentPointer(urgent);
            assertEquals(srcPort, tcp.srcPort());
            assertEquals(dstPort, tcp.dstPort());
            assertEquals(seq, tcp.seq());
            assertEquals(ack, tcp.ack());
            assertEquals(words * 4, tcp.dataOffset());
            assertEquals(flags, tcp.flags());
            assertEquals(window, tcp.window());
            assertEquals(checksum, tcp.checksum());
            assertEquals(urgent, tcp.urgentPointer());
            assertEquals(offset + 20, tcp.optionsOffset());
            assertEquals(words * 4 - 20, tcp.optionsLength());
            assertEquals(TcpValidation.OK, tcp.validate(60));
            assertEquals(0, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldValidateDataOffsetWhenSegmentShortOrOffsetOutOfRange() {
        ByteBuf buf = Unpooled.buffer(40);
        try {
            buf.writeZero(40);
            tcp.wrap(buf, 0).dataOffset(24);
            assertEquals(TcpValidation.TRUNCATED, tcp.validate(19));
            assertEquals(TcpValidation.OK, tcp.validate(24));
            assertEquals(TcpValidation.BAD_DATA_OFFSET, tcp.validate(23));
            tcp.dataOffset(16);
            assertEquals(TcpValidation.BAD_DATA_OFFSET, tcp.validate(40));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldZeroReservedBitsWhenSettingDataOffsetOverGarbage() {
        ByteBuf buf = Unpooled.buffer(20);
        try {
            buf.writeZero(20);
            buf.setByte(12, 0xff);
            tcp.wrap(buf, 0).dataOffset(32);
            // RFC 9293 §3.1: the reserved bits must be zero in generated segments, whatever the buffer held.
            assertEquals(0x80, buf.getUnsignedByte(12));
            assertEquals(0, tcp.reservedBits());
            assertEquals(32, tcp.dataOffset());
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldTestAllBitsWhenHasGivenSeveralFlags() {
        ByteBuf buf = Unpooled.buffer(20);
        try {
            buf.writeZero(20);
            tcp.wrap(buf, 0).flags(TcpHeader.SYN | TcpHeader.ACK);
            assertTrue(tcp.has(TcpHeader.SYN));
            assertTrue(tcp.has(TcpHeader.SYN | TcpHeader.ACK));
            assertFalse(tcp.has(TcpHeader.SYN | TcpHeader.FIN));
            assertFalse(tcp.has(TcpHeader.RST));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldNameFlagsWhenFormatting() {
        assertEquals("SYN|ACK", TcpHeader.flagsToString(TcpHeader.SYN | TcpHeader.ACK));
        assertEquals("FIN|SYN|RST|PSH|ACK|URG|ECE|CWR", TcpHeader.flagsToString(0xff));
        assertEquals("none", TcpHeader.flagsToString(0));
    }

    @Property
    void shouldVerifyChecksumWhenFilled(
            @ForAll int src, @ForAll int dst, @ForAll @IntRange(min = 20, max = 200) int length, @ForAll long seed) {
        ByteBuf buf = Unpooled.buffer(length);
        try {
            java.util.Random random = new java.util.Random(seed);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            buf.writeBytes(bytes);
            IpAddr s = IpAddr.v4(src);
            IpAddr d = IpAddr.v4(dst);
            tcp.wrap(buf, 0).fillChecksum(length, s, d);
            assertTrue(tcp.isChecksumValid(length, s, d));
            assertEquals(0, TcpHeader.computeChecksum(buf, 0, length, s, d));
            // pseudo header protects the addresses (RFC 9293 §3.1)
            assertFalse(tcp.isChecksumValid(length, IpAddr.v4(src ^ 0x100), d));
            assertTrue(tcp.isChecksumValid(length, Checksum.pseudoHeader4(src, dst, Ipv4Header.PROTO_TCP, length)));
            tcp.fillChecksum(length, Checksum.pseudoHeader4(src, dst, Ipv4Header.PROTO_TCP, length));
            assertTrue(tcp.isChecksumValid(length, s, d));
        } finally {
            buf.release();
        }
    }

    /**
     * A partial checksum (checksum offload) completed the way a device does it, summing from the TCP header with the
     * field as written and storing the complement, verifies; it matches the full checksum in one's complement.
     */
    @Property
    void shouldVerifyWhenPartialChecksumIsCompletedLikeADevice(
            @ForAll long srcHi,
            @ForAll long srcLo,
            @ForAll int dst,
            @ForAll boolean v6,
            @ForAll @IntRange(min = 20, max = 3000) int length,
            @ForAll long seed) {
        ByteBuf buf = Unpooled.buffer(length);
        try {
            java.util.Random random = new java.util.Random(seed);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            buf.writeBytes(bytes);
            IpAddr s = v6 ? new IpAddr(srcHi, srcLo) : IpAddr.v4((int) srcLo);
            IpAddr d = v6 ? new IpAddr(srcLo, srcHi ^ dst) : IpAddr.v4(dst);
            tcp.wrap(buf, 0).fillPartialChecksum(length, s, d);
            assertEquals(Checksum.pseudoHeader(s, d, Ipv4Header.PROTO_TCP, length), tcp.checksum());
            int completed = Checksum.fold(Checksum.sum(buf, 0, length, 0));
            tcp.checksum(completed);
            assertTrue(tcp.isChecksumValid(length, s, d));
        } finally {
            buf.release();
        }
    }
}

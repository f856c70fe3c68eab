package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class IcmpHeaderTest {
    private final IcmpHeader icmp = new IcmpHeader();

    @Property
    void shouldReadBackAndVerifyWhenWritten(
            @ForAll @IntRange(max = 255) int type,
            @ForAll @IntRange(max = 255) int code,
            @ForAll @IntRange(max = 0xffff) int id,
            @ForAll @IntRange(max = 0xffff) int sequence,
            @ForAll @Size(max = 64) byte[] data) {
        int length = IcmpHeader.MIN_LENGTH + data.length;
        ByteBuf buf = Unpooled.buffer(length + 3);
        try {
            buf.writeZero(3);
            buf.writeZero(IcmpHeader.MIN_LENGTH);
            buf.writeBytes(data);
            icmp.wrap(buf, 3).type(type).code(code).identifier(id).sequence(sequence);
            icmp.fillChecksum(length);
            assertEquals(type, icmp.type());
            assertEquals(code, icmp.code());
            assertEquals(id, icmp.identifier());
            assertEquals(sequence, icmp.sequence());
            assertTrue(IcmpHeader.isChecksumValid(buf, 3, length));
            buf.setByte(3 + length - 1, buf.getByte(3 + length - 1) ^ 0x01);
            assertFalse(IcmpHeader.isChecksumValid(buf, 3, length));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldVerifyWhenCapturedEchoRequest() {
        // ping -c1 style echo request: id 0x1234, seq 1, data "abcd"; checksum computed with python3.
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0800" + "2104" + "1234" + "0001" + "61626364"));
        try {
            icmp.wrap(buf, 0);
            assertEquals(IcmpHeader.TYPE_ECHO_REQUEST, icmp.type());
            assertEquals(0x1234, icmp.identifier());
            assertEquals(1, icmp.sequence());
            assertTrue(IcmpHeader.isChecksumValid(buf, 0, 12));
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldCarryMtuWhenFragmentationNeeded() {
        ByteBuf buf = Unpooled.buffer(8);
        try {
            buf.writeZero(8);
            icmp.wrap(buf, 0)
                    .type(IcmpHeader.TYPE_DEST_UNREACHABLE)
                    .code(IcmpHeader.CODE_FRAG_NEEDED)
                    .nextHopMtu(1400);
            assertEquals(1400, icmp.nextHopMtu());
            assertEquals(0, icmp.identifier());
        } finally {
            buf.release();
        }
    }
}

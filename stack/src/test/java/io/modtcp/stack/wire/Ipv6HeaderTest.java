package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class Ipv6HeaderTest {
    private final Ipv6Header ip = new Ipv6Header();

    @Property
    void shouldReadBackFieldsWhenWritten(
            @ForAll @IntRange(max = 255) int trafficClass,
            @ForAll @IntRange(max = 0xf_ffff) int flowLabel,
            @ForAll @IntRange(min = 1, max = 0xffff) int payloadLength,
            @ForAll @IntRange(max = 255) int nextHeader,
            @ForAll @IntRange(max = 255) int hopLimit,
            @ForAll long sh,
            @ForAll long sl,
            @ForAll long dh,
            @ForAll long dl) {
        ByteBuf buf = Unpooled.buffer(Ipv6Header.LENGTH + 2);
        try {
            buf.writeZero(Ipv6Header.LENGTH + 2);
            IpAddr src = new IpAddr(sh, sl);
            IpAddr dst = new IpAddr(dh, dl);
            ip.wrap(buf, 2).write(trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst);
            assertEquals(6, ip.version());
            assertEquals(trafficClass, ip.trafficClass());
            assertEquals(flowLabel, ip.flowLabel());
            assertEquals(payloadLength, ip.payloadLength());
            assertEquals(nextHeader, ip.nextHeader());
            assertEquals(hopLimit, ip.hopLimit());
            assertEquals(src, ip.srcAddr());
            assertEquals(dst, ip.dstAddr());
            assertEquals(42, ip.payloadOffset());
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldReturnEachValidationWhenCrafted() {
        ByteBuf buf = Unpooled.buffer(50);
        try {
            buf.writeZero(50);
            ip.wrap(buf, 0).write(0, 0, 8, Ipv4Header.PROTO_TCP, 64, IpAddr.ANY6, IpAddr.ANY6);
            assertEquals(Ipv6Validation.OK, ip.validate(48));
            assertEquals(Ipv6Validation.TRUNCATED, ip.validate(39));
            assertEquals(Ipv6Validation.BAD_PAYLOAD_LENGTH, ip.validate(47));
            ip.payloadLength(0);
            assertEquals(Ipv6Validation.BAD_PAYLOAD_LENGTH, ip.validate(50));
            buf.setByte(0, 0x40);
            assertEquals(Ipv6Validation.BAD_VERSION, ip.validate(50));
        } finally {
            buf.release();
        }
    }
}

package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The per-segment read path (validate, accessors, options, checksum) must not allocate (STYLE §4, §8). */
class NoAllocationTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldNotAllocateWhenParsingASegment() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(SegmentSpecTest.LINUX_SYN_HEX));
        try {
            Ipv4Header ip = new Ipv4Header();
            TcpHeader tcp = new TcpHeader();
            TcpOptions options = new TcpOptions();
            long sink = 0;
            for (int round = 0; round < 3; round++) {
                long before = allocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    sink += parse(buf, ip, tcp, options);
                }
                long allocated = allocatedBytes() - before;
                if (round == 2) {
                    // a few bytes of slack for the measurement itself
                    assertTrue(allocated < 1024, "allocated " + allocated + " bytes");
                }
            }
            assertEquals(3L * 20_000 * (1460 + 7 + 123456 + 80), sink);
        } finally {
            buf.release();
        }
    }

    private static long parse(ByteBuf buf, Ipv4Header ip, TcpHeader tcp, TcpOptions options) {
        ip.wrap(buf, 0);
        if (ip.validate(buf.readableBytes()) != Ipv4Validation.OK) {
            return -1;
        }
        tcp.wrap(buf, ip.headerLength());
        int segmentLength = ip.payloadLength();
        if (tcp.validate(segmentLength) != TcpValidation.OK) {
            return -1;
        }
        int pseudo = Checksum.pseudoHeader4(ip.src(), ip.dst(), Ipv4Header.PROTO_TCP, segmentLength);
        if (!tcp.isChecksumValid(segmentLength, pseudo)) {
            return -1;
        }
        if (!options.parse(buf, tcp.optionsOffset(), tcp.optionsLength())) {
            return -1;
        }
        return options.mss() + options.windowScale() + options.tsVal() + tcp.dstPort();
    }
}

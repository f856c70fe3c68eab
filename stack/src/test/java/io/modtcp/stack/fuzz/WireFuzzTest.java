package io.modtcp.stack.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.NetInterface;
import io.modtcp.stack.ip.TransportHandler;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.wire.IcmpHeader;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.Ipv4Validation;
import io.modtcp.stack.wire.Ipv6Header;
import io.modtcp.stack.wire.Ipv6Validation;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptions;
import io.modtcp.stack.wire.TcpValidation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.EnumSet;
import java.util.Set;

/**
 * Fuzz harnesses for the wire parsers (Jazzer). In a normal build they run as regression tests over the committed
 * corpus ({@code src/test/resources/io/modtcp/stack/fuzz/WireFuzzTestInputs/<method>/}); with {@code JAZZER_FUZZ=1}
 * one of them fuzzes (docs/security.md). Each asserts what the parser promises: no exception on any input, and a
 * packet it accepts is internally consistent (its lengths lie within the bytes given).
 */
class WireFuzzTest {
    private static final IpAddr A4 = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr B4 = IpAddr.parseV4("192.0.2.2");

    @FuzzTest(maxDuration = "2m")
    void ipv4Header(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        Ipv4Header h = new Ipv4Header().wrap(buf, 0);
        if (h.validate(data.length) != Ipv4Validation.OK) {
            return;
        }
        assertEquals(4, h.version());
        assertTrue(h.headerLength() >= Ipv4Header.MIN_LENGTH && h.headerLength() <= 60);
        assertTrue(h.totalLength() >= h.headerLength() && h.totalLength() <= data.length);
        assertEquals(h.totalLength(), h.payloadOffset() + h.payloadLength());
        assertTrue(!h.moreFragments() && h.fragmentOffset() == 0, "fragments are not OK");
        h.srcAddr();
        h.dstAddr();
    }

    @FuzzTest(maxDuration = "2m")
    void ipv6Header(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        Ipv6Header h = new Ipv6Header().wrap(buf, 0);
        if (h.validate(data.length) != Ipv6Validation.OK) {
            return;
        }
        assertEquals(6, h.version());
        assertTrue(Ipv6Header.LENGTH + h.payloadLength() <= data.length);
        h.srcAddr();
        h.dstAddr();
    }

    /** The TCP header and its options, as TCP input reads them. */
    @FuzzTest(maxDuration = "2m")
    void tcpHeaderAndOptions(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        TcpHeader h = new TcpHeader().wrap(buf, 0);
        if (h.validate(data.length) != TcpValidation.OK) {
            return;
        }
        assertTrue(h.dataOffset() >= TcpHeader.MIN_LENGTH && h.dataOffset() <= data.length);
        assertTrue(h.optionsOffset() + h.optionsLength() == h.payloadOffset());
        TcpOptions o = new TcpOptions();
        if (o.parse(buf, h.optionsOffset(), h.optionsLength())) {
            assertTrue(o.mss() >= -1 && o.mss() <= 65535);
            assertTrue(o.windowScale() >= -1 && o.windowScale() <= 14, "RFC 7323 §2.3: at most 14");
            assertTrue(o.sackBlockCount() >= 0 && o.sackBlockCount() <= 4);
            for (int i = 0; i < o.sackBlockCount(); i++) {
                o.sackLeft(i);
                o.sackRight(i);
            }
        } else {
            assertEquals(-1, o.mss(), "a rejected option list leaves nothing behind");
            assertEquals(0, o.sackBlockCount());
        }
        h.isChecksumValid(data.length, A4, B4);
    }

    @FuzzTest(maxDuration = "2m")
    void icmp(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        if (data.length < IcmpHeader.MIN_LENGTH) {
            return;
        }
        IcmpHeader.isChecksumValid(buf, 0, data.length);
        IcmpHeader h = new IcmpHeader().wrap(buf, 0);
        h.type();
        h.code();
        h.identifier();
        h.sequence();
        h.nextHopMtu();
    }

    private static final Set<Counter> IP_OUTCOMES = EnumSet.of(
            Counter.IP_IN_DELIVERS,
            Counter.IP_DROP_TRUNCATED,
            Counter.IP_DROP_BAD_VERSION,
            Counter.IP_DROP_BAD_HEADER_LENGTH,
            Counter.IP_DROP_BAD_TOTAL_LENGTH,
            Counter.IP_DROP_BAD_CHECKSUM,
            Counter.IP_DROP_FRAGMENT,
            Counter.IP_DROP_NOT_FOR_US,
            Counter.IP_DROP_UNKNOWN_PROTOCOL,
            Counter.IP_DROP_MARTIAN_SOURCE,
            Counter.IP_DROP_OWN_SOURCE);

    /**
     * IP input as the stack runs it (IPv4, IPv6 and its extension headers, ICMP and ICMPv6 with echo replies and
     * path-MTU messages): nothing escapes, every packet has exactly one outcome counted, what TCP is handed lies
     * inside the packet, and the packet is released.
     */
    @FuzzTest(maxDuration = "2m")
    void ipInput(byte[] data) {
        Counters counters = new Counters();
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        IpLayer ip = new IpLayer(counters, alloc);
        SinkLink link = new SinkLink();
        ip.addInterface(new NetInterface(link, A4, 24, null));
        ip.addInterface(new NetInterface(link, IpAddr.parse("fd00::1"), 64, null));
        ip.setTcp(new TransportHandler() {
            @Override
            public void onSegment(
                    IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, boolean checksumOk, long nowNs) {
                assertTrue(
                        offset >= 0 && length >= 0 && offset + length <= packet.writerIndex(),
                        "segment inside the packet");
                assertTrue(ip.isLocal(dst), "only for us");
                assertTrue(!ip.isLocal(src), "never from us on this link");
            }

            @Override
            public void onPathMtu(
                    IpAddr local, int localPort, IpAddr remote, int remotePort, int seq, int mtu, long nowNs) {
                assertTrue(ip.isLocal(local));
                assertTrue(mtu >= 0 && mtu <= 65535);
            }
        });
        ByteBuf packet = alloc.heapBuffer(data.length);
        packet.writeBytes(data);
        ip.input(link, packet, 0);
        assertEquals(0, packet.refCnt(), "IP released the packet");
        long outcomes = 0;
        for (Counter c : IP_OUTCOMES) {
            outcomes += counters.get(c);
        }
        assertEquals(1, counters.get(Counter.IP_IN_RECEIVES));
        assertEquals(1, outcomes, "exactly one outcome:\n" + counters);
        assertEquals(0, alloc.metric().usedHeapMemory(), "every reply was sent (and released by the link)");
    }

    /** A link that releases what it is asked to send. */
    private static final class SinkLink implements Link {
        @Override
        public String name() {
            return "sink";
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public boolean transmit(ByteBuf packet, long nowNs) {
            packet.release();
            return true;
        }

        @Override
        public int receive(PacketSink sink, int max, long nowNs) {
            return 0;
        }

        @Override
        public long nextEventNs() {
            return Long.MAX_VALUE;
        }

        @Override
        public void setWakeup(Runnable wakeup) {}

        @Override
        public void close() {}
    }
}

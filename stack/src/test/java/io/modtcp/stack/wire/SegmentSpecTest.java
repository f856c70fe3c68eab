package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SegmentSpecTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final IpAddr A = IpAddr.parseV4("10.0.0.1");
    private static final IpAddr B = IpAddr.parseV4("10.0.0.2");

    /**
     * A Linux-style SYN, 10.0.0.1:40000 > 10.0.0.2:80, seq 0x12345678, win 64240, options MSS 1460, SACK-permitted,
     * TS 123456/0, NOP, WS 7; IP id 0x1c46, DF, TTL 64. Checksums (IP 0x0a74, TCP 0x518e) computed once with python3.
     */
    static final String LINUX_SYN_HEX = "4500003c1c46400040060a740a0000010a000002"
            + "9c4000501234567800000000a002faf0518e0000"
            + "020405b40402080a0001e2400000000001030307";

    @Example
    void shouldParseEveryFieldWhenKnownGoodLinuxSyn() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(LINUX_SYN_HEX));
        try {
            Ipv4Header ip = new Ipv4Header().wrap(buf, 0);
            assertEquals(Ipv4Validation.OK, ip.validate(buf.readableBytes()));
            assertEquals(60, ip.totalLength());
            assertEquals(0x1c46, ip.identification());
            assertTrue(ip.dontFragment());
            assertEquals(64, ip.ttl());
            assertEquals(Ipv4Header.PROTO_TCP, ip.protocol());
            assertEquals(0x0a74, ip.checksum());
            assertEquals(A, ip.srcAddr());
            assertEquals(B, ip.dstAddr());

            TcpHeader tcp = new TcpHeader().wrap(buf, ip.headerLength());
            assertEquals(TcpValidation.OK, tcp.validate(ip.payloadLength()));
            assertEquals(40000, tcp.srcPort());
            assertEquals(80, tcp.dstPort());
            assertEquals(0x12345678, tcp.seq());
            assertEquals(0, tcp.ack());
            assertEquals(40, tcp.dataOffset());
            assertEquals(TcpHeader.SYN, tcp.flags());
            assertEquals(64240, tcp.window());
            assertEquals(0x518e, tcp.checksum());
            assertTrue(tcp.isChecksumValid(40, A, B));

            TcpOptions options = new TcpOptions();
            assertTrue(options.parse(buf, tcp.optionsOffset(), tcp.optionsLength()));
            assertEquals(1460, options.mss());
            assertTrue(options.sackPermitted());
            assertTrue(options.hasTimestamps());
            assertEquals(123456, options.tsVal());
            assertEquals(0, options.tsEcr());
            assertEquals(7, options.windowScale());

            SegmentSpec spec = SegmentSpec.decode(buf);
            assertEquals(0, buf.readerIndex());
            assertEquals(
                    "10.0.0.1:40000 > 10.0.0.2:80 [SYN] seq=305419896 ack=0 win=64240"
                            + " opts{mss=1460,ws=7,sackOK,ts=123456/0} len=0",
                    spec.toString());
            assertEquals(
                    new SegmentSpec(
                            A,
                            40000,
                            B,
                            80,
                            0x12345678,
                            0,
                            TcpHeader.SYN,
                            64240,
                            TcpOptionSpec.syn(1460, 7, 123456),
                            null),
                    spec);
        } finally {
            buf.release();
        }
    }

    @Example
    void shouldEncodeLinuxOptionOrderWhenSynOptions() {
        SegmentSpec spec = new SegmentSpec(
                A, 40000, B, 80, 0x12345678, 0, TcpHeader.SYN, 64240, TcpOptionSpec.syn(1460, 7, 123456), null);
        ByteBuf buf = spec.encode(ALLOC);
        try {
            // same TCP segment as the captured SYN; the IP header differs only in identification and checksum
            String hex = ByteBufUtil.hexDump(buf);
            assertEquals(LINUX_SYN_HEX.substring(40), hex.substring(40));
            assertEquals(LINUX_SYN_HEX.substring(0, 8), hex.substring(0, 8));
            assertEquals(LINUX_SYN_HEX.substring(12, 20), hex.substring(12, 20));
        } finally {
            buf.release();
        }
    }

    @Property(tries = 500)
    void shouldDecodeSameSpecWhenEncoded(@ForAll("segments") SegmentSpec spec) {
        ByteBuf buf = spec.encode(ALLOC);
        try {
            Ipv4Header ip = new Ipv4Header().wrap(buf, 0);
            assertEquals(Ipv4Validation.OK, ip.validate(buf.readableBytes()));
            assertEquals(64, ip.ttl());
            assertTrue(ip.dontFragment());
            TcpHeader tcp = new TcpHeader().wrap(buf, ip.headerLength());
            assertTrue(tcp.isChecksumValid(ip.payloadLength(), ip.srcAddr(), ip.dstAddr()));
            SegmentSpec decoded = SegmentSpec.decode(buf);
            assertEquals(spec, decoded);
            assertEquals(spec.hashCode(), decoded.hashCode());
            assertEquals(spec.toString(), decoded.toString());
            assertEquals(0, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Property(tries = 500)
    void shouldFailVerificationWhenAnySingleBitFlips(@ForAll("segments") SegmentSpec spec, @ForAll long bitSeed) {
        ByteBuf buf = spec.encode(ALLOC);
        try {
            int bit = (int) Math.floorMod(bitSeed, (long) buf.readableBytes() * 8);
            buf.setByte(bit >>> 3, buf.getByte(bit >>> 3) ^ (0x80 >>> (bit & 7)));
            Ipv4Header ip = new Ipv4Header().wrap(buf, 0);
            Ipv4Validation ipValidation = ip.validate(buf.readableBytes());
            if (ipValidation == Ipv4Validation.OK) {
                assertTrue(bit >= ip.headerLength() * 8, "IP header bit " + bit + " flip went unnoticed");
                TcpHeader tcp = new TcpHeader().wrap(buf, ip.headerLength());
                assertFalse(tcp.isChecksumValid(ip.payloadLength(), ip.srcAddr(), ip.dstAddr()));
                assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(buf));
            } else if (ip.version() == 4) {
                assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(buf));
            } else {
                assertEquals(Ipv4Validation.BAD_VERSION, ipValidation);
            }
        } finally {
            buf.release();
        }
    }

    @Provide
    Arbitrary<SegmentSpec> segments() {
        Arbitrary<IpAddr> addrs = Arbitraries.integers().map(IpAddr::v4);
        Arbitrary<Integer> ports = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<Integer> ints = Arbitraries.integers();
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 0xff);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(1500);
        Arbitrary<SegmentSpec> base = Combinators.combine(addrs, ports, addrs, ports, ints, ints, flags, ports)
                .as((src, sp, dst, dp, seq, ack, fl, win) ->
                        new SegmentSpec(src, sp, dst, dp, seq, ack, fl, win, TcpOptionSpec.NONE, null));
        return Combinators.combine(base, options(), payloads)
                .as((spec, opts, payload) -> spec.withOptions(opts).withPayload(payload));
    }

    @Provide
    Arbitrary<TcpOptionSpec> options() {
        Arbitrary<Integer> mss = Arbitraries.integers().between(-1, 0xffff);
        Arbitrary<Integer> ws = Arbitraries.integers().between(-1, 14);
        Arbitrary<Boolean> bools = Arbitraries.of(true, false);
        Arbitrary<Integer> ints = Arbitraries.integers();
        Arbitrary<List<int[]>> blocks = Combinators.combine(ints, ints)
                .as((l, r) -> new int[] {l, r})
                .list()
                .ofMaxSize(4);
        return Combinators.combine(mss, ws, bools, bools, ints, ints, blocks)
                .as((m, w, sackOk, ts, tsVal, tsEcr, sack) -> {
                    TcpOptionSpec o = new TcpOptionSpec(m, w, sackOk, ts, tsVal, tsEcr, List.of());
                    // keep only the SACK blocks that fit in the 40 option bytes (RFC 2018 §3)
                    int room = (TcpOptions.MAX_LENGTH - o.encodedLength() - 4) / 8;
                    List<int[]> fit = new ArrayList<>(sack.subList(0, Math.max(0, Math.min(room, sack.size()))));
                    return o.withSackBlocks(fit);
                });
    }

    @Example
    void shouldFormatLikeTcpdumpWhenToString() {
        SegmentSpec spec = new SegmentSpec(
                A, 1234, B, 80, -1, 7, TcpHeader.SYN | TcpHeader.ACK, 1000, TcpOptionSpec.syn(1460, 7, 1), new byte[] {
                    1, 2, 3, 4, 5
                });
        assertEquals(
                "10.0.0.1:1234 > 10.0.0.2:80 [SYN|ACK] seq=4294967295 ack=7 win=1000"
                        + " opts{mss=1460,ws=7,sackOK,ts=1/0} len=5",
                spec.toString());
        assertEquals(
                "10.0.0.1:1234 > 10.0.0.2:80 [ACK] seq=1 ack=2 win=65535 len=0",
                SegmentSpec.of(A, 1234, B, 80, 1, 2, TcpHeader.ACK).toString());
    }

    @Example
    void shouldCompareByContentWhenPayloadAndSackArraysDiffer() {
        TcpOptionSpec sack1 = TcpOptionSpec.NONE.withSackBlocks(List.of(new int[] {1, 2}));
        TcpOptionSpec sack2 = TcpOptionSpec.NONE.withSackBlocks(List.of(new int[] {1, 2}));
        SegmentSpec s1 = SegmentSpec.of(A, 1, B, 2, 3, 4, TcpHeader.ACK)
                .withOptions(sack1)
                .withPayload(new byte[] {9});
        SegmentSpec s2 = SegmentSpec.of(A, 1, B, 2, 3, 4, TcpHeader.ACK)
                .withOptions(sack2)
                .withPayload(new byte[] {9});
        assertEquals(s1, s2);
        assertEquals(s1.hashCode(), s2.hashCode());
        assertNotEquals(s1, s2.withPayload(new byte[] {8}));
        assertNotEquals(s1, s2.withOptions(TcpOptionSpec.NONE));
        assertEquals("sack=[1-2]", sack1.toString());
    }

    @Example
    void shouldNotLeakMutationWhenPayloadArrayChanges() {
        byte[] data = {1, 2, 3};
        SegmentSpec spec = SegmentSpec.of(A, 1, B, 2, 3, 4, TcpHeader.ACK).withPayload(data);
        data[0] = 7;
        spec.payload()[1] = 7;
        assertArrayEquals(new byte[] {1, 2, 3}, spec.payload());
    }

    @Example
    void shouldCopyEveryFieldWhenWithX() {
        SegmentSpec s = SegmentSpec.of(A, 1, B, 2, 3, 4, TcpHeader.ACK);
        IpAddr c = IpAddr.parseV4("192.168.1.1");
        assertEquals(c, s.withSrc(c).src());
        assertEquals(c, s.withDst(c).dst());
        assertEquals(9, s.withSrcPort(9).srcPort());
        assertEquals(9, s.withDstPort(9).dstPort());
        assertEquals(9, s.withSeq(9).seq());
        assertEquals(9, s.withAck(9).ack());
        assertEquals(TcpHeader.FIN, s.withFlags(TcpHeader.FIN).flags());
        assertEquals(9, s.withWindow(9).window());
        assertEquals(
                536, s.withOptions(TcpOptionSpec.NONE.withMss(536)).options().mss());
        assertEquals(2, s.withPayload(new byte[2]).payloadLength());
        assertEquals(s, s.reversed().reversed());
        assertEquals(1, s.withFlags(TcpHeader.SYN).segLen());
    }

    @Example
    void shouldThrowWhenDecodingMalformedPackets() {
        ByteBuf syn = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(LINUX_SYN_HEX));
        try {
            // truncated
            assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(syn.slice(0, 19)));
            // IP total length longer than the bytes
            assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(syn.slice(0, 59)));
            // TCP data offset beyond the segment: 15 words
            ByteBuf badOffset = syn.copy();
            try {
                badOffset.setByte(32, 0xf0);
                assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(badOffset, false));
            } finally {
                badOffset.release();
            }
            // malformed options: MSS with length 5
            ByteBuf badOption = syn.copy();
            try {
                badOption.setByte(41, 5);
                assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(badOption, false));
            } finally {
                badOption.release();
            }
            // not TCP
            ByteBuf udp = syn.copy();
            try {
                Ipv4Header ip = new Ipv4Header().wrap(udp, 0);
                udp.setByte(9, Ipv4Header.PROTO_UDP);
                ip.updateChecksum();
                assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(udp));
            } finally {
                udp.release();
            }
        } finally {
            syn.release();
        }
    }

    @Example
    void shouldRefuseWhenOptionsExceed40Bytes() {
        TcpOptionSpec tooMany = TcpOptionSpec.syn(1460, 7, 1)
                .withSackBlocks(List.of(new int[] {1, 2}, new int[] {3, 4}, new int[] {5, 6}));
        SegmentSpec spec = SegmentSpec.of(A, 1, B, 2, 3, 4, TcpHeader.ACK).withOptions(tooMany);
        assertThrows(IllegalArgumentException.class, () -> spec.encode(ALLOC));
    }

    @Example
    void shouldRefuseWhenAddressFamiliesMixed() {
        SegmentSpec spec = SegmentSpec.of(new IpAddr(0, 1), 1, A, 2, 3, 4, TcpHeader.ACK);
        assertThrows(IllegalArgumentException.class, () -> spec.encode(ALLOC));
        assertEquals("[::1]:1 > 10.0.0.1:2 [ACK] seq=3 ack=4 win=65535 len=0", spec.toString());
    }

    @Property(tries = 300)
    void shouldDecodeSameSpecWhenEncodedOverIpv6(@ForAll("segments6") SegmentSpec spec) {
        ByteBuf buf = spec.encode(ALLOC);
        try {
            Ipv6Header ip = new Ipv6Header().wrap(buf, 0);
            assertEquals(Ipv6Validation.OK, ip.validate(buf.readableBytes()));
            assertEquals(Ipv4Header.PROTO_TCP, ip.nextHeader());
            assertEquals(64, ip.hopLimit());
            assertEquals(buf.readableBytes() - Ipv6Header.LENGTH, ip.payloadLength());
            TcpHeader tcp = new TcpHeader().wrap(buf, Ipv6Header.LENGTH);
            assertTrue(tcp.isChecksumValid(ip.payloadLength(), spec.src(), spec.dst()));
            assertEquals(spec, SegmentSpec.decode(buf));
        } finally {
            buf.release();
        }
    }

    @Property(tries = 300)
    void shouldFailTcpVerificationWhenIpv6AddressOrSegmentBitFlips(
            @ForAll("segments6") SegmentSpec spec, @ForAll long bitSeed) {
        ByteBuf buf = spec.encode(ALLOC);
        try {
            // IPv6 has no header checksum: only next header, the addresses (pseudo header, RFC 8200 §8.1) and the
            // segment itself are protected, so flip from the addresses on.
            int from = Ipv6Header.SRC_OFFSET * 8;
            int bit = from + (int) Math.floorMod(bitSeed, (long) buf.readableBytes() * 8 - from);
            buf.setByte(bit >>> 3, buf.getByte(bit >>> 3) ^ (0x80 >>> (bit & 7)));
            assertThrows(IllegalArgumentException.class, () -> SegmentSpec.decode(buf));
        } finally {
            buf.release();
        }
    }

    @Provide
    Arbitrary<SegmentSpec> segments6() {
        // a non-zero high half is never IPv4-mapped
        Arbitrary<IpAddr> addrs = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((hi, lo) -> new IpAddr(hi == 0 ? 0x2001_0db8_0000_0000L : hi, lo));
        return Combinators.combine(segments(), addrs, addrs)
                .as((spec, s, d) -> spec.withSrc(s).withDst(d));
    }
}

package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Record form of a TCP segment in an IP packet, for tests and tools: build one, {@link #encode} it into bytes with
 * correct checksums, or {@link #decode} a packet back. Allocates freely; not for the per-segment path, which uses the
 * flyweights ({@link Ipv4Header}, {@link TcpHeader}, {@link TcpOptions}).
 *
 * <p>IPv4 and IPv6 (fixed header only, no extension headers). An IPv4-mapped address inside an IPv6 packet decodes
 * to an {@link IpAddr} that {@link IpAddr#isV4()}, so such a packet does not round-trip.
 *
 * @param seq SEG.SEQ
 * @param ack SEG.ACK (written whatever the flags)
 * @param flags control bits, {@link TcpHeader#SYN} etc.
 * @param window SEG.WND as carried in the header (unscaled), 0..65535
 * @param options TCP options; {@code null} means {@link TcpOptionSpec#NONE}
 * @param payload segment data; copied in and out, {@code null} means empty
 */
public record SegmentSpec(
        IpAddr src,
        int srcPort,
        IpAddr dst,
        int dstPort,
        int seq,
        int ack,
        int flags,
        int window,
        TcpOptionSpec options,
        byte[] payload) {

    /** TTL / hop limit of encoded packets (RFC 1122 §3.2.1.7 recommends the IANA default, currently 64). */
    public static final int DEFAULT_TTL = 64;

    private static final byte[] EMPTY = new byte[0];

    public SegmentSpec {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        checkRange("srcPort", srcPort, 0xffff);
        checkRange("dstPort", dstPort, 0xffff);
        checkRange("flags", flags, 0xff);
        checkRange("window", window, 0xffff);
        options = options == null ? TcpOptionSpec.NONE : options;
        payload = payload == null || payload.length == 0 ? EMPTY : payload.clone();
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be 0.." + max + ": " + value);
        }
    }

    /** A segment without options or data. */
    public static SegmentSpec of(IpAddr src, int srcPort, IpAddr dst, int dstPort, int seq, int ack, int flags) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, 0xffff, TcpOptionSpec.NONE, EMPTY);
    }

    /** A copy of the data. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /**
     * SEG.LEN: data length plus one for SYN and one for FIN (RFC 9293 §3.4, "segment length ... counting SYN and
     * FIN").
     */
    public int segLen() {
        return payload.length + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** The same segment seen from the other end: addresses and ports swapped. */
    public SegmentSpec reversed() {
        return new SegmentSpec(dst, dstPort, src, srcPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withSrc(IpAddr src) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withSrcPort(int srcPort) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withDst(IpAddr dst) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withDstPort(int dstPort) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withSeq(int seq) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withAck(int ack) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withFlags(int flags) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withWindow(int window) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withOptions(TcpOptionSpec options) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    public SegmentSpec withPayload(byte[] payload) {
        return new SegmentSpec(src, srcPort, dst, dstPort, seq, ack, flags, window, options, payload);
    }

    /**
     * Encodes a whole IP packet carrying this TCP segment (RFC 9293 §3.1) with the checksums filled. For IPv4
     * addresses: RFC 791 §3.1 header without options, TTL 64, DF set, identification 0 as allowed for atomic datagrams
     * by RFC 6864 §4.1. For IPv6 addresses: RFC 8200 §3 fixed header, hop limit 64, traffic class and flow label 0, TCP
     * as next header. Options are written in Linux's layout (MSS; SACK-permitted and timestamps sharing one 12-byte
     * group, or each NOP-padded; NOP + window scale; NOP NOP + SACK), every option 4-byte aligned as in RFC 7323
     * Appendix A. The caller owns (and releases) the returned buffer.
     *
     * @throws IllegalArgumentException if the options exceed 40 bytes, the packet is too long, or one address is IPv4
     *     and the other IPv6
     */
    public ByteBuf encode(ByteBufAllocator alloc) {
        if (src.isV4() != dst.isV4()) {
            throw new IllegalArgumentException("mixed address families: " + src + " > " + dst);
        }
        boolean v4 = src.isV4();
        int optionsLength = options.encodedLength();
        if (optionsLength > TcpOptions.MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "options need " + optionsLength + " bytes, more than 40 (RFC 9293 §3.1): " + options);
        }
        int tcpHeaderLength = TcpHeader.MIN_LENGTH + optionsLength;
        int segmentLength = tcpHeaderLength + payload.length;
        int ipHeaderLength = v4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
        int totalLength = ipHeaderLength + segmentLength;
        // RFC 791 §3.1: Total Length is 16 bits; RFC 8200 §3: so is Payload Length (no jumbograms).
        if ((v4 ? totalLength : segmentLength) > 0xffff) {
            throw new IllegalArgumentException("packet too long: " + totalLength);
        }
        ByteBuf buf = alloc.buffer(totalLength, totalLength);
        try {
            buf.setZero(0, totalLength);
            if (v4) {
                new Ipv4Header()
                        .wrap(buf, 0)
                        .write(0, totalLength, 0, true, DEFAULT_TTL, Ipv4Header.PROTO_TCP, src.v4(), dst.v4());
            } else {
                new Ipv6Header().wrap(buf, 0).write(0, 0, segmentLength, Ipv4Header.PROTO_TCP, DEFAULT_TTL, src, dst);
            }
            TcpHeader tcp = new TcpHeader()
                    .wrap(buf, ipHeaderLength)
                    .srcPort(srcPort)
                    .dstPort(dstPort)
                    .seq(seq)
                    .ack(ack)
                    .dataOffset(tcpHeaderLength)
                    .flags(flags)
                    .window(window)
                    .urgentPointer(0);
            int idx = writeOptions(buf, tcp.optionsOffset());
            TcpOptions.padToWord(buf, tcp.optionsOffset(), idx);
            buf.setBytes(ipHeaderLength + tcpHeaderLength, payload);
            buf.writerIndex(totalLength);
            tcp.fillChecksum(segmentLength, src, dst);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private int writeOptions(ByteBuf buf, int idx) {
        if (options.mss() >= 0) {
            idx = TcpOptions.writeMss(buf, idx, options.mss());
        }
        if (options.sackPermitted() && options.timestamps()) {
            idx = TcpOptions.writeSackPermittedAndTimestamps(buf, idx, options.tsVal(), options.tsEcr());
        } else if (options.sackPermitted()) {
            idx = TcpOptions.writeSackPermitted(buf, idx);
        } else if (options.timestamps()) {
            idx = TcpOptions.writeTimestamps(buf, idx, options.tsVal(), options.tsEcr());
        }
        if (options.windowScale() >= 0) {
            idx = TcpOptions.writeWindowScale(buf, idx, options.windowScale());
        }
        int n = options.sackBlockCount();
        if (n > 0) {
            int[] left = new int[n];
            int[] right = new int[n];
            for (int i = 0; i < n; i++) {
                left[i] = options.sackLeft(i);
                right[i] = options.sackRight(i);
            }
            idx = TcpOptions.writeSack(buf, idx, left, right, n);
        }
        return idx;
    }

    /** {@link #decode(ByteBuf, boolean)} verifying both checksums. */
    public static SegmentSpec decode(ByteBuf ipPacket) {
        return decode(ipPacket, true);
    }

    /**
     * Decodes the IPv4 or IPv6 packet between {@code ipPacket}'s reader and writer indices, which are left as they are
     * (the buffer is neither consumed nor released). Bytes past the IP total (or payload) length are ignored.
     *
     * @param verifyChecksums whether a bad TCP checksum (RFC 9293 §3.1) is an error; the IPv4 header checksum is
     *     always checked (RFC 1122 §3.2.1.2)
     * @throws IllegalArgumentException if the packet is not a well-formed, unfragmented IPv4 packet, or an IPv6 packet
     *     without extension headers, carrying a well-formed TCP segment
     */
    public static SegmentSpec decode(ByteBuf ipPacket, boolean verifyChecksums) {
        int base = ipPacket.readerIndex();
        int available = ipPacket.readableBytes();
        IpAddr src;
        IpAddr dst;
        int tcpOffset;
        int segmentLength;
        if (available >= 1 && ipPacket.getUnsignedByte(base) >>> 4 == 6) {
            Ipv6Header ip = new Ipv6Header().wrap(ipPacket, base);
            Ipv6Validation validation = ip.validate(available);
            if (validation != Ipv6Validation.OK) {
                throw new IllegalArgumentException("bad IPv6 packet: " + validation);
            }
            if (ip.nextHeader() != Ipv4Header.PROTO_TCP) {
                throw new IllegalArgumentException(
                        "not TCP (extension headers are not supported): next header " + ip.nextHeader());
            }
            src = ip.srcAddr();
            dst = ip.dstAddr();
            tcpOffset = ip.payloadOffset();
            segmentLength = ip.payloadLength();
        } else {
            Ipv4Header ip = new Ipv4Header().wrap(ipPacket, base);
            Ipv4Validation validation = ip.validate(available);
            if (validation != Ipv4Validation.OK) {
                throw new IllegalArgumentException("bad IPv4 packet: " + validation);
            }
            if (ip.protocol() != Ipv4Header.PROTO_TCP) {
                throw new IllegalArgumentException("not TCP: protocol " + ip.protocol());
            }
            src = ip.srcAddr();
            dst = ip.dstAddr();
            tcpOffset = ip.payloadOffset();
            segmentLength = ip.payloadLength();
        }
        TcpHeader tcp = new TcpHeader().wrap(ipPacket, tcpOffset);
        TcpValidation tcpValidation = tcp.validate(segmentLength);
        if (tcpValidation != TcpValidation.OK) {
            throw new IllegalArgumentException("bad TCP segment: " + tcpValidation);
        }
        if (verifyChecksums && !tcp.isChecksumValid(segmentLength, src, dst)) {
            throw new IllegalArgumentException("bad TCP checksum");
        }
        TcpOptions parsed = new TcpOptions();
        if (!parsed.parse(ipPacket, tcp.optionsOffset(), tcp.optionsLength())) {
            throw new IllegalArgumentException("malformed TCP options");
        }
        byte[] payload = new byte[segmentLength - tcp.dataOffset()];
        ipPacket.getBytes(tcp.payloadOffset(), payload);
        return new SegmentSpec(
                src,
                tcp.srcPort(),
                dst,
                tcp.dstPort(),
                tcp.seq(),
                tcp.ack(),
                tcp.flags(),
                tcp.window(),
                toSpec(parsed),
                payload);
    }

    /** The record form of parsed options. */
    public static TcpOptionSpec toSpec(TcpOptions parsed) {
        int n = parsed.sackBlockCount();
        List<int[]> blocks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            blocks.add(new int[] {parsed.sackLeft(i), parsed.sackRight(i)});
        }
        return new TcpOptionSpec(
                parsed.mss(),
                parsed.windowScale(),
                parsed.sackPermitted(),
                parsed.hasTimestamps(),
                parsed.tsVal(),
                parsed.tsEcr(),
                blocks);
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || (o instanceof SegmentSpec other
                        && srcPort == other.srcPort
                        && dstPort == other.dstPort
                        && seq == other.seq
                        && ack == other.ack
                        && flags == other.flags
                        && window == other.window
                        && src.equals(other.src)
                        && dst.equals(other.dst)
                        && options.equals(other.options)
                        && Arrays.equals(payload, other.payload));
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(src, srcPort, dst, dstPort, seq, ack, flags, window, options);
        return 31 * h + Arrays.hashCode(payload);
    }

    /**
     * Like {@code 10.0.0.1:1234 > 10.0.0.2:80 [SYN|ACK] seq=1 ack=2 win=65535 opts{mss=1460,ws=7,sackOK,ts=1/0}
     * len=5}; sequence numbers unsigned, {@code opts{}} left out when there are none.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        endpoint(sb, src, srcPort).append(" > ");
        endpoint(sb, dst, dstPort);
        sb.append(" [").append(TcpHeader.flagsToString(flags)).append(']');
        sb.append(" seq=").append(Integer.toUnsignedString(seq));
        sb.append(" ack=").append(Integer.toUnsignedString(ack));
        sb.append(" win=").append(window);
        if (!options.isEmpty()) {
            sb.append(" opts{").append(options).append('}');
        }
        sb.append(" len=").append(payload.length);
        return sb.toString();
    }

    private static StringBuilder endpoint(StringBuilder sb, IpAddr addr, int port) {
        return addr.isV4()
                ? sb.append(addr).append(':').append(port)
                : sb.append('[').append(addr).append("]:").append(port);
    }
}

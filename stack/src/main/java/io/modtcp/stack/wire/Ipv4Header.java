package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over an IPv4 header (RFC 791 §3.1) in a Netty {@link ByteBuf}. Reusable: {@link #wrap} points it at a
 * buffer and offset; accessors use absolute indexing and never move the buffer's indices. Not thread-safe; keep one per
 * thread. On untrusted input call {@link #validate(int)} before any other accessor.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * </pre>
 */
public final class Ipv4Header extends HeaderFlyweight<Ipv4Header> {
    /** Length of a header without options (RFC 791 §3.1, IHL = 5). */
    public static final int MIN_LENGTH = 20;

    /** IP protocol numbers (RFC 790, IANA "Assigned Internet Protocol Numbers"). */
    public static final int PROTO_ICMP = 1;

    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    /** Absolute index of the first payload byte ({@code offset() + headerLength()}). */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** Payload length in bytes: total length minus header length (RFC 791 §3.1). */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /**
     * Checks the header against {@code available} readable bytes from the wrapped offset, in the order of {@link
     * Ipv4Validation}: RFC 791 §3.1 field ranges, RFC 1122 §3.2.1.1 version, RFC 1122 §3.2.1.2 checksum. Fragments
     * are reported rather than reassembled.
     */
    public Ipv4Validation validate(int available) {
        if (available < MIN_LENGTH) {
            return Ipv4Validation.TRUNCATED;
        }
        // RFC 1122 §3.2.1.1: a datagram whose version number is not 4 MUST be silently discarded.
        if (version() != 4) {
            return Ipv4Validation.BAD_VERSION;
        }
        int headerLength = headerLength();
        int totalLength = totalLength();
        // RFC 791 §3.1: "the minimum value for a correct header is 5" (IHL, in 32-bit words).
        if (headerLength < MIN_LENGTH || headerLength > available || headerLength > totalLength) {
            return Ipv4Validation.BAD_HEADER_LENGTH;
        }
        // RFC 791 §3.1: Total Length covers header and data.
        if (totalLength > available || totalLength < headerLength) {
            return Ipv4Validation.BAD_TOTAL_LENGTH;
        }
        // RFC 1122 §3.2.1.2: a host MUST verify the header checksum and silently discard on failure.
        if (Checksum.fold(Checksum.sum(buf, offset, headerLength, 0)) != 0) {
            return Ipv4Validation.BAD_CHECKSUM;
        }
        // DEVIATION(RFC 1122 §3.3.2): no reassembly; fragments are reported to the caller, which drops them.
        if (moreFragments() || fragmentOffset() != 0) {
            return Ipv4Validation.FRAGMENT;
        }
        return Ipv4Validation.OK;
    }

    public int version() {
        return buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** Header length in bytes: IHL * 4 (RFC 791 §3.1). */
    public int headerLength() {
        return (buf.getUnsignedByte(offset + VERSION_IHL_OFFSET) & 0x0f) << 2;
    }

    /** Type of service byte (RFC 791 §3.1; DSCP and ECN per RFC 2474 / RFC 3168). */
    public int tos() {
        return buf.getUnsignedByte(offset + TOS_OFFSET);
    }

    public Ipv4Header tos(int tos) {
        buf.setByte(offset + TOS_OFFSET, tos);
        return this;
    }

    public int totalLength() {
        return buf.getUnsignedShort(offset + TOTAL_LENGTH_OFFSET);
    }

    /** Sets the total length; call {@link #updateChecksum()} afterwards. */
    public void totalLength(int totalLength) {
        buf.setShort(offset + TOTAL_LENGTH_OFFSET, totalLength);
    }

    public int identification() {
        return buf.getUnsignedShort(offset + IDENTIFICATION_OFFSET);
    }

    public Ipv4Header identification(int identification) {
        buf.setShort(offset + IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The DF ("don't fragment") flag (RFC 791 §3.1 "Flags", bit 1). */
    public boolean dontFragment() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_DF) != 0;
    }

    /** The MF ("more fragments") flag (RFC 791 §3.1 "Flags", bit 2). */
    public boolean moreFragments() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-octet units, RFC 791 §3.1). */
    public int fragmentOffset() {
        return (buf.getUnsignedShort(offset + FLAGS_FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK) << 3;
    }

    public int ttl() {
        return buf.getUnsignedByte(offset + TTL_OFFSET);
    }

    public Ipv4Header ttl(int ttl) {
        buf.setByte(offset + TTL_OFFSET, ttl);
        return this;
    }

    public int protocol() {
        return buf.getUnsignedByte(offset + PROTOCOL_OFFSET);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public Ipv4Header checksum(int checksum) {
        buf.setShort(offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Source address as a raw big-endian int. */
    public int src() {
        return buf.getInt(offset + SRC_OFFSET);
    }

    /** Destination address as a raw big-endian int. */
    public int dst() {
        return buf.getInt(offset + DST_OFFSET);
    }

    /** Source address; allocates. */
    public IpAddr srcAddr() {
        return IpAddr.v4(src());
    }

    /** Destination address; allocates. */
    public IpAddr dstAddr() {
        return IpAddr.v4(dst());
    }

    /**
     * Writes a 20-byte header without options at the wrapped offset (RFC 791 §3.1): version 4, IHL 5, MF clear,
     * fragment offset 0, and a correct header checksum.
     */
    public void write(
            int tos,
            int totalLength,
            int identification,
            boolean dontFragment,
            int ttl,
            int protocol,
            int src,
            int dst) {
        buf.setByte(offset + VERSION_IHL_OFFSET, 0x45);
        buf.setByte(offset + TOS_OFFSET, tos);
        buf.setShort(offset + TOTAL_LENGTH_OFFSET, totalLength);
        buf.setShort(offset + IDENTIFICATION_OFFSET, identification);
        buf.setShort(offset + FLAGS_FRAGMENT_OFFSET, dontFragment ? FLAG_DF : 0);
        buf.setByte(offset + TTL_OFFSET, ttl);
        buf.setByte(offset + PROTOCOL_OFFSET, protocol);
        buf.setInt(offset + SRC_OFFSET, src);
        buf.setInt(offset + DST_OFFSET, dst);
        updateChecksum();
    }

    /**
     * Recomputes the header checksum over {@link #headerLength()} bytes (RFC 791 §3.1: "for purposes of computing
     * the checksum, the value of the checksum field is zero").
     */
    public void updateChecksum() {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.fold(Checksum.sum(buf, offset, headerLength(), 0)));
    }
}

package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the fixed IPv6 header (RFC 8200 §3) in a Netty {@link ByteBuf}. Reusable; absolute indexing only;
 * not thread-safe. Extension headers (RFC 8200 §4) are not parsed here: {@link #nextHeader()} names the first one.
 *
 * <pre>
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                 Source Address (128 bits)                     |
 * |              Destination Address (128 bits)                   |
 * </pre>
 */
public final class Ipv6Header extends HeaderFlyweight<Ipv6Header> {
    /** The fixed header is always 40 bytes (RFC 8200 §3). */
    public static final int LENGTH = 40;

    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_OFFSET = 8;
    public static final int DST_OFFSET = 24;

    /** Absolute index of the first byte after the fixed header. */
    public int payloadOffset() {
        return offset + LENGTH;
    }

    /**
     * Checks the fixed header against {@code available} readable bytes from the wrapped offset (RFC 8200 §3). There is
     * no header checksum in IPv6; upper layers cover the addresses through the pseudo header (RFC 8200 §8.1).
     */
    public Ipv6Validation validate(int available) {
        if (available < LENGTH) {
            return Ipv6Validation.TRUNCATED;
        }
        if (version() != 6) {
            return Ipv6Validation.BAD_VERSION;
        }
        int payloadLength = payloadLength();
        // DEVIATION(RFC 2675): payload length 0 announces a jumbogram; not supported.
        if (payloadLength == 0 || payloadLength > available - LENGTH) {
            return Ipv6Validation.BAD_PAYLOAD_LENGTH;
        }
        return Ipv6Validation.OK;
    }

    public int version() {
        return buf.getUnsignedByte(offset) >>> 4;
    }

    /** Traffic class: DSCP and ECN (RFC 8200 §7, RFC 2474, RFC 3168). */
    public int trafficClass() {
        return (buf.getInt(offset) >>> 20) & 0xff;
    }

    /** Flow label, 20 bits (RFC 8200 §6, RFC 6437). */
    public int flowLabel() {
        return buf.getInt(offset) & 0xf_ffff;
    }

    /** Bytes after the fixed header, extension headers included (RFC 8200 §3). */
    public int payloadLength() {
        return buf.getUnsignedShort(offset + PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6Header payloadLength(int payloadLength) {
        buf.setShort(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        return this;
    }

    /** The type of the header that follows, using IPv4 protocol numbers (RFC 8200 §3). */
    public int nextHeader() {
        return buf.getUnsignedByte(offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6Header nextHeader(int nextHeader) {
        buf.setByte(offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int hopLimit() {
        return buf.getUnsignedByte(offset + HOP_LIMIT_OFFSET);
    }

    public Ipv6Header hopLimit(int hopLimit) {
        buf.setByte(offset + HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    public long srcHi() {
        return buf.getLong(offset + SRC_OFFSET);
    }

    public long srcLo() {
        return buf.getLong(offset + SRC_OFFSET + 8);
    }

    public long dstHi() {
        return buf.getLong(offset + DST_OFFSET);
    }

    public long dstLo() {
        return buf.getLong(offset + DST_OFFSET + 8);
    }

    /** Source address; allocates. */
    public IpAddr srcAddr() {
        return new IpAddr(srcHi(), srcLo());
    }

    /** Destination address; allocates. */
    public IpAddr dstAddr() {
        return new IpAddr(dstHi(), dstLo());
    }

    /** Writes the 40-byte fixed header at the wrapped offset (RFC 8200 §3). */
    public void write(
            int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit, IpAddr src, IpAddr dst) {
        buf.setInt(offset, 6 << 28 | (trafficClass & 0xff) << 20 | (flowLabel & 0xf_ffff));
        buf.setShort(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        buf.setByte(offset + NEXT_HEADER_OFFSET, nextHeader);
        buf.setByte(offset + HOP_LIMIT_OFFSET, hopLimit);
        buf.setLong(offset + SRC_OFFSET, src.hi());
        buf.setLong(offset + SRC_OFFSET + 8, src.lo());
        buf.setLong(offset + DST_OFFSET, dst.hi());
        buf.setLong(offset + DST_OFFSET + 8, dst.lo());
    }
}

package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over an ICMP message header (RFC 792) in a Netty {@link ByteBuf}: type, code, checksum and the 4-byte rest
 * of header, read as identifier and sequence number (echo, RFC 792 "Echo or Echo Reply Message") or as the next-hop
 * MTU (RFC 1191 §4). Absolute indexing only; reusable; not thread-safe.
 */
public final class IcmpHeader extends HeaderFlyweight<IcmpHeader> {
    /** Type, code, checksum and the 4-byte rest of header (RFC 792). */
    public static final int MIN_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Destination unreachable: "fragmentation needed and DF set" (RFC 792; RFC 1191 §4 adds the MTU). */
    public static final int CODE_FRAG_NEEDED = 4;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    /** RFC 1191 §4: the next-hop MTU sits in the low-order 16 bits of the rest of header. */
    public static final int NEXT_HOP_MTU_OFFSET = 6;

    /** Absolute index of the data after the 8-byte header (echo data, or the offending datagram's header). */
    public int payloadOffset() {
        return offset + MIN_LENGTH;
    }

    public int type() {
        return buf.getUnsignedByte(offset + TYPE_OFFSET);
    }

    public IcmpHeader type(int type) {
        buf.setByte(offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return buf.getUnsignedByte(offset + CODE_OFFSET);
    }

    public IcmpHeader code(int code) {
        buf.setByte(offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public IcmpHeader checksum(int checksum) {
        buf.setShort(offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** Echo identifier (RFC 792 "Echo or Echo Reply Message"). */
    public int identifier() {
        return buf.getUnsignedShort(offset + IDENTIFIER_OFFSET);
    }

    public IcmpHeader identifier(int identifier) {
        buf.setShort(offset + IDENTIFIER_OFFSET, identifier);
        return this;
    }

    /** Echo sequence number (RFC 792 "Echo or Echo Reply Message"). */
    public int sequence() {
        return buf.getUnsignedShort(offset + SEQUENCE_OFFSET);
    }

    public IcmpHeader sequence(int sequence) {
        buf.setShort(offset + SEQUENCE_OFFSET, sequence);
        return this;
    }

    /** Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4); 0 from pre-RFC 1191 routers. */
    public int nextHopMtu() {
        return buf.getUnsignedShort(offset + NEXT_HOP_MTU_OFFSET);
    }

    public IcmpHeader nextHopMtu(int mtu) {
        buf.setShort(offset + IDENTIFIER_OFFSET, 0);
        buf.setShort(offset + NEXT_HOP_MTU_OFFSET, mtu);
        return this;
    }

    /**
     * Whether the checksum of the {@code length}-byte ICMP message at {@code offset} verifies (RFC 792: the one's
     * complement of the one's complement sum of the message starting with the type; no pseudo header).
     */
    public static boolean isChecksumValid(ByteBuf b, int offset, int length) {
        return Checksum.fold(Checksum.sum(b, offset, length, 0)) == 0;
    }

    /** Computes and writes the checksum over the {@code length}-byte message (RFC 792, checksum field zero). */
    public void fillChecksum(int length) {
        checksum(0);
        checksum(Checksum.fold(Checksum.sum(buf, offset, length, 0)));
    }
}

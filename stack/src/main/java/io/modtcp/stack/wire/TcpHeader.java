package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a TCP header (RFC 9293 §3.1) in a Netty {@link ByteBuf}. Reusable: {@link #wrap} points it at a
 * buffer and offset; accessors use absolute indexing and never move the buffer's indices. Not thread-safe; keep one per
 * thread. On untrusted input call {@link #validate(int)} before any other accessor.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * </pre>
 */
public final class TcpHeader extends HeaderFlyweight<TcpHeader> {
    /** Length of a header without options (RFC 9293 §3.1, Data Offset = 5). */
    public static final int MIN_LENGTH = 20;

    /** Largest header: Data Offset 15 words (RFC 9293 §3.1). */
    public static final int MAX_LENGTH = 60;

    /** Control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1). */
    public static final int FIN = 0x01;

    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;

    private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    /**
     * Checks that a segment of {@code segmentLength} bytes (header plus data, from the wrapped offset) holds a fixed
     * header and that Data Offset lies within it (RFC 9293 §3.1 "Data Offset").
     */
    public TcpValidation validate(int segmentLength) {
        if (segmentLength < MIN_LENGTH) {
            return TcpValidation.TRUNCATED;
        }
        int dataOffset = dataOffset();
        if (dataOffset < MIN_LENGTH || dataOffset > segmentLength) {
            return TcpValidation.BAD_DATA_OFFSET;
        }
        return TcpValidation.OK;
    }

    public int srcPort() {
        return buf.getUnsignedShort(offset + SRC_PORT_OFFSET);
    }

    public TcpHeader srcPort(int port) {
        buf.setShort(offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return buf.getUnsignedShort(offset + DST_PORT_OFFSET);
    }

    public TcpHeader dstPort(int port) {
        buf.setShort(offset + DST_PORT_OFFSET, port);
        return this;
    }

    /** SEG.SEQ; compare only through {@link Seq}. */
    public int seq() {
        return buf.getInt(offset + SEQ_OFFSET);
    }

    public TcpHeader seq(int seq) {
        buf.setInt(offset + SEQ_OFFSET, seq);
        return this;
    }

    /** SEG.ACK; meaningful only when {@link #ACK} is set (RFC 9293 §3.1). */
    public int ack() {
        return buf.getInt(offset + ACK_OFFSET);
    }

    public TcpHeader ack(int ack) {
        buf.setInt(offset + ACK_OFFSET, ack);
        return this;
    }

    /** Header length in bytes: Data Offset * 4 (RFC 9293 §3.1). */
    public int dataOffset() {
        return (buf.getUnsignedByte(offset + DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    /**
     * Sets Data Offset from a header length in bytes (a multiple of 4, 20..60) and writes the whole byte: the low
     * nibble (the reserved bits and AccECN's AE bit) is zeroed, never kept from what the buffer held before (RFC 9293
     * §3.1: "Reserved: A set of control bits reserved for future use. Must be zero in generated segments").
     */
    public TcpHeader dataOffset(int bytes) {
        buf.setByte(offset + DATA_OFFSET_OFFSET, ((bytes >>> 2) & 0x0f) << 4);
        return this;
    }

    /** The four reserved bits of byte 12 (RFC 9293 §3.1; the lowest is AccECN's AE): zero in what we generate. */
    public int reservedBits() {
        return buf.getUnsignedByte(offset + DATA_OFFSET_OFFSET) & 0x0f;
    }

    /** The eight control bits (RFC 9293 §3.1, RFC 3168 §6.1). */
    public int flags() {
        return buf.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    public TcpHeader flags(int flags) {
        buf.setByte(offset + FLAGS_OFFSET, flags);
        return this;
    }

    /** Whether every bit of {@code flag} is set. */
    public boolean has(int flag) {
        return (flags() & flag) == flag;
    }

    /** SEG.WND, unscaled (RFC 7323 §2.3: never scaled in a SYN). */
    public int window() {
        return buf.getUnsignedShort(offset + WINDOW_OFFSET);
    }

    public TcpHeader window(int window) {
        buf.setShort(offset + WINDOW_OFFSET, window);
        return this;
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public TcpHeader checksum(int checksum) {
        buf.setShort(offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int urgentPointer() {
        return buf.getUnsignedShort(offset + URGENT_POINTER_OFFSET);
    }

    public TcpHeader urgentPointer(int urgentPointer) {
        buf.setShort(offset + URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /** Absolute index of the first option byte. */
    public int optionsOffset() {
        return offset + MIN_LENGTH;
    }

    /** Bytes of options: Data Offset minus the fixed header (RFC 9293 §3.1 "Options"). */
    public int optionsLength() {
        return dataOffset() - MIN_LENGTH;
    }

    /** Absolute index of the first data byte. */
    public int payloadOffset() {
        return offset + dataOffset();
    }

    /**
     * The checksum of the segment (RFC 9293 §3.1 "Checksum": over the pseudo header, header and data, odd byte
     * padded), taking the checksum field as it is in the buffer. With the field zeroed, this is the value to write;
     * over a received segment, 0 means the checksum verifies.
     */
    public static int computeChecksum(ByteBuf buf, int offset, int segmentLength, IpAddr src, IpAddr dst) {
        int pseudo = Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, segmentLength);
        return Checksum.fold(Checksum.sum(buf, offset, segmentLength, pseudo));
    }

    /** Whether the checksum of the {@code segmentLength}-byte segment verifies (RFC 9293 §3.1, RFC 1122 §4.2.2.7). */
    public boolean isChecksumValid(int segmentLength, IpAddr src, IpAddr dst) {
        return computeChecksum(buf, offset, segmentLength, src, dst) == 0;
    }

    /** Computes and writes the checksum of the {@code segmentLength}-byte segment (RFC 9293 §3.1 "Checksum"). */
    public void fillChecksum(int segmentLength, IpAddr src, IpAddr dst) {
        checksum(0);
        checksum(computeChecksum(buf, offset, segmentLength, src, dst));
    }

    /**
     * Writes a partial checksum for a device that completes it (checksum offload, Linux's {@code CHECKSUM_PARTIAL}):
     * the folded pseudo-header sum of the {@code segmentLength}-byte segment, not complemented, as Linux's
     * {@code __tcp_v4_send_check} does. The device sums the segment from the TCP header on, this field included, and
     * writes the complement; a device that segments it (TSO) swaps the length in this sum for each segment's.
     */
    public void fillPartialChecksum(int segmentLength, IpAddr src, IpAddr dst) {
        checksum(Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, segmentLength));
    }

    /**
     * Completes a checksum left partial by {@link #fillPartialChecksum} in software (Linux's
     * {@code skb_checksum_help}), for the segment of {@code segmentLength} bytes at {@code offset}: the field holds the
     * pseudo-header sum, so the complemented sum from the TCP header on is the checksum.
     */
    public static void completePartialChecksum(ByteBuf buf, int offset, int segmentLength) {
        buf.setShort(offset + CHECKSUM_OFFSET, Checksum.fold(Checksum.sum(buf, offset, segmentLength, 0)));
    }

    /**
     * Like {@link #isChecksumValid(int, IpAddr, IpAddr)} with a pseudo header sum already computed, for instance by
     * {@link Checksum#pseudoHeader4} from raw addresses; does not allocate.
     */
    public boolean isChecksumValid(int segmentLength, int pseudoHeaderSum) {
        return Checksum.fold(Checksum.sum(buf, offset, segmentLength, pseudoHeaderSum)) == 0;
    }

    /** Like {@link #fillChecksum(int, IpAddr, IpAddr)} with a pseudo header sum already computed. */
    public void fillChecksum(int segmentLength, int pseudoHeaderSum) {
        checksum(0);
        checksum(Checksum.fold(Checksum.sum(buf, offset, segmentLength, pseudoHeaderSum)));
    }

    /** The set control bits as text, lowest bit first, like {@code "SYN|ACK"}; {@code "none"} when no bit is set. */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(FLAG_NAMES[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}

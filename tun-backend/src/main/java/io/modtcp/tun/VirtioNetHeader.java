package io.modtcp.tun;

import io.modtcp.stack.link.Offload;
import io.netty.buffer.ByteBuf;

/**
 * The {@code struct virtio_net_hdr} a TUN device opened with {@code IFF_VNET_HDR} puts before every packet (Linux
 * {@code include/uapi/linux/virtio_net.h}; VIRTIO 1.2 §5.1.6): 10 bytes, fields in the host's byte order, which for
 * TUN on a little-endian host is little-endian ({@code tun_is_little_endian}).
 *
 * <pre>
 *  0      1         2        4         6          8           10
 *  |flags |gso_type |hdr_len |gso_size |csum_start|csum_offset|
 * </pre>
 *
 * <p>Received headers are hostile input like the packet itself: {@link #rxOffload} checks every field against the
 * packet and turns a valid header into {@link Offload} receive hints; anything else is a drop reason. The kernel's
 * own checks on headers written to it are in {@code virtio_net_hdr_to_skb} and {@code tun_get_user}.
 */
final class VirtioNetHeader {
    /** {@code sizeof(struct virtio_net_hdr)}: TUN's default, and what gVisor and wireguard-go use. */
    static final int LENGTH = 10;

    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    static final int FLAGS = 0;
    static final int GSO_TYPE = 1;
    static final int HDR_LEN = 2;
    static final int GSO_SIZE = 4;
    static final int CSUM_START = 6;
    static final int CSUM_OFFSET = 8;

    /** Offset of the checksum field in a TCP header (RFC 9293 §3.1). */
    static final int TCP_CSUM_OFFSET = 16;

    private static final int TCP = 6;
    private static final int TCP_MIN_HEADER = 20;

    // Drop reasons returned (negated) by rxOffload.
    static final int BAD_FLAGS = -1;
    static final int BAD_GSO_TYPE = -2;
    static final int GSO_ECN_SET = -3;
    static final int GSO_SIZE_ZERO = -4;
    static final int HDR_LEN_BEYOND_PACKET = -5;
    static final int CSUM_BEYOND_PACKET = -6;
    static final int GSO_NOT_TCP = -7;
    static final int TRUNCATED = -8;

    private VirtioNetHeader() {}

    /**
     * Checks the header at {@code at} (little-endian) of the {@code packetLength}-byte IP packet that follows it at
     * {@code packet} and returns its {@link Offload} receive hints (0 or more), or a negative drop reason.
     *
     * <ul>
     *   <li>flags other than {@code NEEDS_CSUM} and {@code DATA_VALID} (TUN sets no other): bad flags;
     *   <li>a gso_type other than none, TCPv4 or TCPv6 (we offer no UDP offload) or with the ECN bit (we negotiate
     *       no ECN; the bit would ask us to set CWR on the first segment only): dropped;
     *   <li>a GSO type with gso_size 0 ({@code virtio_net_hdr_to_skb} refuses it too), or on a packet that is not
     *       TCP of that IP version: dropped;
     *   <li>hdr_len, or csum_start + csum_offset + 2 with {@code NEEDS_CSUM}, beyond the packet: dropped.
     * </ul>
     *
     * {@code NEEDS_CSUM} (the local kernel left the checksum partial: the packet never crossed a wire) and
     * {@code DATA_VALID} (already verified) both mean {@link Offload#RX_CSUM_OK}, but a partial checksum is vouched
     * for only when it points at the TCP checksum field of a TCP packet; a GSO type adds {@link Offload#RX_GSO}.
     */
    static int rxOffload(ByteBuf b, int at, int packetLength) {
        if (packetLength < 1) {
            return TRUNCATED;
        }
        int flags = b.getUnsignedByte(at + FLAGS);
        int gsoType = b.getUnsignedByte(at + GSO_TYPE);
        int hdrLen = b.getUnsignedShortLE(at + HDR_LEN);
        int gsoSize = b.getUnsignedShortLE(at + GSO_SIZE);
        int csumStart = b.getUnsignedShortLE(at + CSUM_START);
        int csumOffset = b.getUnsignedShortLE(at + CSUM_OFFSET);
        if ((flags & ~(F_NEEDS_CSUM | F_DATA_VALID)) != 0) {
            return BAD_FLAGS;
        }
        if ((gsoType & GSO_ECN) != 0) {
            return GSO_ECN_SET;
        }
        if (gsoType != GSO_NONE && gsoType != GSO_TCPV4 && gsoType != GSO_TCPV6) {
            return BAD_GSO_TYPE;
        }
        if (hdrLen > packetLength) {
            return HDR_LEN_BEYOND_PACKET;
        }
        int p = at + LENGTH;
        int version = b.getUnsignedByte(p) >>> 4;
        // Where the TCP header starts, or -1 if this is no TCP packet without extension headers.
        int l4 = -1;
        if (version == 4 && packetLength >= 20 && b.getUnsignedByte(p + 9) == TCP) {
            l4 = (b.getUnsignedByte(p) & 0x0f) * 4;
        } else if (version == 6 && packetLength >= 40 && b.getUnsignedByte(p + 6) == TCP) {
            l4 = 40;
        }
        boolean tcp = l4 >= 20 && l4 + TCP_MIN_HEADER <= packetLength;
        int hints = 0;
        if (gsoType != GSO_NONE) {
            if (gsoSize == 0) {
                return GSO_SIZE_ZERO;
            }
            if (!tcp || version != (gsoType == GSO_TCPV4 ? 4 : 6)) {
                return GSO_NOT_TCP;
            }
            hints |= Offload.RX_GSO;
        }
        if ((flags & F_NEEDS_CSUM) != 0) {
            if (csumStart + csumOffset + 2 > packetLength) {
                return CSUM_BEYOND_PACKET;
            }
            if (tcp && csumStart == l4 && csumOffset == TCP_CSUM_OFFSET) {
                hints |= Offload.RX_CSUM_OK;
            }
        } else if ((flags & F_DATA_VALID) != 0) {
            hints |= Offload.RX_CSUM_OK;
        }
        return hints;
    }

    /** Text for a drop reason, for logs. */
    static String reason(int code) {
        switch (code) {
            case BAD_FLAGS:
                return "unknown flags";
            case BAD_GSO_TYPE:
                return "unknown gso_type";
            case GSO_ECN_SET:
                return "gso_type ECN bit";
            case GSO_SIZE_ZERO:
                return "gso_size 0 with a gso_type";
            case HDR_LEN_BEYOND_PACKET:
                return "hdr_len beyond the packet";
            case CSUM_BEYOND_PACKET:
                return "csum_start + csum_offset beyond the packet";
            case GSO_NOT_TCP:
                return "gso_type does not match a TCP packet of that IP version";
            case TRUNCATED:
                return "no packet after the header";
            default:
                return "code " + code;
        }
    }

    /**
     * Writes a header for a packet we send: none ({@code tcpHeaderEnd} 0: flags 0, gso none), or a partial TCP
     * checksum at {@code csumStart} ({@code NEEDS_CSUM}, csum_offset 16) and, if {@code gsoType} is not none,
     * segmentation into {@code gsoSize}-byte payloads ({@code hdr_len} = the IP and TCP headers).
     */
    static void write(ByteBuf b, int at, int gsoType, int gsoSize, int csumStart, int tcpHeaderEnd) {
        boolean partial = tcpHeaderEnd > 0;
        b.setByte(at + FLAGS, partial ? F_NEEDS_CSUM : 0);
        b.setByte(at + GSO_TYPE, gsoType);
        b.setShortLE(at + HDR_LEN, tcpHeaderEnd);
        b.setShortLE(at + GSO_SIZE, gsoType == GSO_NONE ? 0 : gsoSize);
        b.setShortLE(at + CSUM_START, partial ? csumStart : 0);
        b.setShortLE(at + CSUM_OFFSET, partial ? TCP_CSUM_OFFSET : 0);
    }
}

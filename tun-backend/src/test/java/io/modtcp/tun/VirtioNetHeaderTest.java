package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.Offload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The virtio-net header parser against crafted bytes: valid headers become hints, malformed ones drop reasons. */
class VirtioNetHeaderTest {
    private static final int V4_TCP = 20 + 20 + 3000;
    private static final int V6_TCP = 40 + 20 + 3000;
    private final ByteBuf buf = Unpooled.buffer(VirtioNetHeader.LENGTH + 4096);

    @AfterEach
    void release() {
        buf.release();
    }

    /** A virtio header (little-endian) followed by an IPv4 (version 4) or IPv6 packet of {@code length} bytes. */
    private int packet(
            int version,
            int protocol,
            int length,
            int flags,
            int gsoType,
            int hdrLen,
            int gsoSize,
            int csumStart,
            int csumOffset) {
        buf.clear();
        buf.writeByte(flags).writeByte(gsoType);
        buf.writeShortLE(hdrLen).writeShortLE(gsoSize).writeShortLE(csumStart).writeShortLE(csumOffset);
        buf.writeZero(length);
        int p = VirtioNetHeader.LENGTH;
        if (version == 4) {
            buf.setByte(p, 0x45);
            buf.setByte(p + 9, protocol);
        } else {
            buf.setByte(p, 0x60);
            buf.setByte(p + 6, protocol);
        }
        return VirtioNetHeader.rxOffload(buf, 0, length);
    }

    private int v4(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        return packet(4, 6, V4_TCP, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
    }

    @Test
    void shouldGiveNoHintsWhenHeaderIsEmpty() {
        assertEquals(0, v4(0, 0, 0, 0, 0, 0));
    }

    @Test
    void shouldTrustTcpChecksumWhenPartialAtTheTcpChecksumField() {
        assertEquals(Offload.RX_CSUM_OK, v4(VirtioNetHeader.F_NEEDS_CSUM, 0, 40, 0, 20, 16));
        assertEquals(Offload.RX_CSUM_OK, packet(6, 6, V6_TCP, VirtioNetHeader.F_NEEDS_CSUM, 0, 60, 0, 40, 16));
    }

    @Test
    void shouldNotTrustChecksumWhenPartialElsewhere() {
        // In bounds, so not malformed, but not TCP's checksum field: TCP verifies the packet in full.
        assertEquals(0, v4(VirtioNetHeader.F_NEEDS_CSUM, 0, 40, 0, 20, 6));
        assertEquals(0, packet(4, 17, V4_TCP, VirtioNetHeader.F_NEEDS_CSUM, 0, 28, 0, 20, 6));
    }

    @Test
    void shouldTrustChecksumWhenDataValid() {
        assertEquals(Offload.RX_CSUM_OK, v4(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0));
    }

    @Test
    void shouldTakeSuperSegmentsWithPartialChecksum() {
        assertEquals(
                Offload.RX_CSUM_OK | Offload.RX_GSO,
                v4(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 1448, 20, 16));
        assertEquals(
                Offload.RX_CSUM_OK | Offload.RX_GSO,
                packet(6, 6, V6_TCP, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 72, 1428, 40, 16));
        // Without a checksum flag, the checksum covers the whole super-segment and is verified.
        assertEquals(Offload.RX_GSO, v4(0, VirtioNetHeader.GSO_TCPV4, 52, 1448, 0, 0));
    }

    @Test
    void shouldDropWhenGsoSizeIsZeroWithAGsoType() {
        assertEquals(
                VirtioNetHeader.GSO_SIZE_ZERO,
                v4(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 0, 20, 16));
    }

    @Test
    void shouldDropWhenHdrLenIsBeyondThePacket() {
        assertEquals(VirtioNetHeader.HDR_LEN_BEYOND_PACKET, v4(0, 0, V4_TCP + 1, 0, 0, 0));
        assertEquals(VirtioNetHeader.HDR_LEN_BEYOND_PACKET, v4(0, 0, 0xffff, 0, 0, 0));
        assertEquals(0, v4(0, 0, V4_TCP, 0, 0, 0));
    }

    @Test
    void shouldDropWhenChecksumFieldIsBeyondThePacket() {
        int f = VirtioNetHeader.F_NEEDS_CSUM;
        assertEquals(VirtioNetHeader.CSUM_BEYOND_PACKET, v4(f, 0, 40, 0, V4_TCP - 1, 0));
        assertEquals(VirtioNetHeader.CSUM_BEYOND_PACKET, v4(f, 0, 40, 0, 20, V4_TCP - 21));
        assertEquals(VirtioNetHeader.CSUM_BEYOND_PACKET, v4(f, 0, 40, 0, 0xffff, 0xffff));
        // The last two bytes of the packet are still inside.
        assertEquals(0, v4(f, 0, 40, 0, 20, V4_TCP - 22));
    }

    @Test
    void shouldDropWhenGsoTypeIsUnknownOrUdp() {
        for (int type : new int[] {2, 3, 5, 6, 0x7f}) {
            assertEquals(
                    VirtioNetHeader.BAD_GSO_TYPE,
                    v4(VirtioNetHeader.F_NEEDS_CSUM, type, 52, 1448, 20, 16),
                    "gso_type " + type);
        }
    }

    @Test
    void shouldDropWhenEcnBitIsSet() {
        assertEquals(
                VirtioNetHeader.GSO_ECN_SET,
                v4(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | 0x80, 52, 1448, 20, 16));
        assertEquals(VirtioNetHeader.GSO_ECN_SET, v4(0, 0x80, 0, 0, 0, 0));
    }

    @Test
    void shouldDropWhenFlagsAreUnknown() {
        for (int flags : new int[] {4, 8, 0x80, 0xff}) {
            assertEquals(VirtioNetHeader.BAD_FLAGS, v4(flags, 0, 0, 0, 0, 0), "flags " + flags);
        }
    }

    @Test
    void shouldDropWhenGsoTypeDoesNotMatchTheFamilyOrProtocol() {
        int f = VirtioNetHeader.F_NEEDS_CSUM;
        assertEquals(VirtioNetHeader.GSO_NOT_TCP, v4(f, VirtioNetHeader.GSO_TCPV6, 52, 1448, 20, 16));
        assertEquals(VirtioNetHeader.GSO_NOT_TCP, packet(6, 6, V6_TCP, f, VirtioNetHeader.GSO_TCPV4, 72, 1428, 40, 16));
        assertEquals(VirtioNetHeader.GSO_NOT_TCP, packet(4, 17, V4_TCP, f, VirtioNetHeader.GSO_TCPV4, 28, 1448, 20, 6));
        // A TCP header that does not fit the packet.
        assertEquals(VirtioNetHeader.GSO_NOT_TCP, packet(4, 6, 30, 0, VirtioNetHeader.GSO_TCPV4, 0, 1448, 0, 0));
    }

    @Test
    void shouldWriteHeadersTheParserAccepts() {
        buf.clear();
        buf.writeZero(VirtioNetHeader.LENGTH + V4_TCP);
        buf.setByte(VirtioNetHeader.LENGTH, 0x45);
        buf.setByte(VirtioNetHeader.LENGTH + 9, 6);
        VirtioNetHeader.write(buf, 0, VirtioNetHeader.GSO_TCPV4, 1448, 20, 52);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, buf.getUnsignedByte(0));
        assertEquals(52, buf.getUnsignedShortLE(VirtioNetHeader.HDR_LEN));
        assertEquals(1448, buf.getUnsignedShortLE(VirtioNetHeader.GSO_SIZE));
        assertEquals(20, buf.getUnsignedShortLE(VirtioNetHeader.CSUM_START));
        assertEquals(16, buf.getUnsignedShortLE(VirtioNetHeader.CSUM_OFFSET));
        assertEquals(Offload.RX_CSUM_OK | Offload.RX_GSO, VirtioNetHeader.rxOffload(buf, 0, V4_TCP));
        VirtioNetHeader.write(buf, 0, VirtioNetHeader.GSO_NONE, 1448, 0, 0);
        for (int i = 0; i < VirtioNetHeader.LENGTH; i++) {
            assertEquals(0, buf.getByte(i), "byte " + i + " of a plain packet's header");
        }
        assertTrue(VirtioNetHeader.reason(VirtioNetHeader.GSO_SIZE_ZERO).contains("gso_size 0"));
    }
}

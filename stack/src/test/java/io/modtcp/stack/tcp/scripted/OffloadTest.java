package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.modtcp.stack.link.Offload;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A link with checksum offload and TSO: the engine sends super-segments (whole MSS multiples, bounded by cwnd and the
 * peer's window, one MSS in loss recovery) with a partial checksum and the MSS as the segment size; a received
 * super-segment the link vouches for is taken whole without checksum verification, and acknowledged at once.
 */
class OffloadTest {
    private static final int SEG = Script.PEER_MSS;
    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void shouldSendOneSuperSegmentPerWindowWhenTheLinkOffersTso() throws Exception {
        TcpSocket sock = s.establishActive();
        s.link.offloads(Offload.TX_CSUM | Offload.TX_TSO4);
        s.write(sock, Script.bytes(40 * SEG));
        // The initial window (10 segments) in one packet; the link completes its partial checksum before decoding.
        s.expect(s.out(ACK).seq(1).len(10 * SEG));
        assertEquals(SEG, s.link.pollSegmentPayload());
        s.expectNothing();
        s.inject(s.in(ACK).seq(1).ack(1 + 10 * SEG).win(65535));
        // One ACK for the super-segment: slow start counts every byte it covers (Linux's tcp_slow_start counts the
        // ten segments; RFC 5681 §3.1 with RFC 3465 byte counting), so cwnd doubles to 20 segments, all of which go
        // in one packet (the peer's 65,535-byte window would allow 44). Counting one SMSS per ACK gave 11.
        s.expect(s.out(ACK).seq(1 + 10 * SEG).len(20 * SEG));
        assertEquals(SEG, s.link.pollSegmentPayload());
        s.expectNothing();
    }

    @Test
    void shouldCutAtTheWindowToWholeSegmentsAndSendTheTailWhole() throws Exception {
        TcpSocket sock = s.establishActive();
        s.link.offloads(Offload.TX_CSUM | Offload.TX_TSO4);
        s.write(sock, Script.bytes(3 * SEG + 100));
        // The tail of the data: whole, its last segment short.
        s.expect(s.out(ACK).seq(1).len(3 * SEG + 100));
        s.inject(s.in(ACK).seq(1).ack(1 + 3 * SEG + 100).win(2 * SEG + 700));
        s.write(sock, Script.bytes(10 * SEG));
        // The window allows 2 segments and 700 bytes: whole segments only, the rest waits (SWS avoidance).
        s.expect(s.out(ACK).seq(1 + 3 * SEG + 100).len(2 * SEG));
        s.expectNothing();
    }

    @Test
    void shouldSendOneMssPerPacketWithPartialChecksumWhenTheLinkOffersChecksumOffloadOnly() throws Exception {
        TcpSocket sock = s.establishActive();
        s.link.offloads(Offload.TX_CSUM);
        s.write(sock, Script.bytes(3 * SEG));
        for (int i = 0; i < 3; i++) {
            s.expect(s.out(ACK).seq(1 + i * SEG).len(SEG));
            assertEquals(SEG, s.link.pollSegmentPayload());
        }
        s.expectNothing();
    }

    @Test
    void shouldSendPlainSegmentsWhenTheLinkOffersNothing() throws Exception {
        TcpSocket sock = s.establishActive();
        s.write(sock, Script.bytes(3 * SEG));
        for (int i = 0; i < 3; i++) {
            s.expect(s.out(ACK).seq(1 + i * SEG).len(SEG));
        }
        assertNull(s.link.pollSegmentPayload());
    }

    @Test
    void shouldTakeAVouchedSuperSegmentWholeWithoutVerifyingAndAckAtOnce() throws Exception {
        TcpSocket sock = s.establishActive();
        byte[] data = Script.bytes(20 * SEG);
        ByteBuf packet = s.in(ACK).seq(1).ack(1).payload(data).toSpec().encode(s.stack.alloc());
        corruptChecksum(packet);
        s.link.inject(packet, Offload.RX_CSUM_OK | Offload.RX_GSO);
        s.poll();
        // Two full segments' worth or more: the ACK goes at once (delayed ACKs count bytes).
        s.expect(s.out(ACK).seq(1).ack(1 + 20 * SEG).len(0));
        assertArrayEquals(data, s.read(sock));
        assertEquals(0, s.counter(Counter.TCP_DROP_BAD_CHECKSUM));
    }

    @Test
    void shouldVerifyAndDropASuperSegmentTheLinkDoesNotVouchFor() throws Exception {
        s.establishActive();
        ByteBuf packet =
                s.in(ACK).seq(1).ack(1).payload(Script.bytes(20 * SEG)).toSpec().encode(s.stack.alloc());
        corruptChecksum(packet);
        s.link.inject(packet, Offload.RX_GSO);
        s.poll();
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_DROP_BAD_CHECKSUM));
    }

    /** Replaces the TCP checksum of an IPv4 packet (no IP options) by the partial sum a kernel would leave: wrong. */
    private static void corruptChecksum(ByteBuf packet) {
        int at = packet.readerIndex() + 20 + 16;
        packet.setShort(at, packet.getUnsignedShort(at) ^ 0x5a5a);
    }
}

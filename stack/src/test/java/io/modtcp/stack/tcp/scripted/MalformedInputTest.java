package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.FIN;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Malformed segments are dropped and counted, never answered (not even with a reset, RFC 9293 §3.10.7.1 applies
 * only to well-formed segments), and the connection carries on.
 */
class MalformedInputTest {
    private static final int IP = Ipv4Header.MIN_LENGTH;

    private final Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    /** A valid 10-byte data segment at relative seq 1, encoded; the test corrupts it. */
    private ByteBuf dataPacket() {
        return s.in(ACK).seq(1).ack(1).data(10).toSpec().encode(s.stack.alloc());
    }

    private static void fixTcpChecksum(ByteBuf packet) {
        Ipv4Header ip = new Ipv4Header().wrap(packet, 0);
        int segmentLength = ip.totalLength() - IP;
        new TcpHeader().wrap(packet, IP).checksum(0).fillChecksum(segmentLength, ip.srcAddr(), ip.dstAddr());
    }

    /** The connection still works: in-order data is delivered and acknowledged. */
    private void assertStillWorks(TcpSocket c) throws Exception {
        s.assertState(TcpState.ESTABLISHED);
        s.inject(s.in(ACK).seq(1).ack(1).data(10));
        s.inject(s.in(ACK).seq(11).ack(1).data(10));
        assertArrayEquals(Script.bytes(0, 20), s.read(c));
    }

    @Nested
    class Established {
        @Test
        void shouldDropAndCountWhenTcpChecksumIsBad() throws Exception {
            TcpSocket c = s.establishActive();
            ByteBuf p = dataPacket();
            int at = IP + TcpHeader.CHECKSUM_OFFSET;
            p.setShort(at, p.getUnsignedShort(at) ^ 0x0101);
            s.injectRaw(p);
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_BAD_CHECKSUM));
            assertEquals(0, s.read(c).length);
            assertStillWorks(c);
        }

        @Test
        void shouldDropAndCountWhenDataOffsetIsBelowMinimum() throws Exception {
            TcpSocket c = s.establishActive();
            ByteBuf p = dataPacket();
            p.setByte(IP + TcpHeader.DATA_OFFSET_OFFSET, 4 << 4);
            fixTcpChecksum(p);
            s.injectRaw(p);
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_BAD_DATA_OFFSET));
            assertStillWorks(c);
        }

        @Test
        void shouldDropAndCountWhenDataOffsetIsBeyondSegment() throws Exception {
            TcpSocket c = s.establishActive();
            ByteBuf p = dataPacket();
            p.setByte(IP + TcpHeader.DATA_OFFSET_OFFSET, 15 << 4);
            fixTcpChecksum(p);
            s.injectRaw(p);
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_BAD_DATA_OFFSET));
            assertStillWorks(c);
        }

        @Test
        void shouldDropAndCountWhenTcpHeaderIsTruncated() throws Exception {
            TcpSocket c = s.establishActive();
            ByteBuf p = dataPacket();
            Ipv4Header ip = new Ipv4Header().wrap(p, 0);
            ip.totalLength(IP + 12);
            ip.updateChecksum();
            p.writerIndex(IP + 12);
            s.injectRaw(p);
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_TRUNCATED));
            assertStillWorks(c);
        }

        @Test
        void shouldDropAndCountWhenOptionLengthOverrunsHeader() throws Exception {
            TcpSocket c = s.establishActive();
            // Data offset 24: four option bytes, an MSS option claiming 10 bytes.
            byte[] payload = Script.bytes(0, 10);
            ByteBuf p = s.stack.alloc().buffer();
            ByteBuf plain = s.in(ACK).seq(1).ack(1).toSpec().encode(s.stack.alloc());
            p.writeBytes(plain, 0, IP + TcpHeader.MIN_LENGTH);
            plain.release();
            p.writeBytes(new byte[] {2, 10, 5, (byte) 0xb4});
            p.writeBytes(payload);
            Ipv4Header ip = new Ipv4Header().wrap(p, 0);
            ip.totalLength(p.readableBytes());
            ip.updateChecksum();
            p.setByte(IP + TcpHeader.DATA_OFFSET_OFFSET, 6 << 4);
            fixTcpChecksum(p);
            s.injectRaw(p);
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_BAD_OPTIONS));
            assertEquals(0, s.read(c).length);
            assertStillWorks(c);
        }

        @Test
        void shouldDropAndCountWhenSynAndFinAreBothSet() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(SYN | FIN | ACK).seq(1).ack(1).data(10));
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_DROP_BAD_FLAGS));
            assertEquals(0, s.read(c).length);
            assertStillWorks(c);
        }
    }

    @Nested
    class Listen {
        @Test
        void shouldNotAnswerMalformedSynWhenListening() throws Exception {
            s.listen(4);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN | FIN).seq(0));
            ByteBuf p = s.in(SYN).seq(0).toSpec().encode(s.stack.alloc());
            p.setByte(IP + TcpHeader.CHECKSUM_OFFSET, p.getUnsignedByte(IP + TcpHeader.CHECKSUM_OFFSET) ^ 0xff);
            s.injectRaw(p);
            s.expectNothing();
            assertNull(s.connection());
            assertEquals(2, s.counter(Counter.TCP_IN_ERRS));
            s.handshakePassive(50_002);
        }
    }

    @Nested
    class Closed {
        @Test
        void shouldNotSendRstWhenMalformedSegmentArrivesAtClosedPort() {
            s.usePeerPort(50_001);
            ByteBuf p = s.in(ACK).seq(0).ack(5).dstPort(81).toSpec().encode(s.stack.alloc());
            p.setByte(IP + TcpHeader.CHECKSUM_OFFSET, p.getUnsignedByte(IP + TcpHeader.CHECKSUM_OFFSET) ^ 0xff);
            s.injectRaw(p);
            s.inject(s.in(SYN | RST).seq(0).dstPort(81));
            s.expectNothing();
            assertEquals(2, s.counter(Counter.TCP_IN_ERRS));
        }
    }
}

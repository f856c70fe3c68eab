package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static io.modtcp.stack.wire.TcpHeader.URG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Urgent data on the wire (RFC 9293 §3.8.5 and §3.10.7.4 sixth step, RFC 6093 §4, as Linux does it): the URG bit
 * and the urgent pointer (the offset from SEG.SEQ of the octet after the urgent one) on what we send, and the urgent
 * octet taken out of (SO_OOBINLINE off) or left in (on) what we receive; hostile pointers ignored and counted.
 */
class UrgentDataTest {
    private final Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Injects {@code seg} with the urgent pointer field set to {@code pointer} (the checksum recomputed). */
    private void injectWithPointer(Script.In seg, int pointer) {
        ByteBuf packet = seg.toSpec().encode(ByteBufAllocator.DEFAULT);
        int tcpLength = packet.readableBytes() - Ipv4Header.MIN_LENGTH;
        new TcpHeader()
                .wrap(packet, Ipv4Header.MIN_LENGTH)
                .urgentPointer(pointer)
                .fillChecksum(tcpLength, Script.REMOTE, Script.LOCAL);
        s.injectRaw(packet);
    }

    private String readAll(TcpSocket c) throws IOException {
        return new String(s.read(c), StandardCharsets.US_ASCII);
    }

    @Nested
    class Sending {
        @Test
        void shouldSetUrgAndPointToTheOctetAfterTheUrgentOne() throws Exception {
            TcpSocket c = s.establishActive();
            c.write(ByteBuffer.wrap(ascii("ab")), 0);
            assertTrue(c.sendUrgentData('U', 0));
            c.write(ByteBuffer.wrap(ascii("cd")), 0);
            s.poll();
            assertEquals(0, s.expect(s.out(ACK).seq(1).payload(ascii("ab"))).urgentPointer());
            assertEquals(
                    1, s.expect(s.out(ACK | URG).seq(3).payload(ascii("U"))).urgentPointer());
            assertEquals(0, s.expect(s.out(ACK).seq(4).payload(ascii("cd"))).urgentPointer());
            // The timeout retransmits "abUcd" in one segment from relative seq 1: SND.UP is 4 (the octet after
            // 'U'), so the pointer is 3 (RFC 6093 §4, Linux).
            s.advance(s.connection().delivery().rtoNs());
            ScriptedLink.Sent sent = s.expect(s.out(ACK | URG).seq(1).ack(1).payload(ascii("abUcd")));
            assertEquals(3, sent.urgentPointer());
            s.expectNothing();
        }

        @Test
        void shouldPassNagleAndMarkOnlySegmentsBeforeSndUp() throws Exception {
            TcpSocket c = s.establishActive();
            s.write(c, ascii("ab"));
            ScriptedLink.Sent first = s.expect(s.out(ACK).seq(1).len(2));
            assertEquals(0, first.urgentPointer());
            // Unacknowledged data in flight: Nagle would hold one octet, urgent mode sends it (Linux's tcp_nagle_test).
            assertTrue(c.sendUrgentData('U', 0));
            s.poll();
            ScriptedLink.Sent urgent = s.expect(s.out(ACK | URG).seq(3).payload(ascii("U")));
            assertEquals(1, urgent.urgentPointer());
            // Data after the urgent octet starts at SND.UP: no URG.
            s.write(c, ascii("cd"));
            s.expect(s.out(ACK).seq(4).payload(ascii("cd")));
            s.expectNothing();
        }

        @Test
        void shouldKeepUrgOnRetransmissionsUntilTheUrgentOctetIsAcked() throws Exception {
            TcpSocket c = s.establishActive();
            assertTrue(c.sendUrgentData('U', 0));
            s.poll();
            ScriptedLink.Sent sent = s.expect(s.out(ACK | URG).seq(1).payload(ascii("U")));
            assertEquals(1, sent.urgentPointer());
            // The RTO retransmits it, still urgent.
            s.advance(s.connection().delivery().rtoNs());
            ScriptedLink.Sent again = s.expect(s.out(ACK | URG).seq(1).payload(ascii("U")));
            assertEquals(1, again.urgentPointer());
            s.inject(s.in(ACK).seq(1).ack(2));
            assertTrue(!s.connection().delivery().urgentMode(), "urgent mode ends once SND.UNA passes SND.UP");
            s.write(c, ascii("x"));
            ScriptedLink.Sent after = s.expect(s.out(ACK).seq(2).payload(ascii("x")));
            assertEquals(0, after.urgentPointer());
        }

        @Test
        void shouldThrowTheJdkExceptions() throws Exception {
            TcpSocket fresh = s.openSocket();
            assertEquals(
                    "Not connected",
                    assertThrows(SocketException.class, () -> fresh.sendUrgentData(1, 0))
                            .getMessage());
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            assertEquals(
                    "Broken pipe",
                    assertThrows(IOException.class, () -> c.sendUrgentData(1, 0))
                            .getMessage());
            c.close();
            assertEquals(
                    "Socket closed",
                    assertThrows(SocketException.class, () -> c.sendUrgentData(1, 0))
                            .getMessage());
        }
    }

    @Nested
    class Receiving {
        @Test
        void shouldTakeTheUrgentOctetOutOfTheStreamByDefault() throws Exception {
            TcpSocket c = s.establishActive();
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("abUcd")), 3);
            assertEquals("abcd", readAll(c));
            // All five octets are received (RCV.NXT, what the ACK carries): the urgent one only not delivered.
            assertEquals(6, s.connection().delivery().rcvNxt() - s.peerIss());
            assertEquals(1, s.counter(Counter.TCP_URG_DISCARDED));
            assertEquals(0, s.counter(Counter.TCP_URG_INVALID));
        }

        @Test
        void shouldDeliverTheUrgentOctetInLineWithOobInline() throws Exception {
            TcpSocket c = s.establishActive();
            c.setOobInline(true);
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("abUcd")), 3);
            assertEquals("abUcd", readAll(c));
            assertEquals(0, s.counter(Counter.TCP_URG_DISCARDED));
        }

        @Test
        void shouldMarkAnOctetNotYetReceived() throws Exception {
            TcpSocket c = s.establishActive();
            // The pointer names the first octet of the next segment.
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("ab")), 3);
            s.inject(s.in(ACK).seq(3).ack(1).payload(ascii("Ucd")));
            assertEquals("abcd", readAll(c));
        }

        @Test
        void shouldApplyTheMarkWhenTheUrgentOctetArrivesOutOfOrder() throws Exception {
            TcpSocket c = s.establishActive();
            injectWithPointer(s.in(ACK | URG).seq(3).ack(1).payload(ascii("Ucd")), 1);
            s.inject(s.in(ACK).seq(1).ack(1).payload(ascii("ab")));
            assertEquals("abcd", readAll(c));
            assertEquals(1, s.counter(Counter.TCP_URG_DISCARDED));
        }

        @Test
        void shouldTakeOutOneOctetWhateverTheRepeats() throws Exception {
            TcpSocket c = s.establishActive();
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("abU")), 3);
            // The same segment again (a duplicate), then one overlapping it with the same, now old, urgent octet.
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("abU")), 3);
            injectWithPointer(s.in(ACK | URG).seq(2).ack(1).payload(ascii("bUcd")), 2);
            assertEquals("abcd", readAll(c));
            assertEquals(1, s.counter(Counter.TCP_URG_DISCARDED));
            assertEquals(0, s.counter(Counter.TCP_URG_INVALID));
        }

        @Test
        void shouldKeepOnlyTheLatestMark() throws Exception {
            TcpSocket c = s.establishActive();
            // Two urgent pointers before their octets arrive: as on Linux, only the latest octet is urgent (one
            // mark is held whatever the peer sends); the first stays in the stream.
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("a")), 2);
            injectWithPointer(s.in(ACK | URG).seq(2).ack(1), 3);
            s.inject(s.in(ACK).seq(2).ack(1).payload(ascii("XbUc")));
            assertEquals("aXbc", readAll(c));
            assertEquals(1, s.counter(Counter.TCP_URG_DISCARDED));
        }
    }

    @Nested
    class HostileInput {
        @Test
        void shouldIgnoreAZeroPointer() throws Exception {
            TcpSocket c = s.establishActive();
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("abcd")), 0);
            assertEquals("abcd", readAll(c));
            assertEquals(1, s.counter(Counter.TCP_URG_INVALID));
            assertEquals(0, s.counter(Counter.TCP_URG_DISCARDED));
        }

        @Test
        void shouldIgnoreAPointerBeyondTheWindow() throws Exception {
            TcpSocket c = s.establishActive();
            int window = io.modtcp.stack.tcp.flow.FlowControl.receiveWindow(
                    s.connection().flow(), s.connection().delivery());
            // An in-window out-of-order octet whose pointer names an octet far beyond the window.
            injectWithPointer(s.in(ACK | URG).seq(1 + window - 1).ack(1).payload(ascii("z")), 0xFFFF);
            assertEquals(1, s.counter(Counter.TCP_URG_INVALID));
            s.link.poll(); // the duplicate ACK for the hole
            // Nothing was marked: the stream is intact.
            injectWithPointer(s.in(ACK | URG).seq(1).ack(1).payload(ascii("ab")), 0);
            assertEquals("ab", readAll(c));
            assertEquals(0, s.counter(Counter.TCP_URG_DISCARDED));
            assertEquals(TcpState.ESTABLISHED, s.state());
        }

        @Test
        void shouldIgnoreUrgOnSyn() throws Exception {
            TcpSocket listener = s.listen(4);
            s.usePeerPort(40000);
            injectWithPointer(s.in(SYN | URG).seq(0).ack(0).mss(Script.PEER_MSS), 1);
            s.expect(s.out(SYN | ACK).seq(0).ack(1).len(0));
            s.inject(s.in(ACK).seq(1).ack(1));
            assertEquals(TcpState.ESTABLISHED, s.state());
            assertEquals(1, s.counter(Counter.TCP_URG_INVALID));
            TcpSocket child = listener.accept(0);
            s.inject(s.in(ACK).seq(1).ack(1).payload(ascii("abc")));
            assertArrayEquals(ascii("abc"), s.read(child));
        }
    }
}

package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.tcp.scripted.Script.PEER_MSS;
import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.FIN;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Retransmissions and odd arrivals in the opening and closing states. */
class MoreStatesTest {
    private static final long RTT_NS = 100 * MS;
    private static final long RTO_NS = 300 * MS;

    private final Script s =
            new Script(TcpConfig.builder().receiveBufferBytes(4 * PEER_MSS).build());

    @AfterEach
    void tearDown() {
        s.close();
    }

    private TcpSocket establishWithRtt() throws Exception {
        return s.establishActive(RTT_NS, in -> in.mss(PEER_MSS));
    }

    @Nested
    class SynReceived {
        @Test
        void shouldRetransmitSynAckAtInitialRto() throws Exception {
            s.listen(4);
            s.usePeerPort(50_001);
            long t = s.now();
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.advanceTo(t + SEC - 1);
            s.expectNothing();
            s.advanceTo(t + SEC);
            s.expectAt(t + SEC, s.out(SYN | ACK).seq(0).ack(1));
            s.inject(s.in(ACK).seq(1).ack(1));
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldDeliverDataCarriedByHandshakeAck() throws Exception {
            TcpSocket l = s.listen(4);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            long t = s.now();
            s.inject(s.in(ACK).seq(1).ack(1).data(10));
            s.assertState(TcpState.ESTABLISHED);
            TcpSocket child = l.accept(0);
            assertNotNull(child);
            assertArrayEquals(Script.bytes(0, 10), s.read(child));
            // The application read all of a short segment: the delayed ACK goes at once.
            s.expectAt(t, s.out(ACK).seq(1).ack(11));
        }

        @Test
        void shouldResendSynAckWhenSynIsRetransmitted() throws Exception {
            s.listen(4);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.expectNothing();
            s.assertState(TcpState.SYN_RECEIVED);
        }

        @Test
        void shouldReturnToListenWhenRstArrives() throws Exception {
            TcpSocket l = s.listen(4);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.inject(s.in(RST).seq(1));
            s.expectNothing();
            assertNull(s.connection());
            assertNull(l.accept(0));
            s.handshakePassive(50_002);
            assertNotNull(l.accept(0));
        }

        @Test
        void shouldSendRstWhenAckIsUnacceptable() throws Exception {
            s.listen(4);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            // RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>.
            s.inject(s.in(ACK).seq(1).ack(50));
            s.expect(s.out(RST).seq(50));
            s.assertState(TcpState.SYN_RECEIVED);
        }
    }

    @Nested
    class Established {
        @Test
        void shouldAckWhenPeerRetransmitsSynAck() throws Exception {
            s.establishActive();
            // Our ACK of the SYN-ACK was lost; the old SYN-ACK is unacceptable and draws an ACK (§3.10.7.4 first).
            s.inject(s.in(SYN | ACK).seq(0).ack(1).mss(PEER_MSS));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldAckAtOnceWhenDataArrivesWithFin() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(FIN | ACK).seq(1).ack(1).data(10));
            s.expect(s.out(ACK).seq(1).ack(12).len(0));
            s.assertState(TcpState.CLOSE_WAIT);
            assertArrayEquals(Script.bytes(0, 10), s.read(c));
            assertEquals(-1, c.read(ByteBuffer.allocate(4), 0));
        }

        @Test
        void shouldAckWhenDataIsOutsideWindow() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(ACK).seq(1 + 100_000).ack(1).data(10));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.inject(s.in(ACK).seq(1 - 20).ack(1).data(10));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            assertEquals(0, s.read(c).length);
        }

        @Test
        void shouldGoBackNWithOneSegmentAfterRto() throws Exception {
            TcpSocket c = establishWithRtt();
            long t = s.now();
            s.write(c, Script.bytes(3 * PEER_MSS));
            for (int i = 0; i < 3; i++) {
                s.expect(s.out(ACK).seq(1 + i * PEER_MSS).len(PEER_MSS));
            }
            s.advanceTo(t + RTO_NS);
            // RFC 5681 §3.1: after a timeout cwnd is one segment; RFC 6298 §5.4: the earliest segment goes again.
            s.expectAt(t + RTO_NS, s.out(ACK).seq(1).len(PEER_MSS));
            s.expectNothing();
            s.inject(s.in(ACK).seq(1).ack(1 + PEER_MSS));
            s.expect(s.out(ACK).seq(1 + PEER_MSS).len(PEER_MSS));
            s.expect(s.out(ACK).seq(1 + 2 * PEER_MSS).len(PEER_MSS));
            s.expectNothing();
        }

        @Test
        void shouldAdvertiseZeroWindowAndUpdateItWhenApplicationReads() throws Exception {
            TcpSocket c = s.establishActive();
            for (int i = 0; i < 4; i++) {
                s.inject(s.in(ACK).seq(1 + i * PEER_MSS).ack(1).data(PEER_MSS));
            }
            s.expect(s.out(ACK).ack(1 + 2 * PEER_MSS).win(2 * PEER_MSS));
            s.expect(s.out(ACK).ack(1 + 4 * PEER_MSS).win(0));
            s.expectNothing();
            // A segment beyond the zero window is not accepted; the answer repeats the window.
            s.inject(s.in(ACK).seq(1 + 4 * PEER_MSS).ack(1).data(10));
            s.expect(s.out(ACK).ack(1 + 4 * PEER_MSS).win(0));
            byte[] got = s.read(c);
            assertEquals(4 * PEER_MSS, got.length);
            s.expect(s.out(ACK).ack(1 + 4 * PEER_MSS).win(4 * PEER_MSS));
        }
    }

    @Nested
    class Reassembly {
        @Test
        void shouldConsumeQueuedFinWhenHoleIsFilled() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(FIN | ACK).seq(11).ack(1).payload(Script.bytes(10, 5)));
            s.expect(s.out(ACK).seq(1).ack(1));
            s.assertState(TcpState.ESTABLISHED);
            s.inject(s.in(ACK).seq(1).ack(1).data(10));
            s.expect(s.out(ACK).seq(1).ack(17));
            s.assertState(TcpState.CLOSE_WAIT);
            assertArrayEquals(Script.bytes(0, 15), s.read(c));
            assertEquals(-1, c.read(ByteBuffer.allocate(4), 0));
        }

        @Test
        void shouldSendDefaultMssSegmentsWhenSynHasNoMssOption() throws Exception {
            TcpSocket l = s.listen(4);
            s.usePeerPort(50_001);
            // RFC 9293 §3.7.1: no MSS option means 536 for IPv4.
            s.inject(s.in(SYN).seq(0));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.inject(s.in(ACK).seq(1).ack(1));
            TcpSocket child = l.accept(0);
            assertNotNull(child);
            s.write(child, Script.bytes(1000));
            s.expect(s.out(ACK).seq(1).len(536));
            // The short tail waits for the ACK (Nagle).
            s.expectNothing();
            s.inject(s.in(ACK).seq(1).ack(537));
            s.expect(s.out(ACK).seq(537).len(464));
        }
    }

    @Nested
    class CloseWait {
        @Test
        void shouldCloseWhenRstArrivesAtRcvNxt() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(FIN | ACK).seq(1).ack(1));
            s.expect(s.out(ACK).seq(1).ack(2));
            s.inject(s.in(RST).seq(2));
            s.expectNothing();
            assertNull(s.connection());
            // RFC 9293 §3.10.7.4 second step: in CLOSE-WAIT too, calls get "reset" - a send does; a receive, after
            // the FIN, sees end of stream first, as on Linux (whose socket layer the JDK's behaviour follows).
            assertEquals(-1, c.read(ByteBuffer.allocate(4), 0));
            SocketException e = assertThrows(SocketException.class, () -> c.write(ByteBuffer.wrap(new byte[] {1}), 0));
            assertEquals("Connection reset", e.getMessage());
        }
    }

    @Nested
    class FinWait2 {
        @Test
        void shouldDeliverAndAckDataWhenOnlyOutputIsShutDown() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(ACK).seq(1).ack(2));
            s.assertState(TcpState.FIN_WAIT_2);
            s.inject(s.in(ACK).seq(1).ack(2).data(PEER_MSS));
            s.inject(s.in(ACK).seq(1 + PEER_MSS).ack(2).data(PEER_MSS));
            s.expect(s.out(ACK).seq(2).ack(1 + 2 * PEER_MSS));
            assertEquals(2 * PEER_MSS, s.read(c).length);
            s.assertState(TcpState.FIN_WAIT_2);
        }
    }

    @Nested
    class FinWait1 {
        @Test
        void shouldRetransmitFinAtRto() throws Exception {
            TcpSocket c = establishWithRtt();
            long t = s.now();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.advanceTo(t + RTO_NS - 1);
            s.expectNothing();
            s.advanceTo(t + RTO_NS);
            s.expectAt(t + RTO_NS, s.out(FIN | ACK).seq(1).ack(1).len(0));
            s.inject(s.in(ACK).seq(1).ack(2));
            s.assertState(TcpState.FIN_WAIT_2);
        }
    }

    @Nested
    class LastAck {
        @Test
        void shouldRetransmitFinAtRtoAndCloseOnAck() throws Exception {
            TcpSocket c = establishWithRtt();
            s.inject(s.in(FIN | ACK).seq(1).ack(1));
            s.expect(s.out(ACK).seq(1).ack(2));
            long t = s.now();
            c.close();
            s.expect(s.out(FIN | ACK).seq(1).ack(2));
            s.assertState(TcpState.LAST_ACK);
            s.advanceTo(t + RTO_NS);
            s.expectAt(t + RTO_NS, s.out(FIN | ACK).seq(1).ack(2));
            s.inject(s.in(ACK).seq(2).ack(2));
            assertNull(s.connection());
        }
    }

    @Nested
    class Closing {
        @Test
        void shouldRetransmitFinWhenPeerDoesNotAckIt() throws Exception {
            TcpSocket c = establishWithRtt();
            long t = s.now();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(FIN | ACK).seq(1).ack(1));
            s.expect(s.out(ACK).seq(2).ack(2));
            s.assertState(TcpState.CLOSING);
            s.advanceTo(t + RTO_NS);
            s.expectAt(t + RTO_NS, s.out(FIN | ACK).seq(1).ack(2));
            s.inject(s.in(ACK).seq(2).ack(2));
            s.assertState(TcpState.TIME_WAIT);
        }
    }
}

package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.tcp.scripted.Script.PEER_MSS;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.FIN;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The RFC 9293 §3.3.2 state diagram, one transition at a time, segment by segment. */
class StateTransitionTest {
    private static final long TIME_WAIT_NS = 500 * MS;
    private final Script s =
            new Script(TcpConfig.builder().timeWaitNs(TIME_WAIT_NS).build());

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Nested
    class SynSent {
        @Test
        void shouldEnterEstablishedWhenSynAckAcknowledgesSyn() throws Exception {
            TcpSocket c = s.connect();
            s.assertState(TcpState.SYN_SENT);
            assertFalse(c.isConnected());
            s.inject(s.in(SYN | ACK).seq(0).ack(1).mss(PEER_MSS));
            s.expect(s.out(ACK).seq(1).ack(1).len(0).win(65535));
            s.assertState(TcpState.ESTABLISHED);
            assertTrue(c.finishConnect(0));
        }

        @Test
        void shouldEnterSynReceivedAndSendSynAckWhenSynArrives() throws Exception {
            TcpSocket c = s.connect();
            // Simultaneous open (RFC 9293 §3.5 figure 7).
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1).len(0));
            s.assertState(TcpState.SYN_RECEIVED);
            s.inject(s.in(ACK).seq(1).ack(1));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
            assertTrue(c.finishConnect(0));
        }

        @Test
        void shouldRefuseConnectWhenRstWithAcceptableAckArrives() throws Exception {
            TcpSocket c = s.connect();
            s.inject(s.in(RST | ACK).seq(0).ack(1));
            s.expectNothing();
            assertNull(s.connection());
            ConnectException e = assertThrows(ConnectException.class, () -> c.finishConnect(0));
            assertEquals("Connection refused", e.getMessage());
        }

        @Test
        void shouldIgnoreRstWhenItsAckIsUnacceptable() throws Exception {
            s.connect();
            s.inject(s.in(RST | ACK).seq(0).ack(5));
            s.expectNothing();
            s.assertState(TcpState.SYN_SENT);
        }

        @Test
        void shouldSendRstWhenSynAckHasBadAck() throws Exception {
            s.connect();
            // RFC 9293 §3.10.7.3: SEG.ACK =< ISS or > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, drop.
            s.inject(s.in(SYN | ACK).seq(0).ack(100).mss(PEER_MSS));
            s.expect(s.out(RST).seq(100).len(0));
            s.expectNothing();
            s.assertState(TcpState.SYN_SENT);
        }
    }

    @Nested
    class Listen {
        @Test
        void shouldGoThroughSynReceivedToEstablishedWhenHandshakeCompletes() throws Exception {
            TcpSocket l = s.listen(8);
            s.usePeerPort(50_001);
            s.inject(s.in(SYN).seq(0).mss(PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1).len(0).options(o -> o.mss() == 1460, "mss=1460"));
            s.assertState(TcpState.SYN_RECEIVED);
            assertNull(l.accept(0));
            s.inject(s.in(ACK).seq(1).ack(1));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
            TcpSocket child = l.accept(0);
            assertNotNull(child);
            assertTrue(child.isConnected());
        }

        @Test
        void shouldSendRstWhenAckArrivesAtListener() throws Exception {
            s.listen(8);
            s.usePeerPort(50_001);
            // RFC 9293 §3.10.7.2: an ACK in LISTEN gets <SEQ=SEG.ACK><CTL=RST>.
            s.inject(s.in(ACK).seq(0).absAck(12345));
            s.expectSegment(
                    seg -> seg.flags() == RST && seg.seq() == 12345 && seg.dstPort() == 50_001,
                    "[RST] seq=12345 to port 50001");
            assertNull(s.connection());
        }

        @Test
        void shouldIgnoreRstWhenListening() throws Exception {
            TcpSocket l = s.listen(8);
            s.usePeerPort(50_001);
            s.inject(s.in(RST).seq(0));
            s.inject(s.in(RST | ACK).seq(0).absAck(7));
            s.expectNothing();
            assertNull(s.connection());
            // Still listening.
            s.handshakePassive(50_002);
            assertNotNull(l.accept(0));
        }
    }

    @Nested
    class Closed {
        @Test
        void shouldSendRstWithSeqFromAckWhenSegmentWithAckArrivesAtClosedPort() {
            s.usePeerPort(50_001);
            s.inject(s.in(ACK).seq(10).absAck(0x1234_5678).dstPort(81).data(5));
            s.expectSegment(
                    seg -> seg.flags() == RST
                            && seg.seq() == 0x1234_5678
                            && seg.srcPort() == 81
                            && seg.payloadLength() == 0,
                    "[RST] seq=SEG.ACK");
            assertEquals(1, s.counter(Counter.TCP_DROP_NO_SOCKET));
        }

        @Test
        void shouldSendRstAckCoveringSegmentWhenSegmentWithoutAckArrivesAtClosedPort() {
            s.usePeerPort(50_001);
            // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count in SEG.LEN.
            s.inject(s.in(SYN).seq(0).dstPort(81));
            s.expectSegment(
                    seg -> seg.flags() == (RST | ACK) && seg.seq() == 0 && seg.ack() == s.peerIss() + 1,
                    "[RST|ACK] seq=0 ack=SEG.SEQ+1");
            s.inject(s.in(FIN).seq(10).dstPort(81).data(3));
            s.expectSegment(
                    seg -> seg.flags() == (RST | ACK) && seg.seq() == 0 && seg.ack() == s.peerIss() + 14,
                    "[RST|ACK] seq=0 ack=SEG.SEQ+3+1");
        }

        @Test
        void shouldNotAnswerRstWhenRstArrivesAtClosedPort() {
            s.usePeerPort(50_001);
            s.inject(s.in(RST).seq(0).dstPort(81));
            s.inject(s.in(RST | ACK).seq(0).ack(3).dstPort(81));
            s.expectNothing();
        }
    }

    @Nested
    class Established {
        @Test
        void shouldGoThroughFinWait1AndFinWait2ToTimeWaitWhenClosingActively() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1).len(0));
            s.assertState(TcpState.FIN_WAIT_1);
            s.inject(s.in(ACK).seq(1).ack(2));
            s.expectNothing();
            s.assertState(TcpState.FIN_WAIT_2);
            s.inject(s.in(FIN | ACK).seq(1).ack(2));
            s.expect(s.out(ACK).seq(2).ack(2));
            s.assertState(TcpState.TIME_WAIT);
            assertEquals(-1, c.read(ByteBuffer.allocate(8), 0));
            long t = s.now();
            s.advanceTo(t + TIME_WAIT_NS - 1);
            s.assertState(TcpState.TIME_WAIT);
            s.advanceTo(t + TIME_WAIT_NS);
            assertNull(s.connection());
            s.expectNothing();
        }

        @Test
        void shouldGoThroughCloseWaitAndLastAckToClosedWhenClosingPassively() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(FIN | ACK).seq(1).ack(1));
            s.expect(s.out(ACK).seq(1).ack(2));
            s.assertState(TcpState.CLOSE_WAIT);
            assertEquals(-1, c.read(ByteBuffer.allocate(8), 0));
            c.close();
            s.expect(s.out(FIN | ACK).seq(1).ack(2));
            s.assertState(TcpState.LAST_ACK);
            s.inject(s.in(ACK).seq(2).ack(2));
            s.expectNothing();
            assertNull(s.connection());
        }

        @Test
        void shouldGoThroughClosingToTimeWaitWhenBothCloseAtOnce() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            // The peer's FIN crossed ours: it does not acknowledge our FIN.
            s.inject(s.in(FIN | ACK).seq(1).ack(1));
            s.expect(s.out(ACK).seq(2).ack(2));
            s.assertState(TcpState.CLOSING);
            s.inject(s.in(ACK).seq(2).ack(2));
            s.expectNothing();
            s.assertState(TcpState.TIME_WAIT);
        }

        @Test
        void shouldEnterTimeWaitDirectlyWhenFinAcknowledgesOurFinInFinWait1() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.assertState(TcpState.FIN_WAIT_1);
            s.inject(s.in(FIN | ACK).seq(1).ack(2));
            s.expect(s.out(ACK).seq(2).ack(2));
            s.assertState(TcpState.TIME_WAIT);
        }
    }

    @Nested
    class TimeWait {
        @Test
        void shouldDeleteConnectionExactlyAtTimeWaitDeadline() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(FIN | ACK).seq(1).ack(2));
            long enteredNs = s.now();
            s.expect(s.out(ACK).seq(2).ack(2));
            s.advanceTo(enteredNs + TIME_WAIT_NS - 1);
            s.assertState(TcpState.TIME_WAIT);
            assertEquals(0, s.counter(Counter.TCP_TIME_WAIT_EXPIRED));
            s.advanceTo(enteredNs + TIME_WAIT_NS);
            assertNull(s.connection());
            assertEquals(1, s.counter(Counter.TCP_TIME_WAIT_EXPIRED));
        }

        @Test
        void shouldAckAndRestartTimerWhenFinIsRetransmitted() throws Exception {
            TcpSocket c = s.establishActive();
            c.shutdownOutput();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(FIN | ACK).seq(1).ack(2));
            s.expect(s.out(ACK).seq(2).ack(2));
            s.advance(TIME_WAIT_NS / 2);
            s.inject(s.in(FIN | ACK).seq(1).ack(2));
            long restartedNs = s.now();
            s.expect(s.out(ACK).seq(2).ack(2));
            s.advanceTo(restartedNs + TIME_WAIT_NS - 1);
            s.assertState(TcpState.TIME_WAIT);
            s.advanceTo(restartedNs + TIME_WAIT_NS);
            assertNull(s.connection());
        }
    }
}

package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.FIN;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Resets from the application side (RFC 9293 §3.10.5, RFC 1122 §4.2.2.13, RFC 2525 §2.17) and the backlog. */
class TerminationTest {
    private final Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Nested
    class Established {
        @Test
        void shouldSendRstWhenClosedWithUnreadData() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(ACK).seq(1).ack(1).data(10));
            c.close();
            // RFC 2525 §2.17: data lost to the application is signalled with a reset, not a FIN.
            s.expect(s.out(RST | ACK).seq(1).ack(11));
            s.expectNothing();
            assertNull(s.connection());
        }

        @Test
        void shouldSendRstWhenAborted() throws Exception {
            TcpSocket c = s.establishActive();
            s.write(c, Script.bytes(100));
            s.expect(s.out(ACK).seq(1).ack(1).len(100));
            c.abort();
            s.expect(s.out(RST | ACK).seq(101).ack(1).len(0));
            s.expectNothing();
            assertNull(s.connection());
        }
    }

    @Nested
    class FinWait1 {
        @Test
        void shouldSendRstWhenDataArrivesAfterClose() throws Exception {
            TcpSocket c = s.establishActive();
            c.close();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.assertState(TcpState.FIN_WAIT_1);
            s.inject(s.in(ACK).seq(1).ack(2).data(10));
            s.expect(s.out(RST | ACK).seq(2));
            s.expectNothing();
            assertNull(s.connection());
            assertEquals(1, s.counter(Counter.SOCKET_DATA_AFTER_CLOSE));
        }
    }

    @Nested
    class FinWait2 {
        @Test
        void shouldSendRstWhenDataArrivesAfterClose() throws Exception {
            TcpSocket c = s.establishActive();
            c.close();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(ACK).seq(1).ack(2));
            s.assertState(TcpState.FIN_WAIT_2);
            s.inject(s.in(ACK).seq(1).ack(2).data(10));
            s.expect(s.out(RST | ACK).seq(2));
            assertNull(s.connection());
        }
    }

    @Nested
    class Listen {
        @Test
        void shouldDropFinalAckOfHandshakeWhenAcceptQueueIsFull() throws Exception {
            // Linux with tcp_abort_on_overflow=0: the ACK completing a handshake while the accept queue is full is
            // ignored (no RST, the child stays in SYN-RECEIVED); a later ACK, once the application accepted, completes
            // it.
            TcpSocket l = s.listen(2);
            s.handshakePassive(50_001); // accept queue 1 of 2
            s.usePeerPort(50_002);
            s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            int issB = s.localIss();
            s.usePeerPort(50_003);
            s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            int issC = s.localIss();
            s.usePeerPort(50_002);
            s.inject(s.in(ACK).seq(1).absAck(issB + 1));
            s.assertState(TcpState.ESTABLISHED); // accept queue 2 of 2: full
            s.usePeerPort(50_003);
            s.inject(s.in(ACK).seq(1).absAck(issC + 1));
            s.expectNothing();
            s.assertState(TcpState.SYN_RECEIVED);
            assertEquals(1, s.counter(Counter.TCP_ACCEPT_QUEUE_OVERFLOW));
            assertNotNull(l.accept(0));
            s.poll();
            s.inject(s.in(ACK).seq(1).absAck(issC + 1));
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldDropSynWhenAcceptQueueIsFullAndAnswerAfterAccept() throws Exception {
            TcpSocket l = s.listen(2);
            s.handshakePassive(50_001);
            s.handshakePassive(50_002);
            s.usePeerPort(50_003);
            s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
            s.expectNothing();
            assertNull(s.connection());
            assertTrue(
                    s.counter(Counter.TCP_ACCEPT_QUEUE_OVERFLOW) + s.counter(Counter.TCP_SYN_QUEUE_OVERFLOW) >= 1,
                    "overflow counted");
            assertNotNull(l.accept(0));
            s.poll();
            // The peer retransmits its SYN; now there is room.
            s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.inject(s.in(ACK).seq(1).ack(1));
            s.assertState(TcpState.ESTABLISHED);
            assertNotNull(l.accept(0));
            assertNotNull(l.accept(0));
            assertNull(l.accept(0));
        }
    }
}

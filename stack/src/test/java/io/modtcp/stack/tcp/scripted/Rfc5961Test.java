package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** RFC 5961: blind reset, SYN and data injection defences, and the challenge ACK rate limit (§7). */
class Rfc5961Test {
    private Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    @Nested
    class Established {
        @Test
        void shouldResetConnectionWhenRstSeqEqualsRcvNxt() throws Exception {
            TcpSocket c = s.establishActive();
            s.inject(s.in(RST).seq(1));
            s.expectNothing();
            assertNull(s.connection());
            SocketException e = assertThrows(SocketException.class, () -> c.read(ByteBuffer.allocate(8), 0));
            assertEquals("Connection reset", e.getMessage());
            assertEquals(1, s.counter(Counter.TCP_ESTAB_RESETS));
        }

        @Test
        void shouldSendChallengeAckAndSurviveWhenRstIsInWindowButNotAtRcvNxt() throws Exception {
            TcpSocket c = s.establishActive();
            // RFC 5961 §3.2: in the window but not exactly RCV.NXT: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
            s.inject(s.in(RST).seq(1 + 1000));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
            assertEquals(1, s.counter(Counter.TCP_CHALLENGE_ACKS));
            // The connection still carries data.
            s.inject(s.in(ACK).seq(1).ack(1).data(10));
            assertEquals(10, s.read(c).length);
        }

        @Test
        void shouldDropRstSilentlyWhenOutOfWindow() throws Exception {
            s.establishActive();
            s.inject(s.in(RST).seq(1 + 70_000));
            s.inject(s.in(RST | ACK).seq(1 - 10).ack(1));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
            assertEquals(0, s.counter(Counter.TCP_CHALLENGE_ACKS));
        }

        @Test
        void shouldSendChallengeAckWhenSynArrives() throws Exception {
            s.establishActive();
            // RFC 5961 §4.2: any SYN in a synchronized state, in window or not.
            s.inject(s.in(SYN).seq(1 + 500));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            // Past the per-connection limit of one challenge ACK per 500 ms (Linux's tcp_invalid_ratelimit).
            s.advance(500 * MS);
            s.inject(s.in(SYN).seq(-12345));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.expectNothing();
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldSendAckAndDropSegmentWhenAckIsBeyondSndMax() throws Exception {
            TcpSocket c = s.establishActive();
            // RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5.2: SEG.ACK > SND.NXT: send an ACK, drop the segment.
            s.inject(s.in(ACK).seq(1).ack(100).data(10));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.expectNothing();
            assertEquals(0, s.read(c).length, "the data of a segment with an unacceptable ACK is dropped");
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldSendAckAndDropSegmentWhenAckIsOlderThanMaxSndWnd() throws Exception {
            TcpSocket c = s.establishActive();
            // RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND (65535 here) is discarded, and an ACK sent back.
            s.inject(s.in(ACK).seq(1).ack(1 - 65_535 - 10).data(10));
            s.expect(s.out(ACK).seq(1).ack(1).len(0));
            s.expectNothing();
            assertEquals(0, s.read(c).length, "the data of a segment with a too old ACK is dropped");
            // Just inside the bound: accepted as an old duplicate.
            s.inject(s.in(ACK).seq(1).ack(1 - 65_535).data(10));
            assertEquals(10, s.read(c).length);
        }
    }

    @Nested
    class RateLimit {
        @Test
        void shouldSendOneChallengeAckPerConnectionPer500Ms() throws Exception {
            s.establishActive();
            s.inject(s.in(RST).seq(1 + 100));
            s.expect(s.out(ACK).seq(1).ack(1));
            s.advance(100 * MS);
            s.inject(s.in(RST).seq(1 + 200));
            s.advance(300 * MS);
            s.inject(s.in(SYN).seq(1 + 300));
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_CHALLENGE_ACKS));
            assertEquals(2, s.counter(Counter.TCP_ACK_SKIPPED_CHALLENGE));
            s.advance(100 * MS); // 500 ms after the first
            s.inject(s.in(RST).seq(1 + 400));
            s.expect(s.out(ACK).seq(1).ack(1));
            assertEquals(2, s.counter(Counter.TCP_CHALLENGE_ACKS));
            s.assertState(TcpState.ESTABLISHED);
        }

        @Test
        void shouldSuppressChallengeAcksBeyondTheStackWideBudgetOfTheSecond() throws Exception {
            s.close();
            // A limit of 1: each second's budget is drawn from [1, 1], so the second connection's is suppressed.
            s = new Script(TcpConfig.builder().challengeAckLimitPerSecond(1).build());
            TcpSocket listener = s.listen(4);
            s.establishPassive(listener, 40_001);
            s.establishPassive(listener, 40_002);
            s.usePeerPort(40_001);
            s.inject(s.in(RST).seq(1 + 100));
            s.expectSegment(seg -> seg.has(ACK) && seg.dstPort() == 40_001, "challenge ACK to 40001");
            s.usePeerPort(40_002);
            s.inject(s.in(RST).seq(1 + 100));
            s.expectNothing();
            assertEquals(1, s.counter(Counter.TCP_CHALLENGE_ACKS_SUPPRESSED));
            s.advance(SEC);
            s.inject(s.in(RST).seq(1 + 200));
            s.expectSegment(seg -> seg.has(ACK) && seg.dstPort() == 40_002, "challenge ACK to 40002");
            assertEquals(2, s.counter(Counter.TCP_CHALLENGE_ACKS));
        }

        @Test
        void shouldRejectANonPositiveLimitNamingTheKey() {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> TcpConfig.builder().challengeAckLimitPerSecond(0).build());
            assertTrue(e.getMessage().contains("challengeAckLimitPerSecond"), e.getMessage());
        }
    }
}

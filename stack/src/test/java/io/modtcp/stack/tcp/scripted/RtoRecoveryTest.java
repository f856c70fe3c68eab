package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timeout on a SACK connection, rule by rule: the scoreboard survives it (RFC 6675 §5.1), only
 * segments not SACKed are resent, RACK (RFC 8985 §6.2) still finds lost retransmissions, and F-RTO (RFC 5682)
 * undoes a spurious timeout. The connection's RTT is 10 ms (SRTT 10 ms, RTO 200 ms: the minimum), no timestamps;
 * the initial window is ten segments.
 */
class RtoRecoveryTest {
    private static final int SEG = 1460;
    private static final long RTT = 10 * Script.MS;

    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    private TcpSocket establishWithSack() throws Exception {
        return s.establishActiveWithSack(RTT);
    }

    /** Writes {@code n} full segments; the first ten go out now (the initial window). */
    private TcpSocket sendSegments(int n) throws Exception {
        TcpSocket sock = establishWithSack();
        s.write(sock, Script.bytes(n * SEG));
        for (int i = 0; i < Math.min(n, 10); i++) {
            s.expect(s.out(ACK).seq(seg(i)).len(SEG));
        }
        s.expectNothing();
        return sock;
    }

    private static int seg(int i) {
        return 1 + i * SEG;
    }

    private TcpOptionSpec sack(int... relative) {
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < relative.length; i += 2) {
            blocks.add(new int[] {s.localIss() + relative[i], s.localIss() + relative[i + 1]});
        }
        return new TcpOptionSpec(-1, -1, false, false, 0, 0, blocks);
    }

    /**
     * Segments 0 and 5 lost, the others SACKed; their fast retransmissions are lost too and nothing sent after them
     * is delivered, so the RTO fires (200 ms after the first transmission).
     */
    private void loseTwoAndTheirRetransmissions() throws Exception {
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(seg(6), seg(10), seg(1), seg(5))));
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        s.expect(s.out(ACK).seq(seg(5)).len(SEG));
        s.expectNothing();
        s.advance(189 * Script.MS);
        s.expectNothing();
        assertEquals(0, s.counter(Counter.TCP_RTO_EXPIRIES));
        s.advance(Script.MS);
        assertEquals(1, s.counter(Counter.TCP_RTO_EXPIRIES));
    }

    @Test
    void shouldResendOnlyWhatIsNotSackedAfterAnRto() throws Exception {
        sendSegments(10);
        loseTwoAndTheirRetransmissions();
        // RFC 6675 §5.1: the scoreboard survives the timeout. cwnd = pipe + 1 SMSS (Linux's tcp_enter_loss): the first
        // hole goes again, nothing else yet.
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        s.expectNothing();
        assertTrue(s.connection().congestion().inLossRecovery());
        // Segment 0 arrives: the peer acknowledges up to the next hole and still SACKs 6..9. Slow start gives two
        // segments; only segment 5 is missing, so segment 5 alone goes (go-back-N would resend 5 and 6).
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(5)).options(sack(seg(6), seg(10))));
        s.expect(s.out(ACK).seq(seg(5)).len(SEG));
        s.expectNothing();
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(10)));
        s.expectNothing();
        assertFalse(s.connection().congestion().inLossRecovery());
        assertEquals(1, s.counter(Counter.TCP_RTO_EXPIRIES));
        assertEquals(4, s.counter(Counter.TCP_RETRANS_SEGS));
    }

    @Test
    void shouldDetectALostRetransmissionDuringRtoRecoveryByRackNotByAnotherRto() throws Exception {
        TcpSocket sock = sendSegments(10);
        loseTwoAndTheirRetransmissions();
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        s.write(sock, Script.bytes(2 * SEG));
        s.expectNothing();
        // cwnd two segments: the lost segment 5, then new data (segment 10).
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(5)).options(sack(seg(6), seg(10))));
        s.expect(s.out(ACK).seq(seg(5)).len(SEG));
        s.expect(s.out(ACK).seq(seg(10)).len(SEG));
        s.expectNothing();
        // Segment 10, sent after the retransmission of 5, is SACKed; 5 is not: RACK marks it lost at once (reo_wnd
        // is 0 in recovery) and it goes again, with the last new segment, long before the RTO.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(5)).options(sack(seg(10), seg(11), seg(6), seg(10))));
        s.expect(s.out(ACK).seq(seg(5)).len(SEG));
        s.expect(s.out(ACK).seq(seg(11)).len(SEG));
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_LOST_RETRANSMIT));
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(12)));
        assertEquals(1, s.counter(Counter.TCP_RTO_EXPIRIES));
        assertFalse(s.connection().congestion().inLossRecovery());
    }

    /**
     * Ten segments sent at 10 ms and no ACK: the tail-loss probe (the last segment again) at 30 ms, then the RTO at
     * 230 ms resends segment 0 (everything not SACKed is marked lost); two more segments are written.
     */
    private TcpSocket silenceUntilTheRto() throws Exception {
        TcpSocket sock = sendSegments(10);
        s.advance(2 * RTT);
        s.expect(s.out(ACK).seq(seg(9)).len(SEG));
        s.advance(199 * Script.MS);
        s.expectNothing();
        s.advance(Script.MS);
        s.expect(s.out(ACK).seq(seg(0)).len(SEG));
        assertEquals(1, s.counter(Counter.TCP_RTO_EXPIRIES));
        s.write(sock, Script.bytes(2 * SEG));
        s.expectNothing();
        return sock;
    }

    @Test
    void shouldUndoASpuriousRtoWithFrto() throws Exception {
        silenceUntilTheRto();
        // The delayed ACKs of the originals arrive. The first advances SND.UNA (it may be for the retransmission):
        // RFC 5682 §3 step 2b sends new data, not segments 1 and 2 again.
        s.advance(5 * Script.MS);
        s.inject(s.in(ACK).seq(1).ack(seg(1)));
        s.expect(s.out(ACK).seq(seg(10)).len(SEG));
        s.expect(s.out(ACK).seq(seg(11)).len(SEG));
        s.expectNothing();
        int cwndInRecovery = s.connection().congestion().cwnd();
        // The next acknowledges segment 1, never retransmitted: the originals arrived, the timeout was spurious
        // (step 3b). cwnd returns to what it was before the timeout; nothing is retransmitted.
        s.inject(s.in(ACK).seq(1).ack(seg(2)));
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_SPURIOUS_RTOS));
        assertFalse(s.connection().congestion().inLossRecovery());
        assertTrue(
                s.connection().congestion().cwnd() >= 10 * SEG,
                "cwnd " + s.connection().congestion().cwnd() + " (" + cwndInRecovery + " in recovery)");
        s.inject(s.in(ACK).seq(1).ack(seg(12)));
        s.expectNothing();
        // The probe and segment 0: nothing else went twice.
        assertEquals(2, s.counter(Counter.TCP_RETRANS_SEGS));
    }

    @Test
    void shouldNotUndoWhenTheLossWasReal() throws Exception {
        silenceUntilTheRto();
        // Segment 0's retransmission is acknowledged, nothing SACKed: SND.UNA advanced, so step 2b sends new data,
        // not the lost segments...
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(1)));
        s.expect(s.out(ACK).seq(seg(10)).len(SEG));
        s.expect(s.out(ACK).seq(seg(11)).len(SEG));
        s.expectNothing();
        // ...and a duplicate ACK SACKing only the new data shows that the originals 1..9 were lost (step 3a): no
        // undo; the segments marked lost go again, from the first hole.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(1)).options(sack(seg(10), seg(12))));
        s.expect(s.out(ACK).seq(seg(1)).len(SEG));
        s.expect(s.out(ACK).seq(seg(2)).len(SEG));
        s.expectNothing();
        assertEquals(0, s.counter(Counter.TCP_SPURIOUS_RTOS));
        assertTrue(s.connection().congestion().inLossRecovery());
        assertTrue(s.connection().congestion().cwnd() < 10 * SEG);
    }

    @Test
    void shouldTakeSackedOriginalsAfterAnRtoAsASpuriousTimeout() throws Exception {
        silenceUntilTheRto();
        // Segments 2 and 3 SACKed, never retransmitted: their originals arrived, so not everything sent before the
        // timeout was lost (RFC 5682 SACK-enhanced F-RTO; Linux's FLAG_ORIG_SACK_ACKED): undo.
        s.advance(RTT);
        s.inject(s.in(ACK).seq(1).ack(seg(1)).options(sack(seg(2), seg(4))));
        assertEquals(1, s.counter(Counter.TCP_SPURIOUS_RTOS));
        assertFalse(s.connection().congestion().inLossRecovery());
    }
}

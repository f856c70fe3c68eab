package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.PSH;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.SynCookieMode;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SYN cookies (RFC 4987 §3.6, as Linux's syncookies.c): a SYN that finds the SYN queue full is answered from a cookie
 * and leaves no state; the ACK with a valid cookie makes an established connection with the options the cookie (and
 * the timestamp echo) carried; forged and expired cookies are dropped and counted without a reset.
 */
class SynCookieTest {
    private Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    private void use(TcpConfig config) {
        s.close();
        s = new Script(config);
    }

    private static TcpOptionSpec opts(int mss, int ws, boolean sack, boolean ts, int tsVal, int tsEcr) {
        return new TcpOptionSpec(mss, ws, sack, ts, tsVal, tsEcr, List.of());
    }

    /** Fills the SYN queue of a backlog-1 listener with one half-open connection (peer port 50 001). */
    private TcpSocket listenWithFullSynQueue() throws Exception {
        TcpSocket l = s.listen(1);
        s.usePeerPort(50_001);
        s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        s.assertState(TcpState.SYN_RECEIVED);
        return l;
    }

    @Test
    void shouldAnswerWithCookieKeepingWindowScaleSackAndTimestampsWhenSynQueueIsFull() throws Exception {
        TcpSocket l = listenWithFullSynQueue();
        int connectionsBefore = s.connections().size();
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).win(65535).options(opts(1460, 7, true, true, 1000, 0)));
        SegmentSpec synAck =
                s.expectSegment(seg -> seg.has(SYN) && seg.has(ACK) && seg.ack() == s.peerIss() + 1, "cookie SYN-ACK");
        TcpOptionSpec o = synAck.options();
        assertEquals(1460, o.mss());
        assertTrue(o.windowScale() >= 0, "window scale offered: " + o);
        assertTrue(o.sackPermitted(), "SACK-permitted offered: " + o);
        assertTrue(o.timestamps() && o.tsEcr() == 1000, "timestamps echo the SYN's TSval: " + o);
        // Linux's cookie_init_timestamp: wscale 7 and SACK (bit 4) in the low 6 bits of TSval.
        assertEquals(7 | 16, o.tsVal() & 63);
        assertEquals(connectionsBefore, s.connections().size(), "a cookie keeps no state");
        assertNull(s.connection());
        assertEquals(1, s.counter(Counter.TCP_SYNCOOKIES_SENT));
        assertEquals(1, s.counter(Counter.TCP_SYN_QUEUE_OVERFLOW));

        int iss = synAck.seq();
        s.inject(s.in(ACK).seq(1).absAck(iss + 1).win(1000).options(opts(-1, -1, false, true, 1001, o.tsVal())));
        s.expectNothing();
        s.assertState(TcpState.ESTABLISHED);
        assertEquals(1, s.counter(Counter.TCP_SYNCOOKIES_RECV));
        TcpConnection c = s.connection();
        ConnectionView cv = c.connection();
        assertEquals(1460, cv.sendMss());
        assertTrue(cv.windowScaleOk());
        assertEquals(7, cv.peerWindowShift());
        assertEquals(7, c.flow().sndWndShift());
        assertTrue(cv.sackOk());
        assertTrue(cv.timestampsOk());
        assertEquals(iss, c.delivery().iss());

        // Data both ways, byte-exact; segments carry timestamps (1460 - 12 bytes of payload) and echo the peer.
        TcpSocket child = l.accept(0);
        assertNotNull(child, "the cookie connection is in the accept queue");
        s.write(child, Script.bytes(3000));
        SegmentSpec first = s.expectSegment(
                seg -> seg.seq() == iss + 1 && seg.payloadLength() == 1448, "first data segment of 1448 bytes");
        assertTrue(first.options().timestamps() && first.options().tsEcr() == 1001, "echo of the ACK's TSval");
        assertTrue(Integer.compareUnsigned(first.options().tsVal() - o.tsVal(), 1 << 30) < 0, "TSval not decreasing");
        s.inject(
                s.in(ACK | PSH).seq(1).absAck(iss + 1).win(1000).data(100).options(opts(-1, -1, false, true, 1002, 0)));
        assertArrayEquals(Script.bytes(0, 100), s.read(child));
    }

    @Test
    void shouldLoseAllOptionsButMssWithoutTimestamps() throws Exception {
        TcpSocket l = listenWithFullSynQueue();
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).options(opts(1400, 7, true, false, 0, 0)));
        TcpOptionSpec o = s.expect(s.out(SYN | ACK).seq(0).ack(1)).segment().options();
        // Linux clears the options of a cookie SYN-ACK without timestamps: only the MSS can be encoded.
        assertTrue(o.mss() > 0 && o.windowScale() < 0 && !o.sackPermitted() && !o.timestamps(), "MSS only: " + o);
        s.inject(s.in(ACK).seq(1).ack(1));
        s.assertState(TcpState.ESTABLISHED);
        ConnectionView cv = s.connection().connection();
        assertEquals(1300, cv.sendMss(), "1400 rounds down to the table's 1300");
        assertFalse(cv.windowScaleOk() || cv.sackOk() || cv.timestampsOk());
        TcpSocket child = l.accept(0);
        assertNotNull(child);
        s.write(child, Script.bytes(2000));
        s.expect(s.out(ACK).seq(1).ack(1).len(1300).payload(Script.bytes(0, 1300)));
        s.inject(s.in(ACK).seq(1).ack(1301)); // Nagle holds the 700-byte tail until then
        s.expect(s.out(ACK).seq(1301).ack(1).len(700).payload(Script.bytes(1300, 700)));
    }

    @Test
    void shouldDropForgedCookieWithoutReset() throws Exception {
        listenWithFullSynQueue();
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        int connections = s.connections().size();
        // The SYN offered MSS 1460, index 3 of 4: ISS+1 or ISS-4 leave the table, ISS + 2^24 another period. (ISS-1
        // would validate with index 2, as on Linux: the index is added to the hash, only the hash is secret.)
        for (int delta : new int[] {1, -4, 1 << 24, 12345}) {
            s.inject(s.in(ACK).seq(1).ack(1 + delta));
        }
        s.usePeerPort(50_003); // never sent a SYN
        s.inject(s.in(ACK).seq(1).absAck(0x1234_5678));
        s.expectNothing();
        assertEquals(5, s.counter(Counter.TCP_SYNCOOKIES_FAILED));
        assertEquals(0, s.counter(Counter.TCP_SYNCOOKIES_RECV));
        assertEquals(0, s.counter(Counter.TCP_OUT_RSTS));
        assertEquals(connections, s.connections().size());
    }

    @Test
    void shouldAcceptCookieOfThePreviousPeriodAndDropAnOlderOne() throws Exception {
        use(TcpConfig.builder().synCookies(SynCookieMode.ALWAYS).build());
        s.listen(10);
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        assertNull(s.connection(), "always: no SYN-queue entry at all");
        s.advance(64 * Script.SEC); // the next cookie period: still valid
        s.usePeerPort(50_003);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        s.advance(128 * Script.SEC + 1); // two periods later: too old
        s.inject(s.in(ACK).seq(1).ack(1));
        s.expectNothing();
        assertNull(s.connection());
        assertEquals(1, s.counter(Counter.TCP_SYNCOOKIES_FAILED));
    }

    @Test
    void shouldAcceptCookieWithinTwoPeriods() throws Exception {
        use(TcpConfig.builder().synCookies(SynCookieMode.ALWAYS).build());
        s.listen(10);
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        s.advance(100 * Script.SEC);
        s.inject(s.in(ACK).seq(1).ack(1));
        s.assertState(TcpState.ESTABLISHED);
        assertEquals(1, s.counter(Counter.TCP_SYNCOOKIES_RECV));
    }

    @Test
    void shouldDropValidCookieAckWhileAcceptQueueIsFull() throws Exception {
        use(TcpConfig.builder().synCookies(SynCookieMode.ALWAYS).build());
        TcpSocket l = s.listen(1);
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).mss(1460));
        int cookieA = s.expect(s.out(SYN | ACK).seq(0).ack(1)).segment().seq();
        s.usePeerPort(50_003);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        s.inject(s.in(ACK).seq(1).ack(1));
        s.assertState(TcpState.ESTABLISHED); // accept queue 1 of 1
        // A valid cookie whose child cannot be queued: dropped, no reset; the peer's retransmission gets in later.
        s.usePeerPort(50_002);
        s.inject(s.in(ACK).seq(1).absAck(cookieA + 1));
        s.expectNothing();
        assertNull(s.connection());
        assertEquals(1, s.counter(Counter.TCP_ACCEPT_QUEUE_OVERFLOW));
        assertEquals(0, s.counter(Counter.TCP_SYNCOOKIES_FAILED));
        // A SYN while the accept queue is full is dropped too, cookies or not (Linux's tcp_conn_request).
        s.usePeerPort(50_004);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expectNothing();
        assertEquals(2, s.counter(Counter.TCP_ACCEPT_QUEUE_OVERFLOW));
        assertNotNull(l.accept(0));
        s.poll();
        s.usePeerPort(50_002);
        s.inject(s.in(ACK).seq(1).absAck(cookieA + 1));
        s.assertState(TcpState.ESTABLISHED);
    }

    @Test
    void shouldKeepOldBehaviourWhenCookiesAreOff() throws Exception {
        use(TcpConfig.builder().synCookies(SynCookieMode.OFF).build());
        listenWithFullSynQueue();
        s.usePeerPort(50_002);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expectNothing();
        assertNull(s.connection());
        assertEquals(1, s.counter(Counter.TCP_SYN_QUEUE_OVERFLOW));
        assertEquals(0, s.counter(Counter.TCP_SYNCOOKIES_SENT));
        // An ACK that matches nothing is reset, as RFC 9293 §3.10.7.2 says.
        s.inject(s.in(ACK).seq(1).absAck(1000));
        s.expect(s.out(RST).seq(1000 - 0).len(0));
        assertEquals(0, s.counter(Counter.TCP_SYNCOOKIES_FAILED));
    }

    @Test
    void shouldResetStrayAckInAutoModeWhenNoCookieWasSentRecently() throws Exception {
        s.listen(5);
        s.usePeerPort(50_002);
        s.inject(s.in(ACK).seq(1).absAck(1000));
        s.expect(s.out(RST).len(0));
        assertEquals(0, s.counter(Counter.TCP_SYNCOOKIES_FAILED));
    }

    @Test
    void shouldBoundSynQueueBySynBacklog() throws Exception {
        use(TcpConfig.builder().synBacklog(2).build());
        s.listen(100);
        for (int port = 50_001; port <= 50_002; port++) {
            s.usePeerPort(port);
            s.inject(s.in(SYN).seq(0).mss(1460));
            s.expect(s.out(SYN | ACK).seq(0).ack(1));
            s.assertState(TcpState.SYN_RECEIVED);
        }
        s.usePeerPort(50_003);
        s.inject(s.in(SYN).seq(0).mss(1460));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        assertNull(s.connection(), "the third SYN got a cookie");
        assertEquals(1, s.counter(Counter.TCP_SYNCOOKIES_SENT));
    }

    @Test
    void shouldDropHalfOpenConnectionAfterSynAckRetries() throws Exception {
        listenWithFullSynQueue();
        long start = s.now();
        // Linux's tcp_synack_retries = 5: SYN-ACK again at 1, 3, 7, 15 and 31 s; the entry goes at 63 s.
        for (long at : new long[] {1, 3, 7, 15, 31}) {
            s.advanceTo(start + at * Script.SEC);
            s.expectAt(start + at * Script.SEC, s.out(SYN | ACK).seq(0).ack(1));
        }
        s.advanceTo(start + 62 * Script.SEC);
        s.assertState(TcpState.SYN_RECEIVED);
        s.advanceTo(start + 64 * Script.SEC);
        s.expectNothing();
        assertNull(s.connection());
    }
}

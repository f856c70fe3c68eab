package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SACK (RFC 2018, RFC 2883) blocks the stack generates, and RFC 6675's choice of what to retransmit. */
class SackTest {
    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    /** Active open with SACK-permitted from the peer (no timestamps, no window scaling). */
    private TcpSocket establishWithSack() throws Exception {
        // a 10 ms RTT, so that RACK's reordering window (min_RTT/4) is not zero
        return s.establishActiveWithSack(10 * Script.MS);
    }

    private static TcpOptionSpec sackOk() {
        return new TcpOptionSpec(1460, -1, true, false, 0, 0, List.of());
    }

    /** An ACK from the peer whose SACK blocks are given relative to the stack's ISS, as left, right pairs. */
    private TcpOptionSpec sack(int... relative) {
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < relative.length; i += 2) {
            blocks.add(new int[] {s.localIss() + relative[i], s.localIss() + relative[i + 1]});
        }
        return new TcpOptionSpec(-1, -1, false, false, 0, 0, blocks);
    }

    /** Peer-relative block check: blocks the stack reports, as peer-relative [left, right) pairs. */
    private boolean blocksAre(TcpOptionSpec o, int... relative) {
        if (o.sackBlocks().size() * 2 != relative.length) {
            return false;
        }
        for (int i = 0; i < o.sackBlocks().size(); i++) {
            int[] b = o.sackBlocks().get(i);
            if (b[0] - s.peerIss() != relative[2 * i] || b[1] - s.peerIss() != relative[2 * i + 1]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldReportOutOfOrderDataMostRecentBlockFirst() throws Exception {
        establishWithSack();
        // Bytes 1..100 are missing; 101..200 then 301..400 arrive.
        s.inject(s.in(ACK | PSH).seq(101).ack(1).data(100));
        s.expect(s.out(ACK).ack(1).options(o -> blocksAre(o, 101, 201), "sack 101-201"));
        s.inject(s.in(ACK | PSH).seq(301).ack(1).data(100));
        s.expect(s.out(ACK).ack(1).options(o -> blocksAre(o, 301, 401, 101, 201), "sack 301-401, 101-201"));
        // An older block refreshed moves to the front (RFC 2018 §4: the block with the latest segment first).
        s.inject(s.in(ACK | PSH).seq(201).ack(1).data(50));
        s.expect(s.out(ACK).ack(1).options(o -> blocksAre(o, 101, 251, 301, 401), "sack 101-251, 301-401"));
        // The hole fills: no more blocks.
        s.inject(s.in(ACK | PSH).seq(1).ack(1).data(100));
        s.expect(s.out(ACK).ack(251).options(o -> blocksAre(o, 301, 401), "sack 301-401"));
    }

    @Test
    void shouldReportDuplicateSegmentWithDsack() throws Exception {
        establishWithSack();
        s.inject(s.in(ACK | PSH).seq(1).ack(1).data(100));
        s.inject(s.in(ACK | PSH).seq(101).ack(1).data(100));
        s.advance(Script.SEC); // the delayed ACK
        s.expect(s.out(ACK).ack(201).options(TcpOptionSpec::isEmpty, "no sack"));
        // The same bytes again: RFC 2883 §4, the first block reports the duplicate.
        s.inject(s.in(ACK | PSH).seq(1).ack(1).data(100));
        s.expect(s.out(ACK).ack(201).options(o -> blocksAre(o, 1, 101), "d-sack 1-101"));
        // Linux's TCPDSACKOldSent, not an out-of-window drop (a peer's spurious retransmission is no attack).
        assertEquals(1, s.counter(Counter.TCP_DSACK_OLD_SENT));
        assertEquals(0, s.counter(Counter.TCP_DROP_OUT_OF_WINDOW));
    }

    @Test
    void shouldReportThePartBelowRcvNxtOfAPartlyOldSegmentWithDsack() throws Exception {
        establishWithSack();
        s.inject(s.in(ACK | PSH).seq(1).ack(1).data(100));
        s.advance(Script.SEC);
        s.expect(s.out(ACK).ack(101));
        // [51, 151): the first 50 bytes are a duplicate (RFC 2883 §4; Linux's tcp_data_queue).
        s.inject(s.in(ACK | PSH).seq(51).ack(1).data(100));
        s.advance(Script.SEC);
        s.expect(s.out(ACK).ack(151).options(o -> blocksAre(o, 51, 101), "d-sack 51-101"));
        assertEquals(1, s.counter(Counter.TCP_DSACK_OLD_SENT));
    }

    @Test
    void shouldReportADuplicateOfHeldOutOfOrderDataWithDsack() throws Exception {
        establishWithSack();
        s.inject(s.in(ACK | PSH).seq(101).ack(1).data(100));
        s.expect(s.out(ACK).ack(1).options(o -> blocksAre(o, 101, 201), "sack 101-201"));
        // The same out-of-order bytes again: the D-SACK block first, then the block that holds it (RFC 2883 §4.2).
        s.inject(s.in(ACK | PSH).seq(101).ack(1).data(100));
        s.expect(s.out(ACK).ack(1).options(o -> blocksAre(o, 101, 201, 101, 201), "d-sack 101-201, sack 101-201"));
        assertEquals(1, s.counter(Counter.TCP_DSACK_OFO_SENT));
        assertEquals(0, s.counter(Counter.TCP_DSACK_OLD_SENT));
    }

    @Test
    void shouldCountADsackAboveTheCumulativeAckAsOfoRecv() throws Exception {
        TcpSocket sock = establishWithSack();
        int seg = 1460;
        s.write(sock, Script.bytes(4 * seg));
        for (int i = 0; i < 4; i++) {
            s.expect(s.out(ACK).seq(1 + i * seg).len(seg));
        }
        // The peer got segment 2 twice while segment 0 is missing: the first block lies inside the second, above
        // the cumulative ACK (RFC 2883 §4 case 2).
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + 2 * seg, 1 + 3 * seg, 1 + seg, 1 + 4 * seg)));
        assertEquals(1, s.counter(Counter.TCP_DSACK_OFO_RECV));
        assertEquals(0, s.counter(Counter.TCP_DSACK_RECV));
        // A duplicate below the cumulative ACK is the other counter.
        s.inject(s.in(ACK).seq(1).ack(1 + 4 * seg).options(sack(1, 1 + seg)));
        assertEquals(1, s.counter(Counter.TCP_DSACK_RECV));
        assertEquals(1, s.counter(Counter.TCP_DSACK_OFO_RECV));
    }

    @Test
    void shouldRetransmitOnlyTheLostSegmentsChosenByNextSeg() throws Exception {
        TcpSocket sock = establishWithSack();
        s.write(sock, Script.bytes(10 * 1460));
        for (int i = 0; i < 10; i++) {
            s.expect(s.out(ACK).seq(1 + i * 1460).len(1460));
        }
        int seg = 1460;
        s.advance(10 * Script.MS);
        // Segment 0 lost, 1..3 arrived: with three SACKed segments and no reordering seen, RACK's reordering window
        // is 0 (RFC 8985 §6.2 step 4) and segment 0 is lost; before that, RACK waits min_RTT/4.
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + seg, 1 + 2 * seg)));
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + seg, 1 + 3 * seg)));
        s.expectNothing();
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + seg, 1 + 4 * seg)));
        s.expect(s.out(ACK).seq(1).len(seg));
        // Segment 4 is missing too, 5..7 arrive: in recovery the reordering window is 0, it is lost and is the next
        // to go; segment 0 is not resent.
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + 5 * seg, 1 + 6 * seg, 1 + seg, 1 + 4 * seg)));
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + 5 * seg, 1 + 7 * seg, 1 + seg, 1 + 4 * seg)));
        s.inject(s.in(ACK).seq(1).ack(1).options(sack(1 + 5 * seg, 1 + 8 * seg, 1 + seg, 1 + 4 * seg)));
        s.expect(s.out(ACK).seq(1 + 4 * seg).len(seg));
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_SACK_RECOVERIES));
        assertEquals(2, s.counter(Counter.TCP_SACK_RETRANSMITS));
        // The repairs arrive: everything is acknowledged and recovery ends.
        s.inject(s.in(ACK).seq(1).ack(1 + 10 * seg));
        assertEquals(false, s.connection().congestion().inFastRecovery());
    }
}

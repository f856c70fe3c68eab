package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RACK's per-segment records (RFC 8985 §6.1) where the scripted tests cannot reach: super-segments. */
class RackTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldSplitASuperSegmentResentOneMssAtATimeSoThatTheRestStaysLost() {
        Rack rack = new Rack();
        // One 4,000-byte TSO segment at 1 ms, then the timeout marks it lost.
        rack.onSent(100, 4000, 100, MS);
        assertEquals(1, rack.onTimeoutMarkLost(300 * MS, 4100, false));
        // The first 1,000 bytes go again: they are in flight; [1100, 4100) is still lost and waits its turn.
        rack.onSent(100, 1000, 4100, 301 * MS);
        assertEquals(2, rack.records());
        int lost = rack.firstLost(100);
        assertEquals(1100, rack.start(lost));
        assertEquals(4100, rack.end(lost));
        assertEquals(1000, rack.pipe(100));
        // The middle 1,000 bytes: three records, the last still lost.
        rack.onSent(1100, 1000, 4100, 302 * MS);
        assertEquals(3, rack.records());
        lost = rack.firstLost(100);
        assertEquals(2100, rack.start(lost));
        assertEquals(4100, rack.end(lost));
        assertEquals(2000, rack.pipe(100));
    }

    @Test
    void shouldSplitASuperSegmentSackedInPartSoThatOnlyTheHoleIsLost() {
        Rack rack = new Rack();
        rack.onSent(100, 4000, 100, MS);
        rack.onSent(4100, 1000, 4100, 2 * MS);
        // One packet of the super-segment, [1100, 2100), was lost; the peer SACKs the rest and the next segment.
        rack.onSacked(100, 1100, 11 * MS);
        rack.onSacked(2100, 5100, 12 * MS);
        assertEquals(4, rack.records());
        assertEquals(1000, rack.pipe(100));
        // RACK: the segment sent at 2 ms was delivered, so the hole (sent at 1 ms) is lost once RACK.rtt passed.
        assertEquals(1, rack.detectLoss(12 * MS, true, 10 * MS));
        int lost = rack.firstLost(100);
        assertEquals(1100, rack.start(lost));
        assertEquals(2100, rack.end(lost));
        assertEquals(0, rack.pipe(100));
    }
}

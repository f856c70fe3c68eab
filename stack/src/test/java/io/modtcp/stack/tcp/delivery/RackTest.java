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
}

package io.modtcp.stack.tcp.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SegmentSizingTest {
    private static final int MSS = 1448;
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;

    @Test
    void shouldTakeTheWholeGsoLimitWhenTheRttIsUnderHalfAMillisecond() {
        // Linux tcp_tso_autosize: min_rtt_us >> 9 == 0 adds gso_max_size in full.
        assertEquals(45 * MSS, SegmentSizing.tsoGoal(MSS, 10 * MSS, Integer.MAX_VALUE, 100 * US));
        assertEquals(45 * MSS, SegmentSizing.MAX_TSO_PAYLOAD / MSS * MSS);
    }

    @Test
    void shouldTakeTheGsoLimitWhenNoRttIsKnown() {
        assertEquals(45 * MSS, SegmentSizing.tsoGoal(MSS, 10 * MSS, Integer.MAX_VALUE, 0));
    }

    @Test
    void shouldSizeToAboutOneMillisecondOfDataOnALongPath() {
        // 100 ms RTT, cwnd 100 segments, congestion avoidance (ratio 1.2): rate = 144,800 B / 0.1 s * 1.2 =
        // 1,737,600 B/s; >> 10 = 1,696 B; plus 65,536 >> (100,000 >> 9 = 195: none) = 1 segment, raised to 2.
        assertEquals(2 * MSS, SegmentSizing.tsoGoal(MSS, 100 * MSS, 50 * MSS, 100 * MS));
        // 100 times the window: 100 segments' worth per millisecond is capped by the GSO limit.
        assertEquals(45 * MSS, SegmentSizing.tsoGoal(MSS, 10_000 * MSS, 50 * MSS, 100 * MS));
    }

    @Test
    void shouldDoubleTheRateInSlowStart() {
        // 2 ms RTT (>> 9 = 3: 65,536 >> 3 = 8,192 B), cwnd 40 segments = 57,920 B.
        // Congestion avoidance: 57,920 / 0.002 * 1.2 >> 10 = 33,937 B, + 8,192 = 42,129 B: 29 segments.
        assertEquals(29 * MSS, SegmentSizing.tsoGoal(MSS, 40 * MSS, 40 * MSS, 2 * MS));
        // Slow start (cwnd < ssthresh / 2): ratio 2: 56,562 + 8,192 = 64,754 B: 44 segments.
        assertEquals(44 * MSS, SegmentSizing.tsoGoal(MSS, 40 * MSS, 100 * MSS, 2 * MS));
    }

    @Test
    void shouldNeverGoBelowOneSegmentWhenTheMssIsHuge() {
        assertEquals(60_000, SegmentSizing.tsoGoal(60_000, 120_000, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SegmentSizing.tsoGoal(0, 1, 1, 1));
    }

    @Test
    void shouldBeMinOfMssUnsentAndUsableWhenTheGoalIsOneMss() {
        assertEquals(MSS, SegmentSizing.length(MSS, MSS, 10 * MSS, 10 * MSS));
        assertEquals(100, SegmentSizing.length(MSS, MSS, 100, 10 * MSS));
        assertEquals(700, SegmentSizing.length(MSS, MSS, 10 * MSS, 700));
        assertEquals(0, SegmentSizing.length(MSS, MSS, 10 * MSS, 0));
    }

    @Test
    void shouldCutToWholeSegmentsUnlessItIsTheTail() {
        int goal = 45 * MSS;
        // Window-limited in the middle of the data: whole segments only (tcp_mss_split_point).
        assertEquals(3 * MSS, SegmentSizing.length(goal, MSS, 100 * MSS, 3 * MSS + 500));
        // The tail of the unsent data goes whole, its last segment short.
        assertEquals(3 * MSS + 500, SegmentSizing.length(goal, MSS, 3 * MSS + 500, 100 * MSS));
        // Goal-limited: a multiple of the MSS already.
        assertEquals(goal, SegmentSizing.length(goal, MSS, 100 * MSS, 100 * MSS));
        // Less than one MSS usable: what fits (Nagle and SWS avoidance decide whether it goes).
        assertEquals(500, SegmentSizing.length(goal, MSS, 100 * MSS, 500));
    }
}

package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SackScoreboardTest {
    @Test
    void shouldKeepRangesSortedAndMergedAsItGrows() {
        SackScoreboard b = new SackScoreboard();
        assertTrue(b.isEmpty());
        // Ten disjoint ranges, added from the top down: the arrays grow past their first capacity.
        for (int i = 9; i >= 0; i--) {
            assertEquals(10, b.add(1000 + 100 * i, 1010 + 100 * i));
        }
        assertEquals(10, b.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(1000 + 100 * i, b.start(i));
            assertEquals(1010 + 100 * i, b.end(i));
        }
        // One range covering the first three merges them.
        assertEquals(200 - 30 + 10, b.add(1000, 1210));
        assertEquals(8, b.size());
        assertEquals(1000, b.start(0));
        assertEquals(1210, b.end(0));
        assertTrue(b.isSacked(1100));
        assertFalse(b.isSacked(1250));
    }

    @Test
    void shouldDropTheHighestRangeWhenFull() {
        SackScoreboard b = new SackScoreboard();
        for (int i = 0; i < SackScoreboard.MAX_RANGES; i++) {
            b.add(100 * i, 100 * i + 10);
        }
        assertEquals(SackScoreboard.MAX_RANGES, b.size());
        int highest = b.start(SackScoreboard.MAX_RANGES - 1);
        // A new lowest range (5 bytes) pushes out the highest (10 bytes).
        assertEquals(5 - 10, b.add(-50, -45));
        assertEquals(SackScoreboard.MAX_RANGES, b.size());
        assertEquals(-50, b.start(0));
        assertFalse(b.isSacked(highest));
        // A new range above all of them is not kept.
        assertEquals(0, b.add(1_000_000, 1_000_010));
        assertEquals(SackScoreboard.MAX_RANGES, b.size());
    }
}

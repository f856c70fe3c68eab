package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SeqTest {

    @Property
    void shouldOrderForwardWhenDistanceBelowHalfTheSpace(
            @ForAll int a, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 1) int d) {
        int b = Seq.add(a, d);
        assertTrue(Seq.lt(a, b));
        assertTrue(Seq.leq(a, b));
        assertTrue(Seq.gt(b, a));
        assertTrue(Seq.geq(b, a));
        // antisymmetry
        assertFalse(Seq.lt(b, a));
        assertFalse(Seq.gt(a, b));
        assertFalse(Seq.geq(a, b));
        assertEquals(b, Seq.max(a, b));
        assertEquals(b, Seq.max(b, a));
        assertEquals(a, Seq.min(a, b));
        assertEquals(a, Seq.min(b, a));
    }

    @Property
    void shouldBeReflexiveWhenEqual(@ForAll int a) {
        assertTrue(Seq.leq(a, a));
        assertTrue(Seq.geq(a, a));
        assertFalse(Seq.lt(a, a));
        assertFalse(Seq.gt(a, a));
        assertEquals(a, Seq.max(a, a));
        assertEquals(a, Seq.min(a, a));
    }

    @Property
    void shouldInvertAddWhenSubtracting(@ForAll int a, @ForAll int n) {
        assertEquals(n, Seq.sub(Seq.add(a, n), a));
        assertEquals(a, Seq.add(Seq.sub(a, n), n));
        assertEquals(a, Seq.add(n, Seq.sub(a, n)));
    }

    @Property
    void shouldContainExactlyTheWindowWhenInWindow(
            @ForAll int start,
            @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int len,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int k) {
        // start + k is inside iff k < len
        assertEquals(k < len, Seq.inWindow(Seq.add(start, k), start, len));
        assertTrue(Seq.inWindow(start, start, len));
        assertTrue(Seq.inWindow(Seq.add(start, len - 1), start, len));
        assertFalse(Seq.inWindow(Seq.add(start, len), start, len));
        assertFalse(Seq.inWindow(Seq.add(start, -1), start, len));
    }

    @Property
    void shouldContainNothingWhenWindowEmpty(@ForAll int seq, @ForAll int start) {
        assertFalse(Seq.inWindow(seq, start, 0));
    }

    @Example
    void shouldCompareAcrossTheWrapWhenNearMaxUnsigned() {
        int a = 0xffff_fff0;
        int b = 0x0000_0010;
        assertTrue(Seq.lt(a, b));
        assertEquals(0x20, Seq.sub(b, a));
        assertEquals(-0x20, Seq.sub(a, b));
        assertTrue(Seq.inWindow(0x0000_0005, a, 0x20));
        assertTrue(Seq.inWindow(0xffff_fffe, a, 0x20));
        assertFalse(Seq.inWindow(b, a, 0x20));
        assertEquals(b, Seq.max(a, b));
        assertEquals(a, Seq.min(a, b));
    }
}

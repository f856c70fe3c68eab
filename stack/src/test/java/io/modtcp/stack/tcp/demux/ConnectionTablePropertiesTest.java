package io.modtcp.stack.tcp.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** {@link ConnectionTable} against a {@link HashMap} model over random put/remove/get sequences. */
class ConnectionTablePropertiesTest {
    private record Tuple(long lh, long ll, int lp, long rh, long rl, int rp) {}

    private static Tuple randomTuple(SplittableRandom rnd, int addresses, int ports) {
        // Few distinct values, so tuples repeat (replace, remove of present keys) and probe chains form.
        return new Tuple(
                rnd.nextInt(2),
                0x0000_ffff_0a00_0000L + rnd.nextInt(addresses),
                1 + rnd.nextInt(ports),
                rnd.nextInt(2),
                0x0000_ffff_0a00_0000L + rnd.nextInt(addresses),
                65535 - rnd.nextInt(ports));
    }

    @Property(tries = 300)
    void shouldAgreeWithHashMapWhenRandomOperations(
            @ForAll long seed,
            @ForAll long hashSeed,
            @ForAll @IntRange(min = 1, max = 8) int addresses,
            @ForAll @IntRange(min = 1, max = 40) int ports,
            @ForAll @IntRange(min = 1, max = 2000) int steps) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ConnectionTable<Integer> table = new ConnectionTable<>(hashSeed, 1);
        Map<Tuple, Integer> model = new HashMap<>();
        for (int step = 0; step < steps; step++) {
            Tuple t = randomTuple(rnd, addresses, ports);
            int op = rnd.nextInt(10);
            if (op < 5) {
                Integer value = step;
                assertEquals(model.put(t, value), table.put(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp, value));
            } else if (op < 8) {
                assertEquals(model.remove(t), table.remove(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp));
            } else {
                assertEquals(model.get(t), table.get(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp));
            }
            assertEquals(model.size(), table.size());
        }
        // After all the backward shifts, every key left must still be found, and nothing else.
        for (Map.Entry<Tuple, Integer> e : model.entrySet()) {
            Tuple t = e.getKey();
            assertEquals(e.getValue(), table.get(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp));
        }
        assertEquals(new HashSet<>(model.values()), new HashSet<>(table.values()));
    }

    /** A constant hash seed with a tiny table: many entries share home slots, and removal must keep chains whole. */
    @Property(tries = 200)
    void shouldFindEveryKeyWhenRemovingFromDenseTable(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 200) int count) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ConnectionTable<Integer> table = new ConnectionTable<>(0, 16);
        Map<Tuple, Integer> model = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Tuple t = new Tuple(0, 0x0000_ffff_0a00_0001L, 80, 0, 0x0000_ffff_0a00_0002L, 1024 + i);
            model.put(t, i);
            table.put(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp, i);
        }
        Tuple[] keys = model.keySet().toArray(new Tuple[0]);
        for (int i = 0; i < keys.length; i++) {
            int j = i + rnd.nextInt(keys.length - i);
            Tuple tmp = keys[i];
            keys[i] = keys[j];
            keys[j] = tmp;
        }
        for (Tuple victim : keys) {
            assertEquals(
                    model.remove(victim),
                    table.remove(victim.lh, victim.ll, victim.lp, victim.rh, victim.rl, victim.rp));
            assertNull(table.get(victim.lh, victim.ll, victim.lp, victim.rh, victim.rl, victim.rp));
            for (Map.Entry<Tuple, Integer> e : model.entrySet()) {
                Tuple t = e.getKey();
                assertEquals(e.getValue(), table.get(t.lh, t.ll, t.lp, t.rh, t.rl, t.rp));
            }
        }
        assertEquals(0, table.size());
    }

    @Example
    void shouldHoldManyEntriesWhenGrown() {
        ConnectionTable<Object> table = new ConnectionTable<>(42, 16);
        Object[] values = new Object[20_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = new Object();
            table.put(
                    0,
                    0x0000_ffff_0a00_0000L + (i >>> 10),
                    80,
                    0,
                    0x0000_ffff_c0a8_0000L + i,
                    1024 + (i & 1023),
                    values[i]);
        }
        assertEquals(values.length, table.size());
        for (int i = 0; i < values.length; i++) {
            assertSame(
                    values[i],
                    table.get(
                            0,
                            0x0000_ffff_0a00_0000L + (i >>> 10),
                            80,
                            0,
                            0x0000_ffff_c0a8_0000L + i,
                            1024 + (i & 1023)));
        }
        for (int i = 0; i < values.length; i += 2) {
            assertSame(
                    values[i],
                    table.remove(
                            0,
                            0x0000_ffff_0a00_0000L + (i >>> 10),
                            80,
                            0,
                            0x0000_ffff_c0a8_0000L + i,
                            1024 + (i & 1023)));
        }
        assertEquals(values.length / 2, table.size());
        for (int i = 0; i < values.length; i++) {
            Object expected = (i & 1) == 0 ? null : values[i];
            assertSame(
                    expected,
                    table.get(
                            0,
                            0x0000_ffff_0a00_0000L + (i >>> 10),
                            80,
                            0,
                            0x0000_ffff_c0a8_0000L + i,
                            1024 + (i & 1023)));
        }
    }

    @Example
    void shouldDistinguishPortsWhenHighPortsUsed() {
        ConnectionTable<String> table = new ConnectionTable<>(7, 16);
        table.put(0, 1, 65535, 0, 2, 1, "a");
        table.put(0, 1, 1, 0, 2, 65535, "b");
        table.put(0, 1, 65535, 0, 2, 65535, "c");
        assertEquals("a", table.get(0, 1, 65535, 0, 2, 1));
        assertEquals("b", table.get(0, 1, 1, 0, 2, 65535));
        assertEquals("c", table.get(0, 1, 65535, 0, 2, 65535));
        assertNull(table.get(0, 2, 65535, 0, 1, 1));
    }
}

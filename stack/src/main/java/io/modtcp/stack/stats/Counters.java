package io.modtcp.stack.stats;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The stack's counters. Written only by the stack thread (single writer: {@link #inc} is a plain read plus an
 * ordered write), read by any thread at any time.
 */
public final class Counters {
    private static final Counter[] ALL = Counter.values();
    /** Which counters count dropped input (their names hold {@code DROP}): what {@link DropListener} hears of. */
    private static final boolean[] DROPS = new boolean[ALL.length];

    static {
        for (Counter c : ALL) {
            DROPS[c.ordinal()] = c.name().contains("DROP");
        }
    }

    private final AtomicLongArray values = new AtomicLongArray(ALL.length);
    /** Told of every drop (null: nobody); set and called on the stack thread. */
    private DropListener dropListener;

    /** Hears of each increment of a drop counter, with its reason (the counter). */
    @FunctionalInterface
    public interface DropListener {
        void dropped(Counter reason, long count);
    }

    /** Installs the listener of drops (null: none). Call on the stack thread. */
    public void setDropListener(DropListener listener) {
        this.dropListener = listener;
    }

    /** True if {@code counter} counts dropped input. */
    public static boolean isDrop(Counter counter) {
        return DROPS[counter.ordinal()];
    }

    public void inc(Counter counter) {
        add(counter, 1);
    }

    public void add(Counter counter, long delta) {
        int i = counter.ordinal();
        values.lazySet(i, values.get(i) + delta);
        DropListener l = dropListener;
        if (l != null && DROPS[i]) {
            l.dropped(counter, delta);
        }
    }

    public long get(Counter counter) {
        return values.get(counter.ordinal());
    }

    /** A snapshot of every counter, in declaration order. */
    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> map = new EnumMap<>(Counter.class);
        for (Counter c : ALL) {
            map.put(c, values.get(c.ordinal()));
        }
        return map;
    }

    /** The non-zero counters as {@code NAME value} lines, like {@code nstat}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Counter c : ALL) {
            long v = values.get(c.ordinal());
            if (v != 0) {
                sb.append(c.name()).append(' ').append(v).append('\n');
            }
        }
        return sb.toString();
    }
}

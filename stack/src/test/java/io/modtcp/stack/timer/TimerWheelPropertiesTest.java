package io.modtcp.stack.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Compares {@link TimerWheel} with a plain priority-queue model over random schedule/cancel/poll sequences. */
class TimerWheelPropertiesTest {
    /** {@code late}: scheduled for a tick the wheel had already passed, so it fires as of the wheel's current tick. */
    private record Timer(long deadlineNs, int id, boolean late) {}

    @Property(tries = 1000)
    void shouldAgreeWithPriorityQueueModel(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 4) int wheelBits,
            @ForAll @IntRange(min = 1, max = 1000) int tickNs,
            @ForAll @IntRange(min = 1, max = 400) int steps) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int ticksPerWheel = 1 << wheelBits;
        long startNs = rnd.nextLong(-1_000_000, 1_000_000);
        TimerWheel<Integer> wheel = new TimerWheel<>(tickNs, ticksPerWheel, startNs);
        long span = (long) tickNs * ticksPerWheel * 6; // deadlines spread over many rotations

        PriorityQueue<Timer> model = new PriorityQueue<>((x, y) ->
                x.deadlineNs != y.deadlineNs ? Long.compare(x.deadlineNs, y.deadlineNs) : Integer.compare(x.id, y.id));
        Map<Integer, Timer> pendingById = new HashMap<>();
        Map<Integer, Long> handles = new HashMap<>();
        List<Long> allHandles = new ArrayList<>();
        long nowNs = startNs;
        int nextId = 0;

        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                long deadline = nowNs + rnd.nextLong(-span / 4, span + 1);
                int id = nextId++;
                long h = wheel.schedule(id, deadline);
                boolean late = Math.floorDiv(deadline - startNs, tickNs) < Math.floorDiv(nowNs - startNs, tickNs);
                Timer t = new Timer(deadline, id, late);
                model.add(t);
                pendingById.put(id, t);
                handles.put(id, h);
                allHandles.add(h);
            } else if (op < 7 && !allHandles.isEmpty()) {
                long h = allHandles.get(rnd.nextInt(allHandles.size()));
                int id = idOf(handles, h);
                Timer t = pendingById.remove(id);
                boolean expected = t != null;
                if (expected) {
                    model.remove(t);
                }
                assertEquals(expected, wheel.cancel(h), "cancel of " + id);
            } else {
                nowNs += rnd.nextInt(4) == 0 ? rnd.nextLong(span * 3) : rnd.nextLong(tickNs * 3L);
                int limit = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : Integer.MAX_VALUE;
                List<Timer> fired = new ArrayList<>();
                final long now = nowNs;
                int n = wheel.poll(
                        nowNs,
                        (owner, handle, firedNow) -> {
                            assertEquals(now, firedNow);
                            assertEquals(handles.get(owner), handle);
                            fired.add(pendingById.get(owner));
                        },
                        limit);
                assertEquals(fired.size(), n);
                long due = model.stream().filter(t -> t.deadlineNs <= now).count();
                if (limit == Integer.MAX_VALUE) {
                    assertEquals(due, n, "every due timer fires");
                } else {
                    assertEquals(Math.min(due, limit), n);
                }
                long maxFiredTick = Long.MIN_VALUE;
                for (Timer t : fired) {
                    assertTrue(t != null && t.deadlineNs <= now, "fired only due timers");
                    model.remove(t);
                    pendingById.remove(t.id);
                    if (!t.late) {
                        maxFiredTick = Math.max(maxFiredTick, Math.floorDiv(t.deadlineNs - startNs, tickNs));
                    }
                }
                for (Timer t : model) {
                    if (t.deadlineNs <= now && !t.late) {
                        long tick = Math.floorDiv(t.deadlineNs - startNs, tickNs);
                        assertTrue(tick >= maxFiredTick, "earlier ticks fire first");
                    }
                }
            }
            assertEquals(model.size(), wheel.size());
            long expectedNext = model.isEmpty() ? Long.MAX_VALUE : model.peek().deadlineNs;
            assertEquals(expectedNext, wheel.nextDeadlineNs(), "next deadline");
        }
    }

    /** Handlers that schedule and cancel during the poll: nothing fires early, twice, or after being cancelled. */
    @Property(tries = 300)
    void shouldStayConsistentWhenHandlersScheduleAndCancel(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 4) int wheelBits,
            @ForAll @IntRange(min = 1, max = 1000) int tickNs) {
        SplittableRandom rnd = new SplittableRandom(seed);
        TimerWheel<Integer> wheel = new TimerWheel<>(tickNs, 1 << wheelBits, 0);
        long span = (long) tickNs * (1 << wheelBits) * 4;
        Map<Integer, Long> pending = new HashMap<>(); // id -> deadline
        Map<Integer, Long> handleOf = new HashMap<>();
        List<Integer> ids = new ArrayList<>();
        int[] nextId = {0};
        long[] now = {0};
        LongFunction<Integer> add = deadline -> {
            int id = nextId[0]++;
            handleOf.put(id, wheel.schedule(id, deadline));
            pending.put(id, deadline);
            ids.add(id);
            return id;
        };
        for (int i = 0; i < 20; i++) {
            add.apply(rnd.nextLong(span));
        }
        TimerHandler<Integer> handler = (id, handle, nowNs) -> {
            Long deadline = pending.remove(id);
            assertTrue(deadline != null, "fired once, never after cancel: " + id);
            assertTrue(deadline <= nowNs, "never early");
            assertEquals(handleOf.get(id), handle);
            if (rnd.nextInt(3) == 0) {
                add.apply(nowNs + rnd.nextLong(-tickNs, span)); // may be already due
            }
            if (rnd.nextInt(3) == 0) {
                int victim = ids.get(rnd.nextInt(ids.size()));
                assertEquals(pending.remove(victim) != null, wheel.cancel(handleOf.get(victim)));
            }
        };
        for (int step = 0; step < 200 && nextId[0] < 2000; step++) {
            now[0] += rnd.nextLong(tickNs * 3L);
            wheel.poll(now[0], handler, 1 + rnd.nextInt(8));
            if (rnd.nextInt(2) == 0) {
                add.apply(now[0] + rnd.nextLong(-tickNs, span));
            }
            assertEquals(pending.size(), wheel.size());
            long expected =
                    pending.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            assertEquals(expected, wheel.nextDeadlineNs());
        }
        // Drain: every pending timer fires once time passes its deadline.
        for (int i = 0; i < 10_000 && wheel.size() > 0; i++) {
            now[0] += span;
            wheel.poll(now[0], (id, handle, nowNs) -> assertTrue(pending.remove(id) <= nowNs), Integer.MAX_VALUE);
        }
        assertEquals(0, wheel.size());
        assertTrue(pending.isEmpty());
    }

    private static int idOf(Map<Integer, Long> handles, long h) {
        for (Map.Entry<Integer, Long> e : handles.entrySet()) {
            if (e.getValue() == h) {
                return e.getKey();
            }
        }
        throw new AssertionError(h);
    }
}

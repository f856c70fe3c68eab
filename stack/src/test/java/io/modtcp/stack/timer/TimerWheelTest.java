package io.modtcp.stack.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = 1_000_000L; // 1 ms
    private static final long START = 5_000_000_000L;

    private final TimerWheel<String> wheel = new TimerWheel<>(TICK, 8, START);
    private final List<String> fired = new ArrayList<>();
    private final TimerHandler<String> record = (owner, handle, nowNs) -> fired.add(owner);

    @Nested
    class Expiry {
        @Test
        void shouldFireExactlyAtDeadlineAndNotOneNanosecondBefore() {
            long deadline = START + 3 * TICK + 417;
            wheel.schedule("t", deadline);

            assertEquals(0, wheel.poll(deadline - 1, record, 100));
            assertEquals(List.of(), fired);
            assertEquals(1, wheel.poll(deadline, record, 100));
            assertEquals(List.of("t"), fired);
            assertEquals(0, wheel.size());
        }

        @Test
        void shouldNotFireLaterTimerOfSameTickWhenOnlyEarlierIsDue() {
            wheel.schedule("early", START + TICK + 10);
            wheel.schedule("late", START + TICK + 900);

            assertEquals(1, wheel.poll(START + TICK + 899, record, 100));
            assertEquals(List.of("early"), fired);
            assertEquals(START + TICK + 900, wheel.nextDeadlineNs());
            assertEquals(1, wheel.poll(START + TICK + 900, record, 100));
            assertEquals(List.of("early", "late"), fired);
        }

        @Test
        void shouldFireOnNextPollWhenDeadlineIsInThePast() {
            wheel.poll(START + 20 * TICK, record, 100);
            wheel.schedule("past", START + 2 * TICK);

            assertEquals(START + 2 * TICK, wheel.nextDeadlineNs());
            assertEquals(1, wheel.poll(START + 20 * TICK, record, 100));
            assertEquals(List.of("past"), fired);
        }

        @Test
        void shouldFireDeadlineBeforeStartOnFirstPoll() {
            wheel.schedule("before", START - 7 * TICK);

            assertEquals(1, wheel.poll(START, record, 100));
        }

        @Test
        void shouldFireEarlierTicksFirstWhenPollCatchesUpManyRotations() {
            // 8 buckets: these share buckets across rotations
            wheel.schedule("r3", START + 3 * 8 * TICK + 2 * TICK);
            wheel.schedule("r0", START + 5 * TICK);
            wheel.schedule("r1", START + 8 * TICK + 2 * TICK);
            wheel.schedule("r9", START + 9 * 8 * TICK);

            assertEquals(4, wheel.poll(START + 100 * TICK, record, 100));
            assertEquals(List.of("r0", "r1", "r3", "r9"), fired);
        }

        @Test
        void shouldFireInScheduleOrderWhenDeadlinesAreEqual() {
            wheel.schedule("a", START + 4 * TICK);
            wheel.schedule("b", START + 4 * TICK);
            wheel.schedule("c", START + 4 * TICK);

            wheel.poll(START + 4 * TICK, record, 100);
            assertEquals(List.of("a", "b", "c"), fired);
        }

        @Test
        void shouldStopAtLimitAndFireTheRestOnNextPoll() {
            for (int i = 0; i < 5; i++) {
                wheel.schedule("t" + i, START + i * TICK);
            }

            assertEquals(2, wheel.poll(START + 10 * TICK, record, 2));
            assertEquals(List.of("t0", "t1"), fired);
            assertEquals(3, wheel.size());
            assertEquals(START + 2 * TICK, wheel.nextDeadlineNs());
            assertEquals(3, wheel.poll(START + 10 * TICK, record, 100));
            assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), fired);
        }

        @Test
        void shouldStopAtLimitWithinOneBucket() {
            for (int i = 0; i < 5; i++) {
                wheel.schedule("t" + i, START + TICK);
            }

            assertEquals(3, wheel.poll(START + TICK, record, 3));
            assertEquals(2, wheel.size());
            assertEquals(2, wheel.poll(START + TICK, record, 3));
            assertEquals(List.of("t0", "t1", "t2", "t3", "t4"), fired);
        }

        @Test
        void shouldFireTimerFarInTheFutureAfterLongJump() {
            long far = START + 1_000_000 * TICK + 3;
            wheel.schedule("far", far);

            assertEquals(0, wheel.poll(far - 1, record, 100));
            assertEquals(1, wheel.poll(far, record, 100));
        }
    }

    @Nested
    class Cancel {
        @Test
        void shouldNotFireWhenCancelled() {
            long h = wheel.schedule("t", START + TICK);

            assertTrue(wheel.cancel(h));
            assertEquals(0, wheel.poll(START + 10 * TICK, record, 100));
            assertEquals(0, wheel.size());
            assertEquals(Long.MAX_VALUE, wheel.nextDeadlineNs());
        }

        @Test
        void shouldReturnFalseWhenCancelledTwiceOrAfterFiring() {
            long h1 = wheel.schedule("a", START + TICK);
            long h2 = wheel.schedule("b", START + TICK);

            assertTrue(wheel.cancel(h1));
            assertFalse(wheel.cancel(h1));
            wheel.poll(START + TICK, record, 100);
            assertFalse(wheel.cancel(h2));
            assertFalse(wheel.cancel(TimerWheel.NULL_HANDLE));
            assertFalse(wheel.cancel(-1L));
        }

        @Test
        void shouldNotCancelNewTimerWhenHandleIsStale() {
            long stale = wheel.schedule("old", START + TICK);
            wheel.cancel(stale);
            long fresh = wheel.schedule("new", START + 2 * TICK);

            assertEquals((int) stale, (int) fresh, "slot is reused");
            assertNotEquals(stale, fresh);
            assertFalse(wheel.cancel(stale));
            assertTrue(wheel.isPending(fresh));
            wheel.poll(START + 2 * TICK, record, 100);
            assertEquals(List.of("new"), fired);
        }

        @Test
        void shouldRecomputeNextDeadlineWhenEarliestIsCancelled() {
            long h1 = wheel.schedule("a", START + 3 * TICK + 1);
            wheel.schedule("b", START + 50 * TICK + 2);
            wheel.schedule("c", START + 9 * TICK + 3);

            assertEquals(START + 3 * TICK + 1, wheel.nextDeadlineNs());
            wheel.cancel(h1);
            assertEquals(START + 9 * TICK + 3, wheel.nextDeadlineNs());
        }
    }

    @Nested
    class HandlerReentry {
        @Test
        void shouldFireRescheduledTimerOnNextPollNotThisOne() {
            wheel.schedule("self", START + TICK);
            TimerHandler<String> rescheduling = (owner, handle, nowNs) -> {
                fired.add(owner);
                wheel.schedule(owner, nowNs); // already due
            };

            assertEquals(1, wheel.poll(START + TICK, rescheduling, 100));
            assertEquals(1, wheel.size());
            assertEquals(START + TICK, wheel.nextDeadlineNs());
            assertEquals(1, wheel.poll(START + TICK, record, 100));
            assertEquals(List.of("self", "self"), fired);
        }

        @Test
        void shouldNotFireTimerCancelledByEarlierHandlerInSamePoll() {
            long[] victim = new long[1];
            wheel.schedule("killer", START + TICK);
            victim[0] = wheel.schedule("victim", START + TICK);
            TimerHandler<String> killing = (owner, handle, nowNs) -> {
                fired.add(owner);
                if (owner.equals("killer")) {
                    assertTrue(wheel.cancel(victim[0]));
                }
            };

            assertEquals(1, wheel.poll(START + TICK, killing, 100));
            assertEquals(List.of("killer"), fired);
            assertEquals(0, wheel.size());
        }

        @Test
        void shouldFireTimerScheduledByHandlerForLaterDueTickInSamePoll() {
            wheel.schedule("first", START + TICK);
            TimerHandler<String> chaining = (owner, handle, nowNs) -> {
                fired.add(owner);
                if (owner.equals("first")) {
                    wheel.schedule("second", START + 3 * TICK);
                    wheel.schedule("future", START + 30 * TICK);
                }
            };

            assertEquals(2, wheel.poll(START + 5 * TICK, chaining, 100));
            assertEquals(List.of("first", "second"), fired);
            assertEquals(START + 30 * TICK, wheel.nextDeadlineNs());
        }

        @Test
        void shouldRejectReentrantPoll() {
            wheel.schedule("t", START);
            TimerHandler<String> reentrant = (owner, handle, nowNs) -> wheel.poll(nowNs, record, 1);

            assertThrows(IllegalStateException.class, () -> wheel.poll(START, reentrant, 1));
        }
    }

    @Nested
    class Pooling {
        @Test
        void shouldGrowPoolAndKeepHandlesValid() {
            long[] handles = new long[1000];
            for (int i = 0; i < handles.length; i++) {
                handles[i] = wheel.schedule("t" + i, START + (i % 37) * TICK + i);
            }
            assertEquals(1000, wheel.size());
            for (int i = 0; i < handles.length; i += 2) {
                assertTrue(wheel.cancel(handles[i]));
            }
            assertEquals(500, wheel.poll(START + 100 * TICK, record, Integer.MAX_VALUE));
            assertEquals(0, wheel.size());
        }

        @Test
        void shouldRejectBadGeometry() {
            assertThrows(IllegalArgumentException.class, () -> new TimerWheel<String>(TICK, 6, 0));
            assertThrows(IllegalArgumentException.class, () -> new TimerWheel<String>(0, 8, 0));
        }
    }
}

package io.modtcp.stack.runtime;

import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.scripted.Script;
import io.modtcp.stack.tcp.scripted.ScriptedLink;
import io.modtcp.stack.wire.SegmentSpec;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The stack thread's spin before it sleeps, stepped through time by hand (no thread, no clock). */
class IdleSpinTest {
    private static final long US = 1_000;

    @Nested
    class Policy {
        @Test
        void shouldNeverSpinWhenOff() {
            IdleSpin spin = new IdleSpin(0);
            assertFalse(spin.pollAgain(true, 0), "work done, but the spin is off");
            assertFalse(spin.pollAgain(false, 1));
        }

        @Test
        void shouldPollAgainUntilTheSpinAfterTheLastWorkHasPassed() {
            IdleSpin spin = new IdleSpin(50 * US);
            long t0 = 1_000_000;
            assertTrue(spin.pollAgain(true, t0), "a round that did work starts the spin");
            assertTrue(spin.pollAgain(false, t0 + 1));
            assertTrue(spin.pollAgain(false, t0 + 50 * US - 1), "one nanosecond before the end");
            assertFalse(spin.pollAgain(false, t0 + 50 * US), "at the end: wait");
            assertFalse(spin.pollAgain(false, t0 + 50 * US - 1), "ended: a quiet round does not restart it");
        }

        @Test
        void shouldRestartTheSpinOnEveryRoundThatDidWork() {
            IdleSpin spin = new IdleSpin(50 * US);
            assertTrue(spin.pollAgain(true, 0));
            assertTrue(spin.pollAgain(true, 40 * US), "work again: the spin now ends at 90 µs");
            assertTrue(spin.pollAgain(false, 89 * US));
            assertFalse(spin.pollAgain(false, 90 * US));
        }

        @Test
        void shouldNotSpinAfterQuietRoundsOnly() {
            IdleSpin spin = new IdleSpin(50 * US);
            assertFalse(spin.pollAgain(false, 0), "nothing done since start: sleep at once");
            assertFalse(spin.pollAgain(false, 10 * US));
        }

        @Test
        void shouldCompareTimesAcrossTheWrapOfNanoTime() {
            IdleSpin spin = new IdleSpin(50 * US);
            long t0 = Long.MAX_VALUE - 10 * US;
            assertTrue(spin.pollAgain(true, t0));
            assertTrue(spin.pollAgain(false, t0 + 49 * US), "past the wrap, within the spin");
            assertFalse(spin.pollAgain(false, t0 + 50 * US));
        }

        @Test
        void shouldRejectASpinOutOfRange() {
            assertThrows(IllegalArgumentException.class, () -> new IdleSpin(-1));
            assertThrows(IllegalArgumentException.class, () -> new IdleSpin(IdleSpin.MAX_SPIN_NS + 1));
            assertEquals(IdleSpin.MAX_SPIN_NS, new IdleSpin(IdleSpin.MAX_SPIN_NS).spinNs());
        }
    }

    /** What the stack tells the stack thread after a poll: whether that poll took packets or ran commands. */
    @Nested
    class WorkReport {
        @Test
        void shouldReportWorkForACommandOrAPacketAndNotForAQuietPoll() throws InterruptedException {
            long[] t = {Script.SEC};
            ScriptedLink link = new ScriptedLink(1500);
            try (NetStack stack = NetStack.builder()
                    .clock(() -> t[0])
                    .config(TcpConfig.DEFAULT)
                    .seed(42)
                    .addInterface(link, Script.LOCAL, 24, null)
                    .build()) {
                stack.bindToCurrentThread();
                stack.poll(t[0]);
                assertFalse(stack.lastPollDidWork(), "nothing to do");

                Thread other = new Thread(() -> stack.execute(() -> {}));
                other.start();
                other.join();
                assertTrue(stack.hasPendingWork());
                stack.poll(t[0]);
                assertTrue(stack.lastPollDidWork(), "ran a command another thread queued");
                stack.poll(t[0]);
                assertFalse(stack.lastPollDidWork(), "quiet again");

                // A SYN to a closed port: taken from the link (and answered with a RST).
                link.inject(SegmentSpec.of(Script.REMOTE, 50_000, Script.LOCAL, Script.LISTEN_PORT, 1000, 0, SYN)
                        .encode(stack.alloc()));
                stack.poll(t[0]);
                assertTrue(stack.lastPollDidWork(), "took a packet");
                stack.poll(t[0]);
                assertFalse(stack.lastPollDidWork());
            }
        }
    }
}

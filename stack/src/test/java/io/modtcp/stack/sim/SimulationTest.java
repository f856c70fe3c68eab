package io.modtcp.stack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.function.LongFunction;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The deterministic simulation suite (DESIGN.md §7 item 4): two stacks over a faulty in-memory link in virtual time,
 * one dynamic test per seed, named by its seed. Each run transfers random data both ways, half-closes, reads to end
 * of stream, closes and waits out TIME-WAIT; it checks the SHA-256 of what arrived in each direction, that no RST was
 * sent and no error seen, and that it ended within {@link SimRun#MAX_VIRTUAL_NS} of virtual time.
 *
 * <p>Properties (passed by Surefire to the forked JVM: user properties given with {@code -D} on the Maven command
 * line become system properties of the tests, no {@code -DargLine} needed):
 *
 * <ul>
 *   <li>{@code modtcp.sim.seeds}: seeds 1..n of the standard scenario (default 1000); the bulk and tiny-window
 *       variants run n / 50 and n / 20 seeds (at least 1).
 *   <li>{@code modtcp.sim.seed}: runs only this seed (of every kind, or of {@code modtcp.sim.kind} when set:
 *       {@code standard}, {@code bulk}, {@code tiny-window}, {@code ipv6}). A failing run prints this command.
 *   <li>{@code MODTCP_SIM_TRACE=true} (environment) or {@code -Dmodtcp.sim.trace=true} prints every segment.
 * </ul>
 */
class SimulationTest {
    private static final int SEEDS = parseInt(System.getProperty("modtcp.sim.seeds"), 1000);
    private static final String ONLY_SEED =
            System.getProperty("modtcp.sim.seed", "").trim();
    private static final String ONLY_KIND =
            System.getProperty("modtcp.sim.kind", "").trim();

    @TestFactory
    Stream<DynamicTest> standard() {
        return seeds("standard", SEEDS, SimScenario::standard);
    }

    @TestFactory
    Stream<DynamicTest> bulk() {
        return seeds("bulk", Math.max(1, SEEDS / 50), SimScenario::bulk);
    }

    @TestFactory
    Stream<DynamicTest> tinyWindow() {
        return seeds("tiny-window", Math.max(1, SEEDS / 20), SimScenario::tinyWindow);
    }

    /** The standard scenario over IPv6 (a tenth of the seeds). */
    @TestFactory
    Stream<DynamicTest> ipv6() {
        return seeds("ipv6", Math.max(1, SEEDS / 10), SimScenario::ipv6);
    }

    /** The same seed twice: the same virtual end time and the same counters on both stacks. */
    @Test
    void shouldReplayIdenticallyWhenRunTwiceWithTheSameSeed() {
        assumeTrue(ONLY_SEED.isEmpty(), "replaying a single seed");
        for (long seed : new long[] {1, 2, 3}) {
            for (LongFunction<SimScenario> kind :
                    java.util.List.<LongFunction<SimScenario>>of(SimScenario::standard, SimScenario::tinyWindow)) {
                SimRun.Result first = SimRun.run(kind.apply(seed));
                SimRun.Result second = SimRun.run(kind.apply(seed));
                String what = first.scenario().kind() + " seed " + seed;
                assertEquals(first.failure(), second.failure(), what + ": outcome");
                assertEquals(first.virtualNs(), second.virtualNs(), what + ": virtual end time");
                assertEquals(first.countersA(), second.countersA(), what + ": counters of A");
                assertEquals(first.countersB(), second.countersB(), what + ": counters of B");
            }
        }
    }

    private static Stream<DynamicTest> seeds(String kind, int count, LongFunction<SimScenario> scenario) {
        LongStream range;
        if (!ONLY_SEED.isEmpty()) {
            range = ONLY_KIND.isEmpty() || ONLY_KIND.equals(kind)
                    ? LongStream.of(Long.parseLong(ONLY_SEED))
                    : LongStream.empty();
        } else {
            range = LongStream.rangeClosed(1, count);
        }
        return range.mapToObj(seed -> dynamicTest(kind + " seed " + seed, () -> runAndCheck(scenario.apply(seed))));
    }

    private static void runAndCheck(SimScenario scenario) {
        SimRun.Result result = SimRun.run(scenario);
        if (!result.passed()) {
            // Only failures print: the report names the fault model and the command that replays the seed alone.
            System.out.println(result.report());
            fail(result.failure() + " (" + scenario.kind() + " seed " + scenario.seed() + "; replay: "
                    + scenario.replayCommand() + ")");
        }
    }

    private static int parseInt(String value, int fallback) {
        if (value == null || value.isBlank() || value.startsWith("${")) {
            return fallback;
        }
        return Integer.parseInt(value.trim());
    }
}

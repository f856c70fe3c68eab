package io.modtcp.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.provider.ModTcpSelectorProvider;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The extension in a JVM started with the agent: it runs fixture test classes through the JUnit engine and checks what
 * they saw. The fixtures record their counters in {@link #seen}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ModTcpFaultsExtensionTest {
    static final List<String> seen = new ArrayList<>();

    @BeforeEach
    void reset() {
        seen.clear();
    }

    static EngineExecutionResults run(Class<?> fixture) {
        return TestKit.run(fixture);
    }

    static EngineExecutionResults run(Class<?> fixture, String method) {
        return TestKit.run(fixture, method);
    }

    static String failures(EngineExecutionResults r) {
        return TestKit.failures(r);
    }

    @Test
    void theAgentIsActiveInThisJvm() {
        // The provider classes come from the agent jar: the module's own jars are kept off the class path.
        assertTrue(SelectorProvider.provider() instanceof ModTcpSelectorProvider);
        assertTrue(ModTcpSelectorProvider.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toString()
                .endsWith("modtcp-agent.jar"));
    }

    /** A lossy conversation; records lostFirstSends, the fingerprint and the faults. */
    static class Lossy {
        @Test
        @ModTcpFaults(loss = 0.05, seed = 42)
        void conversation(ModTcpFaultCounters faults) throws Exception {
            assertEquals(0, faults.sent());
            Conversation.run(150);
            seen.add(faults.lostFirstSends() + " " + faults.lostFingerprint() + " " + faults.faults());
            assertTrue(faults.lost() > 0, faults.toString());
            assertTrue(faults.retransmits() > 0, faults.toString());
        }

        @Test
        @ModTcpFaults(loss = 0.05, seed = 43)
        void otherSeed(ModTcpFaultCounters faults) throws Exception {
            Conversation.run(150);
            seen.add(faults.lostFirstSends() + " " + faults.lostFingerprint() + " " + faults.faults());
        }
    }

    @Test
    void theSameSeedLosesTheSameSegmentsAndAnotherSeedOthers() {
        EngineExecutionResults first = run(Lossy.class, "conversation");
        EngineExecutionResults again = run(Lossy.class, "conversation");
        EngineExecutionResults other = run(Lossy.class, "otherSeed");
        for (EngineExecutionResults r : List.of(first, again, other)) {
            assertEquals(1, r.testEvents().succeeded().count(), failures(r));
        }
        assertEquals(3, seen.size(), seen.toString());
        assertTrue(seen.get(0).endsWith("loss=0.05 seed=42"), seen.toString());
        assertEquals(seen.get(0), seen.get(1));
        assertNotEquals(seen.get(0).split(" ")[1], seen.get(2).split(" ")[1], seen.toString());
        // Cleared after each test.
        assertEquals(
                "none", io.modtcp.provider.ModTcpFaults.current().toString().split(" ")[0]);
    }

    /** Class-level faults, one method with its own. */
    @ModTcpFaults(delay = "2ms", seed = 7)
    static class ClassLevel {
        @BeforeEach
        void before(ModTcpFaultCounters faults) {
            seen.add("before " + faults.faults());
        }

        @Test
        void inherits(ModTcpFaultCounters faults) throws Exception {
            Conversation.run(3);
            seen.add("inherits " + faults.faults() + " sent>0=" + (faults.sent() > 0));
        }

        @Test
        @ModTcpFaults(value = "duplicate=100%", seed = 8)
        void overrides(ModTcpFaultCounters faults) throws Exception {
            Conversation.run(3);
            seen.add("overrides " + faults.faults() + " duplicated>0=" + (faults.duplicated() > 0));
        }
    }

    @Test
    void aClassAnnotationAppliesToEachTestAndAMethodsOwnWins() {
        EngineExecutionResults r = run(ClassLevel.class);
        assertEquals(2, r.testEvents().succeeded().count(), failures(r));
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(
                List.of(
                        "before delay=2000000ns seed=7",
                        "before duplicate=1.0 seed=8",
                        "inherits delay=2000000ns seed=7 sent>0=true",
                        "overrides duplicate=1.0 seed=8 duplicated>0=true"),
                sorted);
    }

    /** Bad values. */
    static class BadValues {
        @Test
        @ModTcpFaults(delay = "10")
        void delayWithoutUnit() {}

        @Test
        @ModTcpFaults(loss = 1.5)
        void lossAboveOne() {}

        @Test
        @ModTcpFaults("rate=fast")
        void rateWithoutUnit() {}
    }

    @Test
    void aBadValueFailsTheTestNamingTheKey() {
        EngineExecutionResults r = run(BadValues.class);
        assertEquals(3, r.testEvents().failed().count(), failures(r));
        String f = failures(r);
        for (String key : List.of("modtcp.delay='10'", "modtcp.loss='1.5'", "modtcp.rate='fast'")) {
            assertTrue(f.contains(ExtensionConfigurationException.class.getName() + ": @ModTcpFaults: " + key), f);
        }
    }
}

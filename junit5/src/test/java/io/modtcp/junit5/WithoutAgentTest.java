package io.modtcp.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Run by surefire's {@code without-agent} execution: no agent, no modtcp class on the class path. */
class WithoutAgentTest {
    static class Fixture {
        @Test
        @ModTcpFaults(loss = 0.02, seed = 42)
        void lossy() {}

        @Test
        @org.junit.jupiter.api.extension.ExtendWith(ModTcpFaultsExtension.class)
        void countersOnly(ModTcpFaultCounters faults) {}
    }

    @Test
    void modtcpIsAbsent() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.modtcp.provider.ModTcpFaults"));
    }

    @Test
    void theExtensionFailsTheTestSayingTheAgentIsMissing() {
        EngineExecutionResults r = TestKit.run(Fixture.class);
        assertEquals(2, r.testEvents().failed().count(), TestKit.failures(r));
        String f = TestKit.failures(r);
        // The annotated test fails in the extension's beforeEach, the other in resolving its parameter.
        assertTrue(
                f.contains(ExtensionConfigurationException.class.getName() + ": " + ModTcpFaultsExtension.NOT_ACTIVE),
                f);
        String needs = "@ModTcpFaults needs the test JVM to run on modtcp: add -javaagent:";
        assertEquals(2, f.split(java.util.regex.Pattern.quote(needs), -1).length - 1, f);
        assertTrue(f.contains("modtcp's classes are not in this JVM"), f);
    }
}

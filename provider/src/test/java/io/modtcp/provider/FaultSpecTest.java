package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.FaultModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultSpecTest {
    @Test
    void parsesEveryFaultKeyWithItsUnits() {
        ModTcpConfig c = ModTcpConfig.parse(
                ModTcpConfig.parseAgentArgs(
                        "loss=2%,duplicate=0.005,corrupt=0.1%,reorder=1%,"
                                + "reorder_delay=250us,delay=10ms,jitter=1.5ms,rate=100mbit,fault_queue=500,fault_acks=on,seed=42"));
        FaultModel m = c.faults().model();
        assertEquals(0.02, m.lossRate(), 1e-12);
        assertEquals(0.005, m.duplicateRate(), 1e-12);
        assertEquals(0.001, m.corruptRate(), 1e-12);
        assertEquals(0.01, m.reorderRate(), 1e-12);
        assertEquals(250_000, m.reorderDelayNs());
        assertEquals(10_000_000, m.delayNs());
        assertEquals(1_500_000, m.jitterNs());
        assertEquals(100_000_000, m.rateBitsPerSecond());
        assertEquals(500, m.queueCapacity());
        assertEquals(42L, c.faults().seed());
        assertTrue(c.faults().pureAcks());
        assertEquals(42L, c.seed());
    }

    @Test
    void unitsFollowTc() {
        assertEquals(8_000_000, FaultSpec.parse("rate=1mbps").model().rateBitsPerSecond()); // bytes per second
        assertEquals(1_000_000_000, FaultSpec.parse("rate=1gbit").model().rateBitsPerSecond());
        assertEquals(64_000, FaultSpec.parse("rate=64kbit").model().rateBitsPerSecond());
        assertEquals(2_000_000_000L, FaultSpec.parse("delay=2s").model().delayNs());
        assertEquals(7, FaultSpec.parse("delay=7ns").model().delayNs());
        assertEquals(0, FaultSpec.parse("delay=0").model().delayNs());
        assertEquals(1.0, FaultSpec.parse("loss=100%").model().lossRate());
        assertEquals(
                FaultSpec.DEFAULT_REORDER_DELAY_NS,
                FaultSpec.parse("reorder=0.1").model().reorderDelayNs());
    }

    @Test
    void noFaultKeyMeansNoFault() {
        ModTcpConfig c = ModTcpConfig.defaults();
        assertTrue(c.faults().isNone());
        assertNull(c.faults().seed());
        assertTrue(FaultSpec.parse("").isNone());
        assertTrue(FaultSpec.parse("loss=0,delay=0").isNone());
    }

    @Test
    void aBadValueFailsNamingTheKey() {
        assertBad("loss", "2");
        assertBad("loss", "101%");
        assertBad("loss", "-0.1");
        assertBad("loss", "two percent");
        assertBad("loss", "NaN");
        assertBad("loss", "");
        assertBad("duplicate", "1.5");
        assertBad("corrupt", "x");
        assertBad("reorder", "5%%");
        assertBad("reorder_delay", "5");
        assertBad("delay", "10");
        assertBad("delay", "10 minutes");
        assertBad("delay", "61s");
        assertBad("delay", "-1ms");
        assertBad("jitter", "1h");
        assertBad("rate", "100");
        assertBad("rate", "100mb");
        assertBad("rate", "0mbit");
        assertBad("rate", "1000tbit");
        assertBad("fault_acks", "sometimes");
        assertBad("fault_queue", "0");
        assertBad("fault_queue", "many");
        assertBad("seed", "forty-two");
    }

    @Test
    void theStringFormNamesAnUnknownKey() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FaultSpec.parse("loss=1%,los=2%"));
        assertTrue(e.getMessage().startsWith("modtcp.los:"), e.getMessage());
        FaultSpec s = FaultSpec.parse(" loss = 1% , delay=5ms, seed=7");
        assertEquals(0.01, s.model().lossRate(), 1e-12);
        assertEquals(5_000_000, s.model().delayNs());
        assertEquals(7L, s.seed());
        assertEquals("loss=0.01 delay=5000000ns seed=7", s.toString());
    }

    @Test
    void theAgentArgumentsAcceptTheFaultKeys() {
        Map<String, String> args = ModTcpConfig.parseAgentArgs("loss=2%,delay=10ms,seed=42");
        assertEquals(Map.of("loss", "2%", "delay", "10ms", "seed", "42"), args);
    }

    private static void assertBad(String key, String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModTcpConfig.parse(Map.of(key, value)));
        assertTrue(e.getMessage().startsWith("modtcp." + key + "="), e.getMessage());
    }
}

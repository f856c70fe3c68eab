package io.modtcp.samples.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.junit5.ModTcpFaultCounters;
import io.modtcp.junit5.ModTcpFaults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application's own tests, unchanged but for one annotation: run with {@code -javaagent:modtcp-agent.jar} (this
 * module's surefire argLine), every packet of the service and its client crosses modtcp's in-JVM loopback, which loses
 * 2 % of them, by seed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuoteServiceTest {
    private static final int REQUESTS = 300;
    private static final List<String> runs = new ArrayList<>();

    /** Every answer right, despite the loss; returns what was checked. */
    private static void session() throws Exception {
        try (QuoteService service = new QuoteService();
                QuoteClient client = new QuoteClient(service.port())) {
            for (int i = 0; i < REQUESTS; i++) {
                String symbol = "S" + i;
                assertEquals(QuoteService.priceCents(symbol), client.price(symbol), symbol);
            }
        }
    }

    @Test
    void answersWithoutFaults() throws Exception {
        session();
    }

    @Test
    @ModTcpFaults(loss = 0.02, seed = 42)
    void answersEveryRequestUnderTwoPercentLoss(ModTcpFaultCounters faults) throws Exception {
        session();
        System.out.println("under loss: " + faults);
        // The loss happened, and TCP repaired it.
        assertTrue(faults.lost() > 0, faults.toString());
        assertTrue(faults.retransmits() > 0, faults.toString());
    }

    /** The same session twice with the same seed: the same segments are lost, whatever the timing. */
    @RepeatedTest(2)
    @ModTcpFaults(loss = 0.02, seed = 42)
    void reproducibleBySeed(ModTcpFaultCounters faults) throws Exception {
        session();
        System.out.println("run " + (runs.size() + 1) + ": " + faults);
        assertTrue(faults.lostFirstSends() > 0, faults.toString());
        synchronized (runs) {
            runs.add("lostFirstSends=" + faults.lostFirstSends() + " fingerprint=" + faults.lostFingerprint());
        }
    }

    @AfterAll
    static void bothRunsLostTheSameSegments() {
        assertEquals(2, runs.size(), runs.toString());
        assertEquals(runs.get(0), runs.get(1), "two runs with seed 42");
    }
}

package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RttEstimatorTest {
    private static final long MS = 1_000_000L;

    private final RttEstimator rtt = new RttEstimator(1000 * MS, 200 * MS, 4000 * MS);

    @Nested
    class BeforeFirstSample {
        @Test
        void shouldUseInitialRtoWhenNoSample() {
            assertFalse(rtt.hasSample());
            assertEquals(1000 * MS, rtt.rtoNs());
        }

        @Test
        void shouldBackOffInitialRtoWhenSynLost() {
            rtt.backOff();
            assertEquals(2000 * MS, rtt.rtoNs());
            rtt.backOff();
            assertEquals(4000 * MS, rtt.rtoNs());
            rtt.backOff();
            assertEquals(4000 * MS, rtt.rtoNs());
        }
    }

    @Nested
    class Sampling {
        @Test
        void shouldSetSrttAndHalfVarianceWhenFirstSample() {
            rtt.sample(300 * MS);
            assertTrue(rtt.hasSample());
            assertEquals(300 * MS, rtt.srttNs());
            assertEquals(150 * MS, rtt.rttvarNs());
            assertEquals(900 * MS, rtt.rtoNs());
        }

        @Test
        void shouldApplyEighthAndQuarterGainsWhenLaterSamples() {
            rtt.sample(400 * MS);
            rtt.sample(800 * MS);
            // RTTVAR = 3/4 * 200 + 1/4 * 400 = 250; SRTT = 7/8 * 400 + 1/8 * 800 = 450
            assertEquals(250 * MS, rtt.rttvarNs());
            assertEquals(450 * MS, rtt.srttNs());
            assertEquals(1450 * MS, rtt.rtoNs());
        }

        @Test
        void shouldClampToMinWhenRttSmall() {
            rtt.sample(10 * MS);
            assertEquals(200 * MS, rtt.rtoNs());
        }

        @Test
        void shouldClampToMaxWhenRttHuge() {
            rtt.sample(3000 * MS);
            assertEquals(4000 * MS, rtt.rtoNs());
        }

        @Test
        void shouldConvergeToRttWhenSamplesSteady() {
            for (int i = 0; i < 200; i++) {
                rtt.sample(250 * MS);
            }
            assertEquals(250 * MS, rtt.srttNs(), 1 * MS);
            // The variance decays, so the RTO falls to SRTT plus the granularity, above the minimum.
            assertEquals(251 * MS, rtt.rtoNs(), 1 * MS);
        }

        @Test
        void shouldTreatZeroAsOneNanosecondWhenSampleZero() {
            rtt.sample(0);
            assertEquals(1, rtt.srttNs());
            assertEquals(200 * MS, rtt.rtoNs());
        }
    }

    @Nested
    class Backoff {
        @Test
        void shouldDoubleUntilMaxWhenBackingOff() {
            rtt.sample(100 * MS); // RTO 300 ms
            long[] expected = {600 * MS, 1200 * MS, 2400 * MS, 4000 * MS, 4000 * MS};
            for (long rto : expected) {
                rtt.backOff();
                assertEquals(rto, rtt.rtoNs());
            }
        }

        @Test
        void shouldCollapseWhenReset() {
            rtt.sample(100 * MS);
            rtt.backOff();
            rtt.backOff();
            rtt.resetBackoff();
            assertEquals(300 * MS, rtt.rtoNs());
        }

        @Test
        void shouldClearBackoffWhenNewSampleTaken() {
            rtt.sample(100 * MS);
            rtt.backOff();
            rtt.sample(100 * MS);
            // RTTVAR = 3/4 * 50 = 37.5, SRTT = 100: RTO 250 ms
            assertEquals(250 * MS, rtt.rtoNs());
        }
    }
}

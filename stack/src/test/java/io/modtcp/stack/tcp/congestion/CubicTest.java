package io.modtcp.stack.tcp.congestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CUBIC's window against the RFC 9438 formulas. */
class CubicTest {
    private static final int SMSS = 1000;
    private static final long MS = 1_000_000L;

    @Test
    void shouldComputeKFromEquationTwo() {
        // W_max = 100, cwnd_epoch = 70: K = cbrt(30 / 0.4) = cbrt(75)
        assertEquals(Math.cbrt(75), Cubic.k(100, 70), 1e-12);
        assertEquals(0, Cubic.k(50, 70), 0);
    }

    @Test
    void shouldFollowEquationOneAroundK() {
        double k = Cubic.k(100, 70);
        assertEquals(100, Cubic.wCubic(k, k, 100), 1e-9);
        assertEquals(70, Cubic.wCubic(0, k, 100), 1e-9);
        assertEquals(100 + 0.4 * 8, Cubic.wCubic(k + 2, k, 100), 1e-9);
    }

    @Test
    void shouldReduceByBetaAndRememberWmaxWhenLossOccurs() {
        Cubic cubic = new Cubic();
        assertEquals(70_000, cubic.ssthreshOnLoss(100_000, 100_000, SMSS, 0));
        assertEquals(100, cubic.wMaxSegments(), 1e-9);
    }

    @Test
    void shouldLowerWmaxWhenLossesComeBeforeTheLastMaximum() {
        Cubic cubic = new Cubic();
        cubic.ssthreshOnLoss(100_000, 100_000, SMSS, 0);
        // Fast convergence (RFC 9438 §4.7): cwnd 80 < last W_max 100 -> W_max = 80 * (1 + 0.7) / 2 = 68.
        cubic.ssthreshOnLoss(80_000, 80_000, SMSS, 0);
        assertEquals(68, cubic.wMaxSegments(), 1e-9);
    }

    @Test
    void shouldGrowConcaveThenPlateauAtWmaxThenConvex() {
        Cubic cubic = new Cubic();
        // W_max = 1000 segments and a 100 ms RTT: the cubic curve, not the Reno estimate, governs (RFC 9438 §4.3).
        int ssthresh = cubic.ssthreshOnLoss(1_000_000, 1_000_000, SMSS, 0);
        long rttNs = 100 * MS;
        cubic.onRttSample(rttNs);
        int cwnd = ssthresh;
        long now = 0;
        double k = Cubic.k(1000, 700);
        int atK = 0;
        int growthEarly = 0;
        int growthNearK = 0;
        // One window of ACKs per RTT, for 2K seconds of virtual time.
        while (now < (long) (2 * k * 1e9)) {
            int before = cwnd;
            int acks = cwnd / SMSS;
            for (int i = 0; i < acks; i++) {
                cwnd = cubic.onCongestionAvoidanceAck(cwnd, SMSS, SMSS, now);
            }
            now += rttNs;
            double t = now / 1e9;
            if (t < 0.2 * k) {
                growthEarly = Math.max(growthEarly, cwnd - before);
            }
            if (Math.abs(t - k) < 0.05) {
                growthNearK = Math.max(growthNearK, cwnd - before);
                atK = cwnd;
            }
        }
        // Near K the window sits close to W_max and grows slowly; early on (concave region) it grows faster.
        assertEquals(1_000_000, atK, 20_000);
        assertTrue(growthEarly > growthNearK, "early " + growthEarly + " vs near K " + growthNearK);
        // Past K the convex region takes it above W_max.
        assertTrue(cwnd > 1_000_000, "cwnd " + cwnd);
        // Within one RTT of the end, cwnd tracks W_cubic(t) (never above the 1.5x bound).
        double expected = Cubic.wCubic(now / 1e9, k, 1000) * SMSS;
        assertTrue(cwnd <= expected * 1.1 && cwnd >= expected * 0.85, "cwnd " + cwnd + " expected ~" + expected);
    }

    @Test
    void shouldBeRenoFriendlyWhenRttIsShortAndWindowSmall() {
        // With a tiny W_max the cubic curve is flat; the Reno estimate (alpha = 0.53 segments per RTT) must win.
        Cubic cubic = new Cubic();
        int cwnd = cubic.ssthreshOnLoss(4_000, 4_000, SMSS, 0);
        cubic.onRttSample(MS);
        long now = 0;
        for (int rtt = 0; rtt < 200; rtt++) {
            int acks = Math.max(1, cwnd / SMSS);
            for (int i = 0; i < acks; i++) {
                cwnd = cubic.onCongestionAvoidanceAck(cwnd, SMSS, SMSS, now);
            }
            now += MS;
        }
        // 200 RTTs: Reno-friendly growth of at least ~0.53 segments per RTT early, 1 per RTT after W_max.
        assertTrue(cwnd >= 100 * SMSS, "cwnd " + cwnd);
    }

    @Test
    void shouldNeverShrinkWindowOnAck() {
        Cubic cubic = new Cubic();
        int cwnd = cubic.ssthreshOnLoss(50_000, 50_000, SMSS, 0);
        cubic.onRttSample(50 * MS);
        for (int i = 0; i < 1000; i++) {
            int next = cubic.onCongestionAvoidanceAck(cwnd, 100, SMSS, i * MS);
            assertTrue(next >= cwnd);
            cwnd = next;
        }
    }
}

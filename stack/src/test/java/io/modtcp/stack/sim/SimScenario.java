package io.modtcp.stack.sim;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.tcp.common.TcpConfig;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulation run, wholly derived from its kind and seed: the faults of each direction, the TCP configuration, the
 * MTU and the bytes each side sends.
 */
record SimScenario(
        String kind,
        long seed,
        FaultModel aToB,
        FaultModel bToA,
        TcpConfig config,
        int mtu,
        int bytesAToB,
        int bytesBToA,
        boolean ipv6) {

    /**
     * TIME-WAIT of the simulated stacks: short to keep runs quick, yet longer than any retransmission timeout a run
     * reaches in practice, so that a retransmitted FIN never finds the peer gone (2 MSL must exceed the RTO).
     */
    static final long TIME_WAIT_NS = TimeUnit.SECONDS.toNanos(20);

    /** The default suite: 16-64 KB each way over a link with every kind of fault. */
    static SimScenario standard(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed_0001L);
        FaultModel ab = faults(r, 0.10);
        FaultModel ba = faults(r, 0.10);
        int mtu = pickMtu(r);
        TcpConfig config = TcpConfig.builder().timeWaitNs(TIME_WAIT_NS).build();
        return new SimScenario(
                "standard", seed, ab, ba, config, mtu, r.nextInt(16_000, 64_001), r.nextInt(16_000, 64_001), false);
    }

    /** Bulk: 1-2 MB one way (and a little back) under 1-5 % loss. */
    static SimScenario bulk(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed_0002L);
        FaultModel ab = faults(r, 0.05).withLossRate(0.01 + 0.04 * r.nextDouble());
        FaultModel ba = faults(r, 0.05).withLossRate(0.01 + 0.04 * r.nextDouble());
        TcpConfig config = TcpConfig.builder().timeWaitNs(TIME_WAIT_NS).build();
        return new SimScenario(
                "bulk", seed, ab, ba, config, 1500, r.nextInt(1_000_000, 2_000_001), r.nextInt(1_000, 20_001), false);
    }

    /** Tiny buffers (a few hundred bytes to 4 KB): zero windows, persist probes and silly-window avoidance. */
    static SimScenario tinyWindow(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed_0003L);
        FaultModel ab = faults(r, 0.05);
        FaultModel ba = faults(r, 0.05);
        TcpConfig config = TcpConfig.builder()
                .timeWaitNs(TIME_WAIT_NS)
                .receiveBufferBytes(r.nextInt(256, 4097))
                .sendBufferBytes(r.nextInt(256, 8193))
                .build();
        return new SimScenario(
                "tiny-window",
                seed,
                ab,
                ba,
                config,
                pickMtu(r),
                r.nextInt(10_000, 40_001),
                r.nextInt(10_000, 40_001),
                false);
    }

    /** The standard scenario over IPv6 (fd00::1 and fd00::2): the same faults and sizes, 40-byte IP headers. */
    static SimScenario ipv6(long seed) {
        SimScenario s = standard(seed);
        return new SimScenario(
                "ipv6",
                seed,
                s.aToB(),
                s.bToA(),
                s.config(),
                Math.max(1280, s.mtu()),
                s.bytesAToB(),
                s.bytesBToA(),
                true);
    }

    private static int pickMtu(SplittableRandom r) {
        int pick = r.nextInt(10);
        return pick == 0 ? 576 : pick == 1 ? 1280 : 1500;
    }

    /** Faults of one direction; {@code maxLoss} bounds the loss rate. */
    private static FaultModel faults(SplittableRandom r, double maxLoss) {
        long delayNs = TimeUnit.MILLISECONDS.toNanos(r.nextLong(1, 21));
        FaultModel f = FaultModel.NONE
                .withLossRate(maxLoss * r.nextDouble())
                .withDuplicateRate(0.05 * r.nextDouble())
                .withReorder(0.10 * r.nextDouble(), r.nextLong(0, delayNs * 2 + 1))
                .withCorruptRate(0.02 * r.nextDouble())
                .withDelayNs(delayNs)
                .withJitterNs(r.nextLong(0, delayNs / 2 + 1));
        if (r.nextInt(4) == 0) {
            // A rate limit (1-50 Mbit/s) with a bounded queue: serialization delay and tail drops.
            f = f.withRateBitsPerSecond(r.nextLong(1_000_000, 50_000_001)).withQueueCapacity(r.nextInt(20, 201));
        }
        return f;
    }

    /** The one-line command that replays this run alone. */
    String replayCommand() {
        return "mvn -q test -pl stack -Dtest=SimulationTest -Dmodtcp.sim.kind=" + kind + " -Dmodtcp.sim.seed=" + seed;
    }

    @Override
    public String toString() {
        return kind + " seed " + seed + (ipv6 ? " (IPv6)" : "") + ": mtu " + mtu + ", A->B " + bytesAToB
                + " bytes, B->A " + bytesBToA + " bytes\n  a->b " + aToB + "\n  b->a " + bToA + "\n  config " + config;
    }
}

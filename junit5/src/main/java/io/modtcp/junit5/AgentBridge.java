package io.modtcp.junit5;

import io.modtcp.provider.FaultCounters;
import io.modtcp.provider.FaultSpec;
import io.modtcp.provider.ModTcpFaults;

/**
 * The only class that names modtcp's provider classes, which come from the agent jar at run time: when they are
 * missing (no agent), loading it fails with a {@link LinkageError}, which the extension turns into a clear message.
 */
final class AgentBridge {
    private AgentBridge() {}

    static boolean active() {
        return ModTcpFaults.active();
    }

    static void set(String spec) {
        ModTcpFaults.set(FaultSpec.parse(spec));
    }

    static void clear() {
        ModTcpFaults.clear();
    }

    static String current() {
        return ModTcpFaults.current().toString();
    }

    /** sent, lost, lostFirstSends, lostFingerprint, duplicated, reordered, corrupted, queueDrops, retransmits. */
    static long[] counters() {
        FaultCounters c = ModTcpFaults.counters();
        return new long[] {
            c.sent(),
            c.lost(),
            c.lostFirstSends(),
            c.lostFingerprint(),
            c.duplicated(),
            c.reordered(),
            c.corrupted(),
            c.queueDrops(),
            c.retransmits()
        };
    }
}

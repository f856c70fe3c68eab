package io.modtcp.junit5;

/**
 * What the faults of the running test did so far (each call reads the current values), summed over modtcp's links,
 * and the TCP retransmissions since the test's faults were set. Injected into a test or lifecycle method's parameter
 * by {@link ModTcpFaults}.
 */
public interface ModTcpFaultCounters {
    /** Packets that met the faults. */
    long sent();

    /** Packets dropped by {@code loss}, retransmissions included. */
    long lost();

    /**
     * Packets dropped by {@code loss} on their first send: the same in two runs of the same traffic with the same seed,
     * whatever the timing (retransmissions sent by a timer are not).
     */
    long lostFirstSends();

    /** Which packets {@link #lostFirstSends()} counts, in any order: equal for two runs that lost the same ones. */
    long lostFingerprint();

    /** Extra copies made by {@code duplicate}. */
    long duplicated();

    /** Packets taken out of FIFO order by {@code reorder}. */
    long reordered();

    /** Packets with one bit flipped by {@code corrupt}. */
    long corrupted();

    /** Packets dropped because too many were held for delay or rate ({@code fault_queue}). */
    long queueDrops();

    /** TCP segments modtcp retransmitted since the faults were set. */
    long retransmits();

    /** The faults in effect, in the agent's key form, with their seed, e.g. {@code loss=0.02 seed=42}. */
    String faults();
}

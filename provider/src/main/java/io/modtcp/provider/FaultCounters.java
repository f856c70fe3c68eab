package io.modtcp.provider;

/**
 * What the faults did since they were last set ({@link ModTcpFaults#set}), summed over every link, and the TCP
 * retransmissions since. Faulted packets are those that met an active fault model; with no fault set, all are zero
 * except {@code retransmits}.
 *
 * @param sent packets that met the fault model
 * @param lost packets dropped by {@code loss}
 * @param duplicated extra copies made by {@code duplicate}
 * @param reordered packets taken out of FIFO order by {@code reorder}
 * @param corrupted packets with one bit flipped by {@code corrupt}
 * @param queueDrops packets dropped because {@code fault_queue} packets (or 64 MiB) were held for delay or rate
 * @param retransmits TCP segments the stack retransmitted, the increase of its {@code tcpRetransSegs} counter
 * @param lostFirstSends packets {@code loss} dropped on their first send: unlike {@code lost}, which also counts
 *     retransmissions whose number depends on timing, the same in two runs of the same traffic with the same seed
 *     (docs/faults.md)
 * @param lostFingerprint which packets {@code lostFirstSends} counts, in any order: two runs of the same traffic with
 *     the same seed have the same fingerprint; 0 when none
 */
public record FaultCounters(
        long sent,
        long lost,
        long duplicated,
        long reordered,
        long corrupted,
        long queueDrops,
        long retransmits,
        long lostFirstSends,
        long lostFingerprint) {

    /** Packets dropped by any fault: {@code lost + queueDrops}. */
    public long drops() {
        return lost + queueDrops;
    }
}

package io.modtcp.stack.tcp.congestion;

/**
 * A congestion-avoidance algorithm: how cwnd grows between losses. {@link CongestionControl} owns the window and
 * the recovery logic (RFC 5681, RFC 6582) and asks the algorithm only for growth and for the reduction on loss, so
 * an algorithm holds its own private state and never sees the rest of the connection.
 */
public interface CongestionAlgorithm {
    String name();

    /**
     * The new cwnd after {@code bytesAcked} were acknowledged outside recovery, in congestion avoidance
     * (cwnd >= ssthresh).
     */
    int onCongestionAvoidanceAck(int cwnd, int bytesAcked, int smss, long nowNs);

    /** The new ssthresh on a loss, given the flight size (RFC 5681 equation 4 for NewReno). */
    int ssthreshOnLoss(int cwnd, int flightSize, int smss, long nowNs);

    /** The smoothed RTT after a new sample (algorithms that need the RTT, such as CUBIC, keep it). */
    default void onRttSample(long srttNs) {}

    /** Creates a fresh instance per connection. */
    interface Factory {
        CongestionAlgorithm create();
    }
}

package io.modtcp.stack.tcp.congestion;

/** RFC 5681 congestion avoidance with byte counting: about one SMSS more per round trip. */
public final class NewReno implements CongestionAlgorithm {
    public static final CongestionAlgorithm.Factory FACTORY = NewReno::new;

    private long bytesAckedAccumulator;

    @Override
    public String name() {
        return "newreno";
    }

    /** RFC 5681 §3.1 with appropriate byte counting (RFC 3465 §2.1): cwnd += SMSS once per cwnd bytes acked. */
    @Override
    public int onCongestionAvoidanceAck(int cwnd, int bytesAcked, int smss, long nowNs) {
        bytesAckedAccumulator += bytesAcked;
        if (bytesAckedAccumulator >= cwnd) {
            bytesAckedAccumulator -= cwnd;
            return cwnd + smss;
        }
        return cwnd;
    }

    /** RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
    @Override
    public int ssthreshOnLoss(int cwnd, int flightSize, int smss, long nowNs) {
        bytesAckedAccumulator = 0;
        return Math.max(flightSize / 2, 2 * smss);
    }
}

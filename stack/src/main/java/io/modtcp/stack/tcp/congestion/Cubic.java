package io.modtcp.stack.tcp.congestion;

/**
 * CUBIC congestion avoidance (RFC 9438): the window follows a cubic function of the time since the last reduction,
 * plateauing around the window at which loss last occurred (W_max), with a Reno-friendly lower bound.
 */
public final class Cubic implements CongestionAlgorithm {
    public static final CongestionAlgorithm.Factory FACTORY = Cubic::new;

    /** RFC 9438 §5: C = 0.4. */
    static final double C = 0.4;
    /** RFC 9438 §4.6: beta_cubic = 0.7. */
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private double wMaxSegments;
    private double wLastMaxSegments;
    private long epochStartNs = -1;
    private double kSeconds;
    private double cwndEpochSegments;
    private double wEstSegments;
    private long srttNs;
    private double fraction;

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public void onRttSample(long srttNs) {
        this.srttNs = srttNs;
    }

    /** RFC 9438 equation (1): W_cubic(t) = C * (t - K)^3 + W_max, in segments, t and K in seconds. */
    static double wCubic(double tSeconds, double kSeconds, double wMaxSegments) {
        double d = tSeconds - kSeconds;
        return C * d * d * d + wMaxSegments;
    }

    /** RFC 9438 equation (2): K = cubic_root((W_max - cwnd_epoch) / C). */
    static double k(double wMaxSegments, double cwndEpochSegments) {
        return Math.cbrt(Math.max(0, wMaxSegments - cwndEpochSegments) / C);
    }

    @Override
    public int onCongestionAvoidanceAck(int cwnd, int bytesAcked, int smss, long nowNs) {
        double cwndSegments = (double) cwnd / smss;
        if (epochStartNs < 0) {
            // RFC 9438 §4.2: a new congestion-avoidance epoch starts.
            epochStartNs = nowNs;
            cwndEpochSegments = cwndSegments;
            wEstSegments = cwndSegments;
            if (wMaxSegments < cwndSegments) {
                wMaxSegments = cwndSegments;
            }
            kSeconds = k(wMaxSegments, cwndEpochSegments);
        }
        double segmentsAcked = (double) bytesAcked / smss;
        // RFC 9438 §4.3: Reno-friendly estimate; alpha becomes 1 once W_est reaches W_max.
        double alpha = wEstSegments >= wMaxSegments ? 1.0 : ALPHA;
        wEstSegments += alpha * segmentsAcked / cwndSegments;

        double t = (nowNs - epochStartNs) / 1e9;
        double rtt = srttNs / 1e9;
        double target = wCubic(t + rtt, kSeconds, wMaxSegments);
        // RFC 9438 §4.4: the target is bounded to [cwnd, 1.5 * cwnd].
        target = Math.max(cwndSegments, Math.min(target, 1.5 * cwndSegments));

        double next;
        if (wCubic(t, kSeconds, wMaxSegments) < wEstSegments) {
            // RFC 9438 §4.3: Reno-friendly region.
            next = Math.max(cwndSegments, wEstSegments);
        } else {
            // RFC 9438 §4.4 and §4.5: concave and convex regions, (target - cwnd) / cwnd per segment acked.
            next = cwndSegments + (target - cwndSegments) / cwndSegments * segmentsAcked;
        }
        // Keep the fractional part so that growth of less than a byte per ACK is not lost.
        double bytes = next * smss + fraction;
        long whole = (long) Math.floor(bytes);
        fraction = bytes - whole;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(cwnd, whole));
    }

    /** RFC 9438 §4.6 and §4.7 (fast convergence): remember W_max, reduce by beta. */
    @Override
    public int ssthreshOnLoss(int cwnd, int flightSize, int smss, long nowNs) {
        double cwndSegments = (double) cwnd / smss;
        if (cwndSegments < wLastMaxSegments) {
            wMaxSegments = cwndSegments * (1 + BETA) / 2;
        } else {
            wMaxSegments = cwndSegments;
        }
        wLastMaxSegments = cwndSegments;
        epochStartNs = -1;
        fraction = 0;
        return Math.max((int) (cwnd * BETA), 2 * smss);
    }

    double wMaxSegments() {
        return wMaxSegments;
    }

    double kSeconds() {
        return kSeconds;
    }
}

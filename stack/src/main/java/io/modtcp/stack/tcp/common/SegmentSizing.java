package io.modtcp.stack.tcp.common;

/**
 * How much new data one TCP packet carries when the link segments for us (TSO/GSO): a pure function of the
 * connection's MSS, congestion window and smoothed RTT, as Linux's {@code tcp_tso_autosize} and
 * {@code tcp_mss_split_point} size it. Without TSO a packet carries at most one MSS.
 */
public final class SegmentSizing {
    /**
     * The most payload one super-segment carries: the IPv4 total-length limit (65,535) less the largest IP header we
     * write (IPv6, 40) and the largest TCP header (60).
     */
    public static final int MAX_TSO_PAYLOAD = 65535 - 40 - 60;

    /** Linux's {@code tcp_min_tso_segs}: a super-segment is worth building from two segments on. */
    static final int MIN_TSO_SEGS = 2;

    private SegmentSizing() {}

    /**
     * The payload a super-segment should carry, a multiple of {@code mss} (Linux {@code tcp_tso_autosize}): about a
     * millisecond of data at the current rate ({@code sk_pacing_rate >> sk_pacing_shift}, shift 10), plus, on
     * short paths, a share of the 64 KiB GSO limit ({@code gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log)}, log 9:
     * under 512 µs the whole of it), at most {@link #MAX_TSO_PAYLOAD}, at least {@value #MIN_TSO_SEGS} segments.
     * The rate is Linux's pacing rate, {@code cwnd / srtt} times 2 while cwnd is under half of ssthresh (slow start)
     * and times 1.2 after ({@code tcp_update_pacing_rate}). DEVIATION(Linux): the smoothed RTT stands in for the
     * minimum RTT, which this stack does not track. Without an RTT sample the goal is the GSO limit: the congestion
     * and peer windows, which the caller applies, still bound what goes out.
     *
     * @param mss payload bytes per segment
     * @param cwnd the congestion window in bytes
     * @param ssthresh the slow-start threshold in bytes
     * @param srttNs the smoothed RTT, 0 if not measured yet
     */
    public static int tsoGoal(int mss, int cwnd, int ssthresh, long srttNs) {
        if (mss <= 0) {
            throw new IllegalArgumentException("mss " + mss);
        }
        long bytes;
        if (srttNs <= 0) {
            bytes = MAX_TSO_PAYLOAD;
        } else {
            long ratioPercent = cwnd < ssthresh / 2 ? 200 : 120;
            // bytes per second = cwnd * 1e9 / srtt * ratio; ~1 ms of it is rate >> 10.
            long rate = (long) ((double) cwnd * 1e9 / srttNs * ratioPercent / 100);
            bytes = rate >> 10;
            long rttLog = (srttNs / 1000) >> 9;
            if (rttLog < 32) {
                bytes += 65536L >> rttLog;
            }
        }
        bytes = Math.min(bytes, MAX_TSO_PAYLOAD);
        long segs = Math.max(bytes / mss, MIN_TSO_SEGS);
        long most = Math.max(1, MAX_TSO_PAYLOAD / mss);
        return (int) (Math.min(segs, most) * mss);
    }

    /**
     * The payload of the next packet (Linux {@code tcp_mss_split_point}): at most {@code goal}, the unsent bytes and
     * the usable window; a packet longer than one MSS that does not reach the end of the unsent data is cut to a
     * multiple of the MSS, so that only the last segment of a burst can be short. With {@code goal == mss} this is
     * {@code min(mss, unsent, usable)}.
     */
    public static int length(int goal, int mss, int unsent, int usable) {
        int len = Math.min(goal, Math.min(unsent, usable));
        if (len > mss && len < unsent) {
            len -= len % mss;
        }
        return Math.max(0, len);
    }
}

package io.modtcp.stack.tcp.delivery;

/** RFC 6298 round-trip time estimator: SRTT, RTTVAR and RTO, with exponential backoff (§5.5). */
final class RttEstimator {
    /** Clock granularity G (RFC 6298 §2); the stack's timers are nanosecond-exact, so 1 ms is generous. */
    private static final long GRANULARITY_NS = 1_000_000L;

    /** RFC 6298 §5.7: the RTO after a SYN timeout when no RTT could be measured. */
    private static final long SYN_TIMEOUT_FALLBACK_NS = 3_000_000_000L;

    private final long minRtoNs;
    private final long maxRtoNs;
    private long srttNs;
    private long rttvarNs;
    private long baseRtoNs;
    private int backoff;
    private boolean hasSample;

    RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs) {
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.baseRtoNs = initialRtoNs;
    }

    /** RFC 6298 §2.2 and §2.3. */
    void sample(long rttNs) {
        long r = Math.max(rttNs, 1);
        if (!hasSample) {
            srttNs = r;
            rttvarNs = r / 2;
            hasSample = true;
        } else {
            // RTTVAR <- (1 - 1/4) * RTTVAR + 1/4 * |SRTT - R'|; SRTT <- (1 - 1/8) * SRTT + 1/8 * R'
            rttvarNs = rttvarNs - (rttvarNs >> 2) + (Math.abs(srttNs - r) >> 2);
            srttNs = srttNs - (srttNs >> 3) + (r >> 3);
        }
        baseRtoNs = clamp(srttNs + Math.max(GRANULARITY_NS, 4 * rttvarNs));
        backoff = 0;
    }

    /**
     * §5.7: the SYN (or SYN-ACK) timed out and no RTT sample exists: an RTO below 3 s is re-initialized to 3 s when
     * data transmission begins.
     */
    void fallBackAfterSynTimeout() {
        if (!hasSample && baseRtoNs < SYN_TIMEOUT_FALLBACK_NS) {
            baseRtoNs = Math.min(maxRtoNs, SYN_TIMEOUT_FALLBACK_NS);
        }
    }

    /** §5.5: the timer backs off by doubling, up to the maximum. */
    void backOff() {
        if (rtoNs() < maxRtoNs) {
            backoff++;
        }
    }

    /** New data acknowledged: the backed-off RTO collapses to the computed one (RFC 6298 §5.7 and Karn). */
    void resetBackoff() {
        backoff = 0;
    }

    long rtoNs() {
        long rto = baseRtoNs;
        for (int i = 0; i < backoff && rto < maxRtoNs; i++) {
            rto <<= 1;
        }
        return Math.min(rto, maxRtoNs);
    }

    long srttNs() {
        return srttNs;
    }

    long rttvarNs() {
        return rttvarNs;
    }

    boolean hasSample() {
        return hasSample;
    }

    private long clamp(long rto) {
        return Math.max(minRtoNs, Math.min(maxRtoNs, rto));
    }
}

package io.modtcp.stack.tcp.common;

import java.util.concurrent.TimeUnit;

/**
 * TCP tunables of one stack. Immutable; {@code with…} methods return a changed copy. Times are nanoseconds.
 *
 * @param sendBufferBytes default SO_SNDBUF
 * @param receiveBufferBytes default SO_RCVBUF (bounds the advertised window; beyond 64 KiB only with window scaling)
 * @param minRtoNs lower bound of the retransmission timeout (RFC 6298 §2.4 says 1 s; Linux and this default, 200 ms)
 * @param maxRtoNs upper bound of the retransmission timeout (RFC 6298 §2.5)
 * @param initialRtoNs RTO before the first RTT sample (RFC 6298 §2.1)
 * @param maxRetries consecutive RTO expiries after which a synchronized connection fails (RFC 1122 §4.2.3.5 R2)
 * @param synRetries consecutive SYN or SYN-ACK retransmissions after which the open fails
 * @param delayedAckNs delayed ACK timer (RFC 1122 §4.2.3.2: less than 500 ms)
 * @param timeWaitNs TIME-WAIT duration, 2·MSL (RFC 9293 §3.4.2)
 * @param keepIdleNs default idle time before the first keepalive probe (RFC 1122 §4.2.3.6: at least two hours)
 * @param keepIntervalNs default interval between keepalive probes
 * @param keepCount default unanswered probes after which the connection fails
 * @param challengeAckLimitPerSecond RFC 5961 §7 limit of challenge ACKs per second, per stack: each second's budget
 *     is drawn at random from [limit/2, limit*3/2) so that counting them tells an off-path attacker nothing
 *     (CVE-2016-5696, Linux's tcp_challenge_ack_limit); Integer.MAX_VALUE turns the stack-wide limit off
 * @param initialWindowSegments initial congestion window in segments (RFC 6928 allows 10)
 * @param maxOutOfOrderSegments a sanity cap on the reassembly queue's entries per connection; the queue's real bound
 *     is in bytes held (twice the receive window), so that in-window data is never dropped for being in many segments
 * @param defaultMss MSS assumed when the peer sends none (RFC 9293 §3.7.1: 536 for IPv4)
 * @param persistMinNs first zero-window probe interval
 * @param persistMaxNs largest zero-window probe interval
 * @param windowScaling offer and accept the window scale option (RFC 7323 §2)
 * @param timestamps offer and accept the timestamps option (RFC 7323 §3)
 * @param sack offer and accept SACK-permitted (RFC 2018)
 * @param maxReceiveBufferBytes the largest receive buffer a connection may grow to (sets our window scale; Linux's
 *     tcp_rmem maximum is 6 MiB)
 * @param synCookies when a listener answers a SYN with a SYN cookie (RFC 4987 §3.6; Linux's tcp_syncookies)
 * @param synBacklog the bound of a listener's SYN queue (half-open connections); 0: the listen backlog, as Linux
 * @param synAckRetries SYN-ACK retransmissions after which a half-open connection is dropped (Linux's
 *     tcp_synack_retries, 5: the entry lives about 63 s with a 1 s initial RTO)
 * @param invalidAckRateLimitNs the least time between two ACKs a connection sends in answer to invalid segments
 *     (out of window, PAWS-rejected, SYN or bad RST, ACK of unsent data); 0 turns the limit off (Linux's
 *     tcp_invalid_ratelimit, 500 ms; RFC 5961 §5.2, §7)
 * @param finWait2TimeoutNs how long an orphan (closed by the application) waits in FIN-WAIT-2 for the peer's FIN
 *     (Linux's tcp_fin_timeout, 60 s)
 * @param orphanRetries retransmission timeouts and unanswered-by-progress zero-window probes after which an orphan
 *     in FIN-WAIT-1, CLOSING or LAST-ACK is reset (Linux's tcp_orphan_retries, whose 0 default means 8)
 * @param maxOrphans orphans the stack keeps at most; a connection closed beyond it is reset (Linux's
 *     tcp_max_orphans)
 */
public record TcpConfig(
        int sendBufferBytes,
        int receiveBufferBytes,
        long minRtoNs,
        long maxRtoNs,
        long initialRtoNs,
        int maxRetries,
        int synRetries,
        long delayedAckNs,
        long timeWaitNs,
        long keepIdleNs,
        long keepIntervalNs,
        int keepCount,
        int challengeAckLimitPerSecond,
        int initialWindowSegments,
        int maxOutOfOrderSegments,
        int defaultMss,
        long persistMinNs,
        long persistMaxNs,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        int maxReceiveBufferBytes,
        SynCookieMode synCookies,
        int synBacklog,
        int synAckRetries,
        long invalidAckRateLimitNs,
        long finWait2TimeoutNs,
        int orphanRetries,
        int maxOrphans) {

    public static final TcpConfig DEFAULT = new TcpConfig(
            256 * 1024,
            256 * 1024,
            TimeUnit.MILLISECONDS.toNanos(200),
            TimeUnit.SECONDS.toNanos(60),
            TimeUnit.SECONDS.toNanos(1),
            15,
            6,
            TimeUnit.MILLISECONDS.toNanos(40),
            TimeUnit.SECONDS.toNanos(60),
            TimeUnit.HOURS.toNanos(2),
            TimeUnit.SECONDS.toNanos(75),
            9,
            1000,
            10,
            65536,
            536,
            TimeUnit.MILLISECONDS.toNanos(200),
            TimeUnit.SECONDS.toNanos(60),
            true,
            true,
            true,
            6 * 1024 * 1024,
            SynCookieMode.AUTO,
            0,
            5,
            TimeUnit.MILLISECONDS.toNanos(500),
            TimeUnit.SECONDS.toNanos(60),
            8,
            16_384);

    public TcpConfig {
        if (sendBufferBytes < 1 || receiveBufferBytes < 1) {
            throw new IllegalArgumentException("buffer sizes must be positive");
        }
        if (minRtoNs <= 0 || maxRtoNs < minRtoNs || initialRtoNs < minRtoNs) {
            throw new IllegalArgumentException("need 0 < minRto <= initialRto and minRto <= maxRto");
        }
        if (maxRetries < 1 || synRetries < 1 || keepCount < 1) {
            throw new IllegalArgumentException("retry counts must be positive");
        }
        if (maxReceiveBufferBytes < receiveBufferBytes) {
            throw new IllegalArgumentException("maxReceiveBufferBytes must be >= receiveBufferBytes");
        }
        if (synCookies == null) {
            throw new IllegalArgumentException("synCookies must be set");
        }
        if (synBacklog < 0 || synAckRetries < 1) {
            throw new IllegalArgumentException("synBacklog must be >= 0 and synAckRetries positive");
        }
        if (initialWindowSegments < 1 || maxOutOfOrderSegments < 1 || defaultMss < 64) {
            throw new IllegalArgumentException("bad window, queue or MSS setting");
        }
        if (challengeAckLimitPerSecond < 1) {
            throw badKey(
                    "challengeAckLimitPerSecond", challengeAckLimitPerSecond, ">= 1 (Integer.MAX_VALUE: no limit)");
        }
        if (invalidAckRateLimitNs < 0) {
            throw badKey("invalidAckRateLimitNs", invalidAckRateLimitNs, ">= 0 (0: no limit)");
        }
        if (finWait2TimeoutNs <= 0) {
            throw badKey("finWait2TimeoutNs", finWait2TimeoutNs, "> 0");
        }
        if (orphanRetries < 1) {
            throw badKey("orphanRetries", orphanRetries, ">= 1");
        }
        if (maxOrphans < 0) {
            throw badKey("maxOrphans", maxOrphans, ">= 0");
        }
    }

    /** A bad value, named by its key, so a start-up failure says which setting to fix. */
    private static IllegalArgumentException badKey(String key, long value, String expected) {
        return new IllegalArgumentException("TcpConfig." + key + "=" + value + ": must be " + expected);
    }

    public static Builder builder() {
        return DEFAULT.toBuilder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.sendBufferBytes = sendBufferBytes;
        b.receiveBufferBytes = receiveBufferBytes;
        b.minRtoNs = minRtoNs;
        b.maxRtoNs = maxRtoNs;
        b.initialRtoNs = initialRtoNs;
        b.maxRetries = maxRetries;
        b.synRetries = synRetries;
        b.delayedAckNs = delayedAckNs;
        b.timeWaitNs = timeWaitNs;
        b.keepIdleNs = keepIdleNs;
        b.keepIntervalNs = keepIntervalNs;
        b.keepCount = keepCount;
        b.challengeAckLimitPerSecond = challengeAckLimitPerSecond;
        b.initialWindowSegments = initialWindowSegments;
        b.maxOutOfOrderSegments = maxOutOfOrderSegments;
        b.defaultMss = defaultMss;
        b.persistMinNs = persistMinNs;
        b.persistMaxNs = persistMaxNs;
        b.windowScaling = windowScaling;
        b.timestamps = timestamps;
        b.sack = sack;
        b.maxReceiveBufferBytes = maxReceiveBufferBytes;
        b.synCookies = synCookies;
        b.synBacklog = synBacklog;
        b.synAckRetries = synAckRetries;
        b.invalidAckRateLimitNs = invalidAckRateLimitNs;
        b.finWait2TimeoutNs = finWait2TimeoutNs;
        b.orphanRetries = orphanRetries;
        b.maxOrphans = maxOrphans;
        return b;
    }

    /** Builds a {@link TcpConfig}, starting from {@link #DEFAULT}. */
    public static final class Builder {
        private int sendBufferBytes;
        private int receiveBufferBytes;
        private long minRtoNs;
        private long maxRtoNs;
        private long initialRtoNs;
        private int maxRetries;
        private int synRetries;
        private long delayedAckNs;
        private long timeWaitNs;
        private long keepIdleNs;
        private long keepIntervalNs;
        private int keepCount;
        private int challengeAckLimitPerSecond;
        private int initialWindowSegments;
        private int maxOutOfOrderSegments;
        private int defaultMss;
        private long persistMinNs;
        private long persistMaxNs;
        private boolean windowScaling;
        private boolean timestamps;
        private boolean sack;
        private int maxReceiveBufferBytes;
        private SynCookieMode synCookies;
        private int synBacklog;
        private int synAckRetries;
        private long invalidAckRateLimitNs;
        private long finWait2TimeoutNs;
        private int orphanRetries;
        private int maxOrphans;

        private Builder() {}

        public Builder synCookies(SynCookieMode value) {
            this.synCookies = value;
            return this;
        }

        public Builder synBacklog(int value) {
            this.synBacklog = value;
            return this;
        }

        public Builder synAckRetries(int value) {
            this.synAckRetries = value;
            return this;
        }

        public Builder sendBufferBytes(int value) {
            this.sendBufferBytes = value;
            return this;
        }

        public Builder receiveBufferBytes(int value) {
            this.receiveBufferBytes = value;
            return this;
        }

        public Builder minRtoNs(long value) {
            this.minRtoNs = value;
            return this;
        }

        public Builder maxRtoNs(long value) {
            this.maxRtoNs = value;
            return this;
        }

        public Builder initialRtoNs(long value) {
            this.initialRtoNs = value;
            return this;
        }

        public Builder maxRetries(int value) {
            this.maxRetries = value;
            return this;
        }

        public Builder synRetries(int value) {
            this.synRetries = value;
            return this;
        }

        public Builder delayedAckNs(long value) {
            this.delayedAckNs = value;
            return this;
        }

        public Builder timeWaitNs(long value) {
            this.timeWaitNs = value;
            return this;
        }

        public Builder keepIdleNs(long value) {
            this.keepIdleNs = value;
            return this;
        }

        public Builder keepIntervalNs(long value) {
            this.keepIntervalNs = value;
            return this;
        }

        public Builder keepCount(int value) {
            this.keepCount = value;
            return this;
        }

        public Builder challengeAckLimitPerSecond(int value) {
            this.challengeAckLimitPerSecond = value;
            return this;
        }

        public Builder initialWindowSegments(int value) {
            this.initialWindowSegments = value;
            return this;
        }

        public Builder maxOutOfOrderSegments(int value) {
            this.maxOutOfOrderSegments = value;
            return this;
        }

        public Builder defaultMss(int value) {
            this.defaultMss = value;
            return this;
        }

        public Builder persistMinNs(long value) {
            this.persistMinNs = value;
            return this;
        }

        public Builder persistMaxNs(long value) {
            this.persistMaxNs = value;
            return this;
        }

        public Builder windowScaling(boolean value) {
            this.windowScaling = value;
            return this;
        }

        public Builder timestamps(boolean value) {
            this.timestamps = value;
            return this;
        }

        public Builder sack(boolean value) {
            this.sack = value;
            return this;
        }

        public Builder maxReceiveBufferBytes(int value) {
            this.maxReceiveBufferBytes = value;
            return this;
        }

        public Builder invalidAckRateLimitNs(long value) {
            this.invalidAckRateLimitNs = value;
            return this;
        }

        public Builder finWait2TimeoutNs(long value) {
            this.finWait2TimeoutNs = value;
            return this;
        }

        public Builder orphanRetries(int value) {
            this.orphanRetries = value;
            return this;
        }

        public Builder maxOrphans(int value) {
            this.maxOrphans = value;
            return this;
        }

        public TcpConfig build() {
            return new TcpConfig(
                    sendBufferBytes,
                    receiveBufferBytes,
                    minRtoNs,
                    maxRtoNs,
                    initialRtoNs,
                    maxRetries,
                    synRetries,
                    delayedAckNs,
                    timeWaitNs,
                    keepIdleNs,
                    keepIntervalNs,
                    keepCount,
                    challengeAckLimitPerSecond,
                    initialWindowSegments,
                    maxOutOfOrderSegments,
                    defaultMss,
                    persistMinNs,
                    persistMaxNs,
                    windowScaling,
                    timestamps,
                    sack,
                    maxReceiveBufferBytes,
                    synCookies,
                    synBacklog,
                    synAckRetries,
                    invalidAckRateLimitNs,
                    finWait2TimeoutNs,
                    orphanRetries,
                    maxOrphans);
        }
    }
}

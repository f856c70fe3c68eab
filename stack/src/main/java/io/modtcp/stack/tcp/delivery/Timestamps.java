package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.wire.Seq;

/**
 * The timestamp option's state (RFC 7323): our TSval clock (a per-connection offset, RFC 7323 §7.1, and the last
 * TSval sent, so that TSval never decreases, §5.4) and TS.Recent (§4.3) for the echo and PAWS (§5). Part of
 * ReliableOrderedDelivery; the one place a TSval is computed.
 */
final class Timestamps {
    private boolean enabled;
    /** Added to the millisecond clock for TSval (RFC 7323 §7.1); set before our SYN goes out. */
    private int offset;
    /** The last TSval sent, kept so that TSval is non-decreasing (RFC 7323 §5.4). */
    private int lastTsVal;

    private boolean tsValSent;
    private int tsRecent;
    private boolean tsRecentValid;

    void initClock(int offset) {
        this.offset = offset;
    }

    void enable() {
        enabled = true;
    }

    boolean enabled() {
        return enabled;
    }

    int tsRecent() {
        return tsRecent;
    }

    /** The TSval for a segment sent now, recorded as sent. */
    int nextTsVal(long nowNs) {
        int tsVal = clock(nowNs);
        lastTsVal = tsVal;
        tsValSent = true;
        return tsVal;
    }

    /**
     * The TSval clock now (RFC 7323 §5.4: a 1 ms clock), clamped to the last TSval sent so that it never goes
     * backwards on a connection, whatever the callers' clocks say.
     */
    int clock(long nowNs) {
        int tsVal = clockAt(offset, nowNs);
        return tsValSent && Seq.lt(tsVal, lastTsVal) ? lastTsVal : tsVal;
    }

    /** The unclamped clock: milliseconds plus the connection's offset. */
    static int clockAt(int offset, long nowNs) {
        return offset + (int) (nowNs / 1_000_000L);
    }

    /** PAWS (RFC 7323 §5.3 R1): a segment whose TSval is older than TS.Recent is a stale duplicate. RSTs are exempt. */
    boolean isPawsReject(InSegment seg) {
        return enabled
                && tsRecentValid
                && !seg.isRst()
                && seg.options().hasTimestamps()
                && Seq.lt(seg.options().tsVal(), tsRecent);
    }

    /**
     * RFC 7323 §4.3 (and §5.3 R3): TS.Recent takes the TSval of a segment that covers Last.ACK.sent, so that the echo
     * reflects the segment that caused the ACK ("TS.Recent ← SEG.TSval if SEG.TSval ≥ TS.Recent and SEG.SEQ ≤
     * Last.ACK.sent"). The caller passes only segments that passed every check (sequence, RST, SYN and ACK, RFC 7323
     * §4.3 and Linux's tcp_replace_ts_recent after tcp_validate_incoming and tcp_ack): a forged segment that fails
     * one of them must not move TS.Recent, or PAWS would drop every real segment after it (a blind kill). The peer's
     * SYN sets it during the handshake; once set, a SYN never changes it (RFC 5961 §4: a SYN on a synchronized
     * connection is answered with a challenge ACK, never taken).
     */
    void onTimestamp(InSegment seg, int lastAckSent) {
        if (!seg.options().hasTimestamps()) {
            return;
        }
        int tsVal = seg.options().tsVal();
        if (seg.isSyn()
                ? !tsRecentValid
                : Seq.leq(seg.seq(), lastAckSent) && (!tsRecentValid || Seq.geq(tsVal, tsRecent))) {
            tsRecent = tsVal;
            tsRecentValid = true;
        }
    }
}

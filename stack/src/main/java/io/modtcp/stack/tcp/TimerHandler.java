package io.modtcp.stack.tcp;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.timer.TimerWheel;
import io.modtcp.stack.wire.TcpHeader;

/**
 * The connection timers (RFC 9293 §3.10.8): retransmission (RFC 6298), persist (RFC 9293 §3.8.6.1, RFC 1122
 * §4.2.2.17), keepalive (RFC 1122 §4.2.3.6), TIME-WAIT (RFC 9293 §3.6) delayed ACK (RFC 1122 §4.2.3.2), and an orphan's bounds (Linux's
 * tcp_fin_timeout for FIN-WAIT-2; tcp_orphan_retries for its retransmissions and zero-window probes). Each
 * component keeps its own deadlines; this keeps one wheel entry per connection at the earliest of them and, when
 * it fires, tells each component whose deadline is due.
 */
final class TimerHandler {
    private final TcpEngine engine;
    private final SegmentWriter writer;
    private final TcpConfig config;
    private final Counters counters;
    private final TimerWheel<TcpConnection> timers;
    /** One method reference for every poll (a fresh one per poll would allocate on the stack thread each round). */
    private final io.modtcp.stack.timer.TimerHandler<TcpConnection> onTimer = this::onTimer;

    TimerHandler(TcpEngine engine, SegmentWriter writer, TcpConfig config, Counters counters, long startNs) {
        this.engine = engine;
        this.writer = writer;
        this.config = config;
        this.counters = counters;
        this.timers = new TimerWheel<>(1_000_000L, 1024, startNs);
    }

    /** Runs every timer due at {@code nowNs}. */
    void poll(long nowNs) {
        timers.poll(nowNs, onTimer, Integer.MAX_VALUE);
    }

    /** The earliest deadline on the wheel, or {@link Long#MAX_VALUE}. */
    long nextDeadlineNs() {
        return timers.nextDeadlineNs();
    }

    /** Takes the connection off the wheel (it is gone). */
    void cancel(TcpConnection c) {
        if (c.timerHandle != TimerWheel.NULL_HANDLE) {
            timers.cancel(c.timerHandle);
            c.timerHandle = TimerWheel.NULL_HANDLE;
        }
    }

    private void onTimer(TcpConnection c, long handle, long nowNs) {
        if (handle != c.timerHandle) {
            return;
        }
        c.timerHandle = TimerWheel.NULL_HANDLE;
        c.timerDeadlineNs = Long.MAX_VALUE;
        if (c.removed) {
            return;
        }
        ConnectionView cv = c.cm.view();
        DeliveryView d = c.rod.view();
        if (due(cv.timeWaitDeadlineNs(), nowNs)) {
            c.cm.onTimeWaitExpired();
            counters.inc(Counter.TCP_TIME_WAIT_EXPIRED);
            engine.destroy(c, null);
            return;
        }
        if (due(cv.finWait2DeadlineNs(), nowNs)) {
            // An orphan waited tcp_fin_timeout for the peer's FIN: it goes silently, as Linux's FIN-WAIT-2
            // time-wait socket does; a later segment from the peer draws a RST (RFC 9293 §3.10.7.1).
            c.cm.onFinWait2Expired();
            counters.inc(Counter.TCP_FIN_WAIT2_TIMEOUTS);
            engine.destroy(c, null);
            return;
        }
        if (due(d.rtoDeadlineNs(), nowNs)) {
            onRetransmitTimeout(c, nowNs);
            if (c.removed) {
                return;
            }
        }
        if (due(d.rackTimerDeadlineNs(), nowNs)) {
            engine.onRackTimer(c, nowNs);
        }
        if (due(d.lossProbeDeadlineNs(), nowNs)) {
            engine.onLossProbeTimer(c, nowNs);
        }
        if (due(c.flow.view().persistDeadlineNs(), nowNs)) {
            onPersistTimeout(c, nowNs);
            if (c.removed) {
                return;
            }
        }
        if (due(d.delayedAckDeadlineNs(), nowNs)) {
            c.rod.onDelayedAckExpired();
            counters.inc(Counter.TCP_DELAYED_ACKS);
        }
        if (due(cv.keepaliveDeadlineNs(), nowNs)) {
            ConnectionManagement.KeepaliveAction action = c.cm.onKeepaliveExpired(nowNs);
            if (action == ConnectionManagement.KeepaliveAction.TIMED_OUT) {
                counters.inc(Counter.TCP_KEEPALIVE_TIMEOUTS);
                engine.fail(c, TcpError.TIMED_OUT);
                return;
            }
            if (action == ConnectionManagement.KeepaliveAction.SEND_PROBE) {
                // RFC 1122 §4.2.3.6: a probe with SEG.SEQ = SND.NXT - 1 and no data draws an ACK.
                counters.inc(Counter.TCP_KEEPALIVE_PROBES);
                writer.sendSegment(c, d.sndNxt() - 1, 0, TcpHeader.ACK, false, nowNs);
            }
        }
        engine.output(c, nowNs);
    }

    private static boolean due(long deadlineNs, long nowNs) {
        return deadlineNs != Long.MAX_VALUE && deadlineNs - nowNs <= 0;
    }

    private void onRetransmitTimeout(TcpConnection c, long nowNs) {
        TcpState state = c.state();
        boolean opening = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        // A half-open passive connection gives up after synAckRetries (Linux's tcp_synack_retries: ~63 s); an orphan
        // gets tcp_orphan_retries retransmissions, not tcp_retries2 (Linux's tcp_write_timeout).
        boolean orphan = c.cm.view().isOrphan() && !opening;
        int retries = opening
                ? state == TcpState.SYN_RECEIVED && c.cm.view().isPassiveOpen()
                        ? config.synAckRetries()
                        : config.synRetries()
                : orphan ? Math.min(config.orphanRetries(), config.maxRetries()) : config.maxRetries();
        // F-RTO (RFC 5682) as Linux's tcp_enter_loss: not on the first expiry that interrupts a fast recovery.
        boolean sackOk = c.cm.view().sackOk();
        boolean frto = sackOk && (!c.cc.view().inFastRecovery() || c.rod.view().retries() > 0);
        ReliableOrderedDelivery.RtoOutcome outcome = c.rod.onRtoExpired(nowNs, retries, sackOk, frto);
        if (outcome == ReliableOrderedDelivery.RtoOutcome.GIVE_UP) {
            counters.inc(Counter.TCP_TIMEOUTS);
            if (orphan) {
                counters.inc(Counter.TCP_ORPHAN_TIMEOUTS);
            }
            if (state == TcpState.SYN_SENT) {
                counters.inc(Counter.TCP_ATTEMPT_FAILS);
            }
            if (state == TcpState.SYN_RECEIVED && c.cm.view().isPassiveOpen()) {
                c.cm.onFailure(TcpError.TIMED_OUT);
                engine.destroy(c, TcpError.TIMED_OUT);
            } else {
                engine.fail(c, TcpError.TIMED_OUT);
            }
            return;
        }
        counters.inc(Counter.TCP_RTO_EXPIRIES);
        boolean sackKept = outcome == ReliableOrderedDelivery.RtoOutcome.RETRANSMIT_LOST;
        c.cc.onRetransmitTimeout(c.rod.view(), nowNs, sackKept, sackKept ? c.rod.rackPipe() : 0);
        engine.observer()
                .retransmitTimeout(c, c.rod.view().rtoNs(), c.rod.view().retries());
    }

    /**
     * The persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17). A zero window is probed with SEG.SEQ = SND.UNA - 1
     * and no data, which the peer must answer with an ACK carrying its window (Linux's probe); a small non-zero
     * window that silly-window avoidance kept us from using is used now (the RFC 9293 §3.8.6.2.1 override timeout).
     */
    private void onPersistTimeout(TcpConnection c, long nowNs) {
        if (c.flow.onPersistExpired(nowNs, c.rod.view().rtoNs())) {
            if (c.cm.onOrphanProbe(config.orphanRetries())) {
                // Linux's tcp_probe_timer: an orphan whose peer keeps its window shut goes after tcp_orphan_retries
                // probes without progress (RFC 1122 §4.2.2.17 keeps probing as long as a live socket wants).
                counters.inc(Counter.TCP_TIMEOUTS);
                counters.inc(Counter.TCP_ORPHAN_TIMEOUTS);
                engine.fail(c, TcpError.TIMED_OUT);
                return;
            }
            counters.inc(Counter.TCP_ZERO_WINDOW_PROBES);
            writer.sendSegment(c, c.rod.view().sndUna() - 1, 0, TcpHeader.ACK, false, nowNs);
        }
    }

    /** Keeps one wheel entry per connection, at the earliest of its component deadlines. */
    void updateTimer(TcpConnection c) {
        if (c.removed) {
            return;
        }
        DeliveryView d = c.rod.view();
        ConnectionView cv = c.cm.view();
        long deadline = Math.min(
                Math.min(
                        Math.min(d.rtoDeadlineNs(), d.delayedAckDeadlineNs()),
                        Math.min(d.rackTimerDeadlineNs(), d.lossProbeDeadlineNs())),
                Math.min(
                        c.flow.view().persistDeadlineNs(),
                        Math.min(
                                Math.min(cv.keepaliveDeadlineNs(), cv.timeWaitDeadlineNs()), cv.finWait2DeadlineNs())));
        if (deadline == c.timerDeadlineNs) {
            return;
        }
        if (c.timerHandle != TimerWheel.NULL_HANDLE) {
            timers.cancel(c.timerHandle);
            c.timerHandle = TimerWheel.NULL_HANDLE;
        }
        c.timerDeadlineNs = deadline;
        if (deadline != Long.MAX_VALUE) {
            c.timerHandle = timers.schedule(c, deadline);
        }
    }
}

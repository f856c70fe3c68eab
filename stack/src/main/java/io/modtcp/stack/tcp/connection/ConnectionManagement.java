package io.modtcp.stack.tcp.connection;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.IpAddr;

/**
 * The connection state machine. Every state change of a connection happens here; see the package documentation
 * for what it owns.
 */
public final class ConnectionManagement {
    /** A deadline that is not armed. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** RFC 9293 §3.7.1 default send MSS for IPv6. */
    public static final int IPV6_DEFAULT_MSS = 1220;

    private TcpState state = TcpState.CLOSED;
    private IpAddr localAddr = IpAddr.ANY4;
    private int localPort;
    private IpAddr remoteAddr = IpAddr.ANY4;
    private int remotePort;
    private int localMss;
    private int sendMss;
    private boolean passiveOpen;
    private boolean windowScaleOk;
    private int peerWindowShift;
    private boolean timestampsOk;
    private boolean sackOk;

    private boolean noDelay;
    private boolean keepAlive;
    private long keepIdleNs;
    private long keepIntervalNs;
    private int keepCount;
    private int lingerSeconds = -1;

    private boolean finRequested;
    private TcpError error;

    private long keepaliveDeadlineNs = NO_DEADLINE;
    private int keepaliveProbesSent;
    private long timeWaitDeadlineNs = NO_DEADLINE;

    /** The application closed the socket: nobody will read or write again (Linux's SOCK_DEAD orphan). */
    private boolean orphan;
    /** Counted against the stack's orphan limit (set here, cleared by {@link #onOrphanReleased}). */
    private boolean orphanAccounted;
    /** Zero-window probes sent while an orphan without the peer acknowledging anything new. */
    private int orphanProbes;

    private final long finWait2TimeoutNs;
    private long finWait2DeadlineNs = NO_DEADLINE;

    /** When the last ACK answering an invalid segment went out (Linux's last_oow_ack_time). */
    private long lastInvalidAckNs;

    private boolean invalidAckSent;

    private final ConnectionView view = new View();

    public ConnectionManagement(TcpConfig config) {
        this.keepIdleNs = config.keepIdleNs();
        this.keepIntervalNs = config.keepIntervalNs();
        this.keepCount = config.keepCount();
        this.sendMss = config.defaultMss();
        this.finWait2TimeoutNs = config.finWait2TimeoutNs();
    }

    public ConnectionView view() {
        return view;
    }

    // ---- opening (RFC 9293 §3.5, §3.10.1) ----

    /** OPEN call, active: CLOSED → SYN-SENT. */
    public void openActive(IpAddr localAddr, int localPort, IpAddr remoteAddr, int remotePort, int localMss) {
        requireState(TcpState.CLOSED);
        setTuple(localAddr, localPort, remoteAddr, remotePort, localMss);
        state = TcpState.SYN_SENT;
    }

    /** A SYN arrived for a listener (RFC 9293 §3.10.7.2): a new connection, CLOSED → SYN-RECEIVED. */
    public void openPassive(IpAddr localAddr, int localPort, IpAddr remoteAddr, int remotePort, int localMss) {
        requireState(TcpState.CLOSED);
        setTuple(localAddr, localPort, remoteAddr, remotePort, localMss);
        passiveOpen = true;
        state = TcpState.SYN_RECEIVED;
    }

    private void setTuple(IpAddr localAddr, int localPort, IpAddr remoteAddr, int remotePort, int localMss) {
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.localMss = localMss;
        this.sendMss = Math.min(sendMss, localMss);
    }

    /**
     * Takes the options of the peer's SYN. RFC 9293 §3.7.1: without an MSS option the default (536 for IPv4) is
     * assumed; RFC 6691: the effective send MSS is the smaller of the peer's and our own.
     */
    public void negotiate(InSegment syn, TcpConfig config) {
        int peerMss = syn.options().mss();
        // RFC 9293 §3.7.1: without the option, 536 for IPv4 and 1220 for IPv6 (the minimum IPv6 MTU less 60).
        int mss = peerMss > 0 ? peerMss : localAddr.isV4() ? config.defaultMss() : IPV6_DEFAULT_MSS;
        sendMss = Math.max(64, Math.min(mss, localMss));
        // RFC 7323 §2.2 and §3.2, RFC 2018 §2: an option is in use only when both SYNs carried it. We offer what the
        // configuration allows (on a SYN-ACK, only what the peer offered), so "both" is config AND peer.
        windowScaleOk = config.windowScaling() && syn.options().windowScale() >= 0;
        peerWindowShift = windowScaleOk ? Math.min(14, syn.options().windowScale()) : 0;
        timestampsOk = config.timestamps() && syn.options().hasTimestamps();
        sackOk = config.sack() && syn.options().sackPermitted();
    }

    /**
     * The options of a connection rebuilt from a SYN cookie (RFC 4987 §3.6): the MSS from the cookie's table, window
     * scaling and SACK as the timestamp echo encoded them, timestamps if the ACK carries them (Linux's
     * cookie_timestamp_decode). {@code peerWindowShift} -1: no window scaling.
     */
    public void negotiateFromCookie(int peerMss, int peerWindowShift, boolean sack, boolean timestamps) {
        sendMss = Math.max(64, Math.min(peerMss, localMss));
        windowScaleOk = peerWindowShift >= 0;
        this.peerWindowShift = windowScaleOk ? Math.min(14, peerWindowShift) : 0;
        timestampsOk = timestamps;
        sackOk = sack;
    }

    /**
     * The path MTU dropped (RFC 1191 §6.3, RFC 8201 §5.4): the send MSS shrinks to what the path carries, never below
     * {@code floor}.
     *
     * @return true if the send MSS became smaller
     */
    public boolean onPathMssReduced(int pathMss, int floor) {
        int mss = Math.max(floor, pathMss);
        if (mss >= sendMss) {
            return false;
        }
        sendMss = mss;
        return true;
    }

    /** Our SYN was acknowledged by a SYN-ACK in SYN-SENT (RFC 9293 §3.10.7.3): → ESTABLISHED. */
    public void onSynAckReceived() {
        requireState(TcpState.SYN_SENT);
        state = TcpState.ESTABLISHED;
    }

    /** A bare SYN in SYN-SENT: simultaneous open (RFC 9293 §3.5, figure 7): → SYN-RECEIVED. */
    public void onSimultaneousOpen() {
        requireState(TcpState.SYN_SENT);
        state = TcpState.SYN_RECEIVED;
    }

    /**
     * An acceptable ACK in SYN-RECEIVED (RFC 9293 §3.10.7.4, fifth step): → ESTABLISHED, or straight to FIN-WAIT-1
     * when the application closed while the handshake was in progress.
     */
    public void onHandshakeAcked() {
        requireState(TcpState.SYN_RECEIVED);
        state = finRequested ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
    }

    // ---- closing (RFC 9293 §3.6, §3.10.4) ----

    /** What the orchestrator must do after the application's CLOSE (or shutdown of output). */
    public enum CloseAction {
        /** Queue a FIN after the data already queued. */
        SEND_FIN,
        /** Nothing was ever sent: delete the connection at once. */
        DELETE,
        /** Already closing: nothing more to do. */
        NONE
    }

    /**
     * CLOSE call (RFC 9293 §3.10.4): ESTABLISHED → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK; in SYN-SENT the connection is
     * deleted; in SYN-RECEIVED the FIN waits for the handshake to complete.
     */
    public CloseAction onUserClose() {
        if (finRequested) {
            return CloseAction.NONE;
        }
        switch (state) {
            case SYN_SENT:
            case CLOSED:
            case LISTEN:
                state = TcpState.CLOSED;
                return CloseAction.DELETE;
            case SYN_RECEIVED:
                finRequested = true;
                return CloseAction.SEND_FIN;
            case ESTABLISHED:
                finRequested = true;
                state = TcpState.FIN_WAIT_1;
                return CloseAction.SEND_FIN;
            case CLOSE_WAIT:
                finRequested = true;
                state = TcpState.LAST_ACK;
                return CloseAction.SEND_FIN;
            default:
                return CloseAction.NONE;
        }
    }

    /**
     * The peer's FIN has been consumed in order (RFC 9293 §3.10.7.4, eighth step). {@code ourFinAcked} says whether
     * our own FIN, if any, is acknowledged.
     *
     * @return true if the connection entered TIME-WAIT
     */
    public boolean onFinReceived(boolean ourFinAcked, long nowNs, long timeWaitNs) {
        switch (state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
                state = TcpState.CLOSE_WAIT;
                return false;
            case FIN_WAIT_1:
                if (ourFinAcked) {
                    enterTimeWait(nowNs, timeWaitNs);
                    return true;
                }
                state = TcpState.CLOSING;
                return false;
            case FIN_WAIT_2:
                enterTimeWait(nowNs, timeWaitNs);
                return true;
            case TIME_WAIT:
                // A retransmitted FIN restarts the 2 MSL timeout.
                enterTimeWait(nowNs, timeWaitNs);
                return true;
            default:
                return false;
        }
    }

    /**
     * Our FIN is acknowledged (RFC 9293 §3.10.7.4, fifth step): FIN-WAIT-1 → FIN-WAIT-2, CLOSING → TIME-WAIT,
     * LAST-ACK → CLOSED.
     */
    public void onOurFinAcked(long nowNs, long timeWaitNs) {
        switch (state) {
            case FIN_WAIT_1:
                state = TcpState.FIN_WAIT_2;
                armFinWait2(nowNs);
                break;
            case CLOSING:
                enterTimeWait(nowNs, timeWaitNs);
                break;
            case LAST_ACK:
                state = TcpState.CLOSED;
                break;
            default:
                break;
        }
    }

    private void enterTimeWait(long nowNs, long timeWaitNs) {
        state = TcpState.TIME_WAIT;
        timeWaitDeadlineNs = nowNs + timeWaitNs;
        keepaliveDeadlineNs = NO_DEADLINE;
        finWait2DeadlineNs = NO_DEADLINE;
    }

    // ---- orphans (Linux: tcp_close, tcp_fin_timeout, tcp_orphan_retries, tcp_max_orphans) ----

    /**
     * The application closed the socket (after {@link #onUserClose}): the connection finishes on its own. An orphan
     * in FIN-WAIT-2 waits at most the FIN-WAIT-2 timeout for the peer's FIN (RFC 9293 §3.6 lets FIN-WAIT-2 last
     * forever; Linux's tcp_fin_timeout bounds it for orphans, since nobody could read what the peer sends).
     *
     * @return true if it just became an orphan that counts against the stack's orphan limit (not TIME-WAIT or
     *     CLOSED, and not an orphan already)
     */
    public boolean onOrphaned(long nowNs) {
        if (orphan) {
            return false;
        }
        orphan = true;
        if (state == TcpState.FIN_WAIT_2) {
            armFinWait2(nowNs);
        }
        orphanAccounted = state != TcpState.CLOSED
                && state != TcpState.LISTEN
                && state != TcpState.SYN_SENT
                && state != TcpState.TIME_WAIT;
        return orphanAccounted;
    }

    private void armFinWait2(long nowNs) {
        if (orphan && finWait2DeadlineNs == NO_DEADLINE) {
            finWait2DeadlineNs = nowNs + finWait2TimeoutNs;
        }
    }

    /** The FIN-WAIT-2 timeout of an orphan expired: → CLOSED (silently, as Linux's FIN-WAIT-2 time-wait socket). */
    public void onFinWait2Expired() {
        requireState(TcpState.FIN_WAIT_2);
        finWait2DeadlineNs = NO_DEADLINE;
        state = TcpState.CLOSED;
    }

    /**
     * The persist timer sent a zero-window probe. An orphan has a budget of {@code orphanRetries} probes without
     * progress (Linux's tcp_probe_timer with tcp_orphan_retries): a peer that keeps its window shut cannot hold an
     * orphan forever, although RFC 1122 §4.2.2.17 keeps a live connection probing as long as the peer answers.
     *
     * @return true if the budget is spent and the orphan must go
     */
    public boolean onOrphanProbe(int orphanRetries) {
        if (!orphan) {
            return false;
        }
        return ++orphanProbes > orphanRetries;
    }

    /**
     * The orchestrator took the orphan off the stack's orphan count (it entered TIME-WAIT or left the stack); only
     * the orchestrator, which keeps the count, clears the mark, so the count and the marks always agree.
     */
    public void onOrphanReleased() {
        orphanAccounted = false;
    }

    /** The peer acknowledged new data: the orphan's probe budget starts again. */
    public void onProgress() {
        orphanProbes = 0;
    }

    // ---- answers to invalid segments (RFC 5961 §5.2, §7; Linux's tcp_oow_rate_limited) ----

    /**
     * May an ACK answering an invalid segment (out of window, PAWS-rejected, a SYN or a bad RST, an ACK of unsent data)
     * go out now? At most one per {@code limitNs} per connection (Linux's tcp_invalid_ratelimit, 500 ms): two
     * stacks that disagree about the sequence space (after an injected segment) otherwise answer each other's ACKs
     * forever, and an attacker gets one segment out for each it sends. A limit of 0 allows every ACK.
     */
    public boolean allowInvalidSegmentAck(long nowNs, long limitNs) {
        if (limitNs > 0 && invalidAckSent && nowNs - lastInvalidAckNs < limitNs) {
            return false;
        }
        invalidAckSent = true;
        lastInvalidAckNs = nowNs;
        return true;
    }

    /** The TIME-WAIT timeout expired: → CLOSED. */
    public void onTimeWaitExpired() {
        requireState(TcpState.TIME_WAIT);
        timeWaitDeadlineNs = NO_DEADLINE;
        state = TcpState.CLOSED;
    }

    /** The connection ends abnormally (reset received, abort, timeout): → CLOSED with a reason. */
    public void onFailure(TcpError reason) {
        if (error == null) {
            error = reason;
        }
        state = TcpState.CLOSED;
        keepaliveDeadlineNs = NO_DEADLINE;
        timeWaitDeadlineNs = NO_DEADLINE;
        finWait2DeadlineNs = NO_DEADLINE;
    }

    /** A SYN-RECEIVED connection that came from LISTEN and was reset goes away silently (RFC 9293 §3.10.7.4). */
    public void onResetInSynReceived() {
        state = TcpState.CLOSED;
    }

    // ---- application flags ----

    public void noDelay(boolean on) {
        noDelay = on;
    }

    public void lingerSeconds(int seconds) {
        lingerSeconds = seconds;
    }

    /** SO_KEEPALIVE with its timing; a zero or negative time keeps the current one. */
    public void keepAlive(boolean on, long idleNs, long intervalNs, int count, long nowNs) {
        keepAlive = on;
        if (idleNs > 0) {
            keepIdleNs = idleNs;
        }
        if (intervalNs > 0) {
            keepIntervalNs = intervalNs;
        }
        if (count > 0) {
            keepCount = count;
        }
        onSegmentReceived(nowNs);
    }

    // ---- keepalive (RFC 1122 §4.2.3.6) ----

    /** Any segment from the peer shows it is alive: restart the idle timer. */
    public void onSegmentReceived(long nowNs) {
        keepaliveProbesSent = 0;
        keepaliveDeadlineNs =
                keepAlive && state.isSynchronized() && state != TcpState.TIME_WAIT ? nowNs + keepIdleNs : NO_DEADLINE;
    }

    /** What the keepalive timer's expiry asks for. */
    public enum KeepaliveAction {
        SEND_PROBE,
        TIMED_OUT,
        NONE
    }

    public KeepaliveAction onKeepaliveExpired(long nowNs) {
        if (!keepAlive || !state.isSynchronized()) {
            keepaliveDeadlineNs = NO_DEADLINE;
            return KeepaliveAction.NONE;
        }
        if (keepaliveProbesSent >= keepCount) {
            keepaliveDeadlineNs = NO_DEADLINE;
            return KeepaliveAction.TIMED_OUT;
        }
        keepaliveProbesSent++;
        keepaliveDeadlineNs = nowNs + keepIntervalNs;
        return KeepaliveAction.SEND_PROBE;
    }

    private void requireState(TcpState expected) {
        if (state != expected) {
            throw new IllegalStateException("expected " + expected + " but in " + state);
        }
    }

    private final class View implements ConnectionView {
        @Override
        public boolean windowScaleOk() {
            return windowScaleOk;
        }

        @Override
        public int peerWindowShift() {
            return peerWindowShift;
        }

        @Override
        public boolean timestampsOk() {
            return timestampsOk;
        }

        @Override
        public boolean sackOk() {
            return sackOk;
        }

        @Override
        public TcpState state() {
            return state;
        }

        @Override
        public IpAddr localAddr() {
            return localAddr;
        }

        @Override
        public int localPort() {
            return localPort;
        }

        @Override
        public IpAddr remoteAddr() {
            return remoteAddr;
        }

        @Override
        public int remotePort() {
            return remotePort;
        }

        @Override
        public int sendMss() {
            return sendMss;
        }

        @Override
        public int localMss() {
            return localMss;
        }

        @Override
        public boolean noDelay() {
            return noDelay;
        }

        @Override
        public boolean keepAlive() {
            return keepAlive;
        }

        @Override
        public boolean finRequested() {
            return finRequested;
        }

        @Override
        public int lingerSeconds() {
            return lingerSeconds;
        }

        @Override
        public long keepaliveDeadlineNs() {
            return keepaliveDeadlineNs;
        }

        @Override
        public long timeWaitDeadlineNs() {
            return timeWaitDeadlineNs;
        }

        @Override
        public long finWait2DeadlineNs() {
            return finWait2DeadlineNs;
        }

        @Override
        public boolean isOrphan() {
            return orphan;
        }

        @Override
        public boolean isOrphanAccounted() {
            return orphanAccounted;
        }

        @Override
        public TcpError error() {
            return error;
        }

        @Override
        public boolean isPassiveOpen() {
            return passiveOpen;
        }

        @Override
        public String toString() {
            return state + " " + localAddr + ":" + localPort + " " + remoteAddr + ":" + remotePort;
        }
    }
}

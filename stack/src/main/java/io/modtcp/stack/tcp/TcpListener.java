package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.wire.IpAddr;

/**
 * A listening endpoint (RFC 9293 LISTEN). The SYN queue holds children in SYN-RECEIVED, the accept queue those
 * established and not yet accepted; both are bounded by the backlog (Linux uses the backlog for both too).
 */
public final class TcpListener {
    private final IpAddr localAddr;
    private final int localPort;
    private final int backlog;
    private final ListenerHandler handler;
    int synQueued;
    int acceptQueued;
    boolean closed;
    /**
     * When this listener last sent a SYN cookie (Linux's synq_overflow_ts): in {@code auto} mode an ACK that matches
     * no connection is checked as a cookie only within two cookie periods of it. {@link Long#MIN_VALUE}: never.
     */
    long lastCookieSentNs = Long.MIN_VALUE;

    CongestionAlgorithm.Factory congestion;

    TcpListener(
            IpAddr localAddr,
            int localPort,
            int backlog,
            ListenerHandler handler,
            CongestionAlgorithm.Factory congestion) {
        this.congestion = congestion;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.backlog = backlog;
        this.handler = handler;
    }

    public IpAddr localAddr() {
        return localAddr;
    }

    public int localPort() {
        return localPort;
    }

    public int backlog() {
        return backlog;
    }

    public int synQueued() {
        return synQueued;
    }

    public int acceptQueued() {
        return acceptQueued;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The algorithm accepted connections use; null for the stack's default. */
    CongestionAlgorithm.Factory congestion() {
        return congestion;
    }

    ListenerHandler handler() {
        return handler;
    }

    /**
     * This listener as a row of ss's table: state LISTEN, the wildcard of its family as peer, and, as Linux reports a
     * listener, the accept queue's length as Recv-Q and the backlog as Send-Q.
     */
    public ConnectionInfo info() {
        IpAddr any = localAddr.isV4() ? IpAddr.ANY4 : IpAddr.ANY6;
        return new ConnectionInfo(
                TcpState.LISTEN,
                localAddr,
                localPort,
                any,
                0,
                backlog,
                acceptQueued,
                0,
                0,
                0,
                Long.MAX_VALUE,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                false);
    }

    @Override
    public String toString() {
        return "LISTEN " + localAddr + ":" + localPort;
    }
}

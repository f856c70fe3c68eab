package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;

/**
 * What the orchestrator reports about a connection's life, for tools (the JFR events of {@code io.modtcp.stack.jfr}).
 * Called on the stack thread only, never on the per-segment path unless something happened (a state change, a
 * retransmission, an RTO, a recovery episode): an implementation checks whether anyone listens and returns at once
 * when not, allocating nothing. An implementation must not throw and must not call back into the stack.
 */
public interface TcpObserver {
    /** Observes nothing. */
    TcpObserver NONE = new TcpObserver() {};

    /** A connection was created: SYN sent (active open) or received (passive open, RFC 9293 §3.10.7.2). */
    default void opened(TcpConnection c, boolean active) {}

    /** RFC 9293 §3.3.2: the connection went from {@code from} to {@code to} (CLOSED when it is gone). */
    default void stateChanged(TcpConnection c, TcpState from, TcpState to) {}

    /** The connection is gone; {@code error} is null for an orderly end. */
    default void closed(TcpConnection c, TcpError error) {}

    /** A segment covering {@code [seq, seq + length)} (SYN and FIN counted) was sent again. */
    default void retransmitted(TcpConnection c, int seq, int length) {}

    /** The retransmission timer expired (RFC 6298 §5.4 to §5.7): {@code rtoNs} is the backed-off value now armed. */
    default void retransmitTimeout(TcpConnection c, long rtoNs, int retries) {}

    /** Loss recovery began (RFC 6675 §5 / RFC 8985 with SACK, RFC 6582 without). */
    default void recoveryEntered(TcpConnection c, boolean sack) {}

    /** Loss recovery ended after {@code durationNs}. */
    default void recoveryExited(TcpConnection c, long durationNs) {}
}

package io.modtcp.stack.tcp.connection;

import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.IpAddr;

/** Read-only view of {@link ConnectionManagement}. */
public interface ConnectionView {
    TcpState state();

    IpAddr localAddr();

    int localPort();

    IpAddr remoteAddr();

    int remotePort();

    /** The effective MSS for segments we send: min(peer's MSS option or the default, our own). */
    int sendMss();

    /** The MSS we advertise, from the route's MTU. */
    int localMss();

    boolean noDelay();

    boolean keepAlive();

    /** True once the application asked to close or shut down output: a FIN follows the queued data. */
    boolean finRequested();

    /** The linger time in seconds, or -1 when SO_LINGER is off. */
    int lingerSeconds();

    long keepaliveDeadlineNs();

    long timeWaitDeadlineNs();

    /** When an orphan's FIN-WAIT-2 timeout expires, or {@link ConnectionManagement#NO_DEADLINE}. */
    long finWait2DeadlineNs();

    /** The application closed the socket; the connection finishes on its own. */
    boolean isOrphan();

    /** An orphan that counts against the stack's orphan limit (not yet in TIME-WAIT or CLOSED). */
    boolean isOrphanAccounted();

    /** Why the connection ended, or null. */
    TcpError error();

    boolean isPassiveOpen();

    /** Both SYNs carried the window scale option (RFC 7323 §2.2). */
    boolean windowScaleOk();

    /** The shift the peer announced (its receive window scale, our send window scale), 0 if not in use. */
    int peerWindowShift();

    /** Both SYNs carried timestamps (RFC 7323 §3.2): every segment carries them from now on. */
    boolean timestampsOk();

    /** Both SYNs carried SACK-permitted (RFC 2018 §2). */
    boolean sackOk();
}

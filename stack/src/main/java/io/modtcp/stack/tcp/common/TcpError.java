package io.modtcp.stack.tcp.common;

/** Why a connection ended abnormally; the socket layer maps these to JDK exceptions in one place. */
public enum TcpError {
    /** RST in SYN-SENT (RFC 9293 §3.10.7.3): "Connection refused". */
    REFUSED,
    /** RST in a synchronized state: "Connection reset". */
    RESET,
    /** Retransmission, SYN or keepalive retries exhausted. */
    TIMED_OUT,
    /** The local application aborted the connection. */
    ABORTED,
    /** A destination unreachable answer (ICMP) during the handshake. */
    UNREACHABLE
}

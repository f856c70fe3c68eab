package io.modtcp.stack.tcp.common;

/** The eleven TCP connection states (RFC 9293 §3.3.2). */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    private final String label = name().replace('_', '-');

    /** True once the handshake has completed (RFC 9293 §3.10.7.4's "synchronized" states). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** States in which arriving segment text is accepted (RFC 9293 §3.10.7.4, seventh step). */
    public boolean canReceiveData() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /** States in which the application may still queue data to send. */
    public boolean canQueueData() {
        return this == SYN_SENT || this == SYN_RECEIVED || this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** States in which queued data may be transmitted. */
    public boolean canTransmitData() {
        return this == ESTABLISHED || this == CLOSE_WAIT || this == FIN_WAIT_1 || this == LAST_ACK || this == CLOSING;
    }

    @Override
    public String toString() {
        return label;
    }
}

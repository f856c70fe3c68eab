package io.modtcp.stack.tcp;

/** What a listener tells its socket. Called on the stack thread; implementations must not block. */
public interface ListenerHandler {
    /** A SYN created {@code child}; returns the handler that will receive its events. */
    ConnectionHandler newChild(TcpListener listener, TcpConnection child);

    /** {@code child} completed its handshake and waits in the accept queue. */
    void onAcceptable(TcpListener listener, TcpConnection child);
}

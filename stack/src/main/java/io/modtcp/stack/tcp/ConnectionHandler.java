package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.common.TcpError;
import io.netty.buffer.ByteBuf;

/** What a connection tells its socket. Called on the stack thread; implementations must not block. */
public interface ConnectionHandler {
    /** The handshake completed. */
    void onEstablished(TcpConnection connection);

    /** In-order bytes arrived; ownership of {@code data} passes. */
    void onData(TcpConnection connection, ByteBuf data);

    /** The peer's FIN arrived in order: end of stream after the data already delivered. */
    void onFin(TcpConnection connection);

    /** {@code bytes} of queued data were acknowledged: send-buffer space is free again. */
    void onAcked(TcpConnection connection, int bytes);

    /**
     * The connection is gone from the stack. {@code error} is null after an orderly close, else the reason (reset,
     * refused, timed out, aborted).
     */
    void onClosed(TcpConnection connection, TcpError error);

    /**
     * Bytes delivered that the application has not read yet (Linux's Recv-Q), or -1 when the handler does not keep
     * that figure (then the stack's own count, which includes reads not yet reported, stands in). For tools only.
     */
    default int unreadBytes(TcpConnection connection) {
        return -1;
    }
}

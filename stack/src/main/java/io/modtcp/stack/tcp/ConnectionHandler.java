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
}

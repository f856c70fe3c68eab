package io.modtcp.stack.tcp.delivery;

import io.netty.buffer.ByteBuf;

/** Where in-order payload goes (the socket's receive buffer). */
@FunctionalInterface
public interface PayloadSink {
    /** Takes ownership of {@code data}. */
    void deliver(ByteBuf data);
}

package io.modtcp.stack.ip;

import io.modtcp.stack.wire.IpAddr;
import io.netty.buffer.ByteBuf;

/** A transport protocol above IP (TCP); the IP layer hands it validated packets addressed to this host. */
public interface TransportHandler {
    /**
     * One transport segment: {@code length} bytes at {@code offset} in {@code packet}. The packet stays owned by
     * the caller; retain slices of it to keep bytes.
     */
    void onSegment(IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, long nowNs);
}

package io.modtcp.stack.ip;

import io.modtcp.stack.wire.IpAddr;
import io.netty.buffer.ByteBuf;

/** A transport protocol above IP (TCP); the IP layer hands it validated packets addressed to this host. */
public interface TransportHandler {
    /**
     * One transport segment: {@code length} bytes at {@code offset} in {@code packet}, which may exceed the MTU (a
     * super-segment from an offloading link). The packet stays owned by the caller; retain slices of it to keep
     * bytes.
     *
     * @param checksumOk the link vouched for the transport checksum (verified by the device, or partial from the
     *     local kernel, {@link io.modtcp.stack.link.Offload#RX_CSUM_OK}): do not verify it
     */
    void onSegment(IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, boolean checksumOk, long nowNs);

    /**
     * An ICMP "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big" (RFC 8201) about a segment we sent from
     * {@code local:localPort} to {@code remote:remotePort} with sequence number {@code seq}: the path takes at most
     * {@code mtu} bytes.
     */
    default void onPathMtu(IpAddr local, int localPort, IpAddr remote, int remotePort, int seq, int mtu, long nowNs) {}
}

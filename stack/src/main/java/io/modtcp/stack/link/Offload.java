package io.modtcp.stack.link;

/**
 * Offload metadata that crosses the {@link Link} boundary, modelled on Linux's {@code skb->ip_summed} and GSO fields.
 *
 * <p>Transmit: a link that returns {@link #TX_CSUM} from {@link Link#txOffloads()} takes TCP packets whose checksum
 * field holds only the pseudo-header sum (Linux's {@code CHECKSUM_PARTIAL}); the link, or the device behind it,
 * completes the checksum. With {@link #TX_TSO4}/{@link #TX_TSO6} it also takes TCP packets of up to
 * {@link #MAX_TSO_PACKET} bytes, larger than its MTU, and cuts their payload into segments of a given size where it
 * must (TSO/GSO). Such packets go through {@link Link#transmitOffloaded}.
 *
 * <p>Receive: a link hands a packet to {@link Link.PacketSink#accept(io.netty.buffer.ByteBuf, int)} with
 * {@link #RX_CSUM_OK} when its transport checksum needs no verification (verified by the device, or partial because
 * the packet was built by the local kernel and never crossed a wire), and {@link #RX_GSO} when it is a super-segment
 * that may exceed the link's MTU. Both are hints the link derived from a header it validated; a link that cannot vouch
 * for a packet passes 0, and the packet is checked in full.
 */
public final class Offload {
    /** Transmit: TCP packets may carry a partial checksum (pseudo-header sum only). */
    public static final int TX_CSUM = 1;
    /** Transmit: IPv4 TCP packets may be super-segments (implies {@link #TX_CSUM}). */
    public static final int TX_TSO4 = 2;
    /** Transmit: IPv6 TCP packets may be super-segments (implies {@link #TX_CSUM}). */
    public static final int TX_TSO6 = 4;

    /** Receive: the transport checksum is valid or partial; do not verify it. */
    public static final int RX_CSUM_OK = 1;
    /** Receive: a TCP super-segment (GSO), possibly larger than the MTU. */
    public static final int RX_GSO = 2;

    /** The largest packet, IP header included, a link with TSO takes: the IPv4 total-length limit. */
    public static final int MAX_TSO_PACKET = 65535;

    private Offload() {}

    /** True if {@code link} takes TCP super-segments to an IPv4 ({@code v4}) or IPv6 destination. */
    public static boolean tso(Link link, boolean v4) {
        return (link.txOffloads() & (v4 ? TX_TSO4 : TX_TSO6)) != 0;
    }
}

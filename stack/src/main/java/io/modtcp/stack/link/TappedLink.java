package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;

/**
 * A link that records every packet it transmits and receives to a {@link PcapWriter}, timestamped with the
 * {@code nowNs} of the call, and otherwise delegates to the link it wraps. A transmitted packet is recorded before
 * the inner link takes it (so also when the inner link drops it); a received one before the sink takes it.
 *
 * <p>{@link #close()} closes the inner link only: the writer may be shared by several tapped links, and its owner
 * closes it.
 */
public final class TappedLink extends ForwardingLink {
    private final PcapWriter pcap;

    /**
     * @param inner the link to wrap; this link takes its place
     * @param pcap where packets are recorded
     */
    public TappedLink(Link inner, PcapWriter pcap) {
        super(inner);
        this.pcap = pcap;
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        pcap.write(packet, nowNs);
        return super.transmit(packet, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        return super.receive(
                packet -> {
                    pcap.write(packet, nowNs);
                    sink.accept(packet);
                },
                max,
                nowNs);
    }
}

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
public final class TappedLink implements Link {
    private final Link inner;
    private final PcapWriter pcap;

    /**
     * @param inner the link to wrap; this link takes its place
     * @param pcap where packets are recorded
     */
    public TappedLink(Link inner, PcapWriter pcap) {
        this.inner = inner;
        this.pcap = pcap;
    }

    /** The wrapped link. */
    public Link inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        pcap.write(packet, nowNs);
        return inner.transmit(packet, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        return inner.receive(
                packet -> {
                    pcap.write(packet, nowNs);
                    sink.accept(packet);
                },
                max,
                nowNs);
    }

    @Override
    public long nextEventNs() {
        return inner.nextEventNs();
    }

    @Override
    public void setWakeup(Runnable wakeup) {
        inner.setWakeup(wakeup);
    }

    @Override
    public void close() {
        inner.close();
    }
}

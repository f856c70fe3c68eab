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
    private final Tap tap = new Tap();

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

    /**
     * The inner link's offloads: what crosses the device (super-segments, partial checksums) is what is recorded. Over
     * the in-JVM loopback none: its offload only spares work inside the process, and a capture of it shows real
     * checksums.
     */
    @Override
    public int txOffloads() {
        return inner() instanceof LoopbackLink ? 0 : inner().txOffloads();
    }

    @Override
    public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        pcap.write(packet, nowNs);
        return inner().transmitOffloaded(packet, segmentPayload, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        tap.sink = sink;
        tap.nowNs = nowNs;
        try {
            return super.receive(tap, max, nowNs);
        } finally {
            tap.sink = null;
        }
    }

    /** Records each received packet, then hands it on with its offload hints. */
    private final class Tap implements PacketSink {
        PacketSink sink;
        long nowNs;

        @Override
        public void accept(ByteBuf packet) {
            accept(packet, 0);
        }

        @Override
        public void accept(ByteBuf packet, int rxOffload) {
            pcap.write(packet, nowNs);
            sink.accept(packet, rxOffload);
        }
    }
}

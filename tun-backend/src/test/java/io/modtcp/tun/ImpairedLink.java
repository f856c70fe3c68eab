package io.modtcp.tun;

import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.LinkPair;
import io.netty.buffer.ByteBuf;

/**
 * netem in the JVM, for kernels built without {@code sch_netem}: packets from the device pass through one direction of
 * an in-memory {@link LinkPair} with the given {@link FaultModel} (loss, duplication, reordering, delay) before the
 * stack sees them, exactly where the kernel's netem on the device's egress would impair them. Packets to the device
 * pass through the other direction ({@code toDevice}, usually {@link FaultModel#NONE}). The pair is driven by the
 * stack thread's {@code nowNs}; {@link #nextEventNs} tells it when a delayed packet falls due.
 */
final class ImpairedLink extends ForwardingLink {
    private final Link device;
    private final LinkPair pair;

    /**
     * @param device the link to the kernel (the TUN link)
     * @param fromDevice faults on packets the kernel sends to modtcp
     * @param toDevice faults on packets modtcp sends to the kernel
     */
    ImpairedLink(Link device, FaultModel fromDevice, FaultModel toDevice, long seed) {
        super(device);
        this.device = device;
        // a: the stack's end; b: the device's end.
        this.pair = LinkPair.create(device.mtu(), toDevice, fromDevice, seed);
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        boolean ok = pair.a().transmit(packet, nowNs);
        flushToDevice(nowNs);
        return ok;
    }

    private void flushToDevice(long nowNs) {
        pair.b().receive(p -> device.transmit(p, nowNs), Integer.MAX_VALUE, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        flushToDevice(nowNs);
        device.receive(p -> pair.b().transmit(p, nowNs), max, nowNs);
        return pair.a().receive(sink, max, nowNs);
    }

    @Override
    public long nextEventNs() {
        return Math.min(pair.a().nextEventNs(), pair.b().nextEventNs());
    }

    @Override
    public void close() {
        pair.close();
        device.close();
    }
}

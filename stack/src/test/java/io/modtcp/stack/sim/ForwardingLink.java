package io.modtcp.stack.sim;

import io.modtcp.stack.link.Link;
import io.netty.buffer.ByteBuf;

/** A link that forwards every call to another; tests override what they watch. */
class ForwardingLink implements Link {
    private final Link inner;

    ForwardingLink(Link inner) {
        this.inner = inner;
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
        return inner.transmit(packet, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        return inner.receive(sink, max, nowNs);
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

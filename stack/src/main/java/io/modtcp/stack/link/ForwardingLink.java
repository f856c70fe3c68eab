package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;

/**
 * A link that forwards every call to another: the base of decorators (capture, fault injection, tracing), which
 * override only what they change.
 */
public class ForwardingLink implements Link {
    private final Link inner;

    public ForwardingLink(Link inner) {
        this.inner = inner;
    }

    /** The link calls are forwarded to. */
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

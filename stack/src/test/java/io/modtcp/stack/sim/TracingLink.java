package io.modtcp.stack.sim;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.SegmentSpec;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/** Wraps a link and reports every transmitted packet, decoded, to a sink (tests and debugging). */
final class TracingLink implements Link {
    private final Link inner;
    private final Consumer<String> sink;

    TracingLink(Link inner, Consumer<String> sink) {
        this.inner = inner;
        this.sink = sink;
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
        String text;
        try {
            text = SegmentSpec.decode(packet, false).toString();
        } catch (RuntimeException e) {
            text = "undecodable: " + e.getMessage();
        }
        sink.accept(String.format("%.6f %s %s", nowNs / 1e9, inner.name(), text));
        return inner.transmit(packet, nowNs);
    }

    @Override
    public int receive(PacketSink s, int max, long nowNs) {
        return inner.receive(s, max, nowNs);
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

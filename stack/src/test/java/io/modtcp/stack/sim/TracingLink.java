package io.modtcp.stack.sim;

import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.SegmentSpec;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/** Wraps a link and reports every transmitted packet, decoded, to a sink (tests and debugging). */
final class TracingLink extends ForwardingLink {
    private final Consumer<String> sink;

    TracingLink(Link inner, Consumer<String> sink) {
        super(inner);
        this.sink = sink;
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        String text;
        try {
            text = SegmentSpec.decode(packet, false).toString();
        } catch (RuntimeException e) {
            text = "undecodable: " + e.getMessage();
        }
        sink.accept(String.format("%.6f %s %s", nowNs / 1e9, name(), text));
        return super.transmit(packet, nowNs);
    }
}

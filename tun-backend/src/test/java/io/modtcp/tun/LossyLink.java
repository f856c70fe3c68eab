package io.modtcp.tun;

import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.Link;
import io.netty.buffer.ByteBuf;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Drops packets on modtcp's side of a link, both ways, at a settable rate (seeded; stack thread only). */
final class LossyLink extends ForwardingLink {
    private final SplittableRandom random;
    private volatile double lossRate;
    private final AtomicLong dropped = new AtomicLong();

    LossyLink(Link inner, long seed) {
        super(inner);
        this.random = new SplittableRandom(seed);
    }

    void lossRate(double rate) {
        this.lossRate = rate;
    }

    long dropped() {
        return dropped.get();
    }

    private boolean drop() {
        double rate = lossRate;
        return rate > 0 && random.nextDouble() < rate;
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        if (drop()) {
            dropped.incrementAndGet();
            packet.release();
            return true;
        }
        return super.transmit(packet, nowNs);
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        return super.receive(
                packet -> {
                    if (drop()) {
                        dropped.incrementAndGet();
                        packet.release();
                    } else {
                        sink.accept(packet);
                    }
                },
                max,
                nowNs);
    }
}

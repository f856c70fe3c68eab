package io.modtcp.stack.tcp.scripted;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.SegmentSpec;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A link whose far end is a test: every packet the stack transmits is decoded (checksums verified) and queued with
 * the time it was sent; packets the test injects are handed to the stack on its next poll. Holds no buffers beyond
 * the injected packets not yet received, which {@link #close} releases.
 */
public final class ScriptedLink implements Link {
    /** One packet the stack sent: when, and what (or why it could not be decoded). */
    public record Sent(long atNs, SegmentSpec segment, String undecodable) {}

    private final int mtu;
    private final Deque<Sent> transmitted = new ArrayDeque<>();
    private final Deque<ByteBuf> inbound = new ArrayDeque<>();
    private boolean closed;

    public ScriptedLink(int mtu) {
        this.mtu = mtu;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        try {
            transmitted.addLast(new Sent(nowNs, SegmentSpec.decode(packet, true), null));
        } catch (RuntimeException e) {
            transmitted.addLast(new Sent(nowNs, null, String.valueOf(e.getMessage())));
        } finally {
            packet.release();
        }
        return true;
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        int n = 0;
        while (n < max && !inbound.isEmpty()) {
            sink.accept(inbound.pollFirst());
            n++;
        }
        return n;
    }

    @Override
    public long nextEventNs() {
        // Injected packets are delivered by the poll that follows the injection; nothing is ever scheduled.
        return Long.MAX_VALUE;
    }

    @Override
    public void setWakeup(Runnable wakeup) {
        // The test drives the stack on its own thread; there is nothing to wake.
    }

    /** Queues an IP packet for the stack (ownership passes). */
    public void inject(ByteBuf packet) {
        if (closed) {
            packet.release();
            throw new IllegalStateException("link closed");
        }
        inbound.addLast(packet);
    }

    /** The oldest transmitted packet not yet taken, or null. */
    public Sent poll() {
        return transmitted.pollFirst();
    }

    public boolean hasTransmitted() {
        return !transmitted.isEmpty();
    }

    /** Everything transmitted and not yet taken, oldest first (for failure messages). */
    public String pending() {
        StringBuilder sb = new StringBuilder();
        for (Sent s : transmitted) {
            sb.append("\n    ").append(s);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        while (!inbound.isEmpty()) {
            inbound.pollFirst().release();
        }
        transmitted.clear();
    }
}

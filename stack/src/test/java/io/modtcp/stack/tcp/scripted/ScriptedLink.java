package io.modtcp.stack.tcp.scripted;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.Checksum;
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
    /**
     * One packet the stack sent: when, and what (or why it could not be decoded), with the TCP urgent pointer field
     * ({@link SegmentSpec} does not carry it).
     */
    public record Sent(long atNs, SegmentSpec segment, String undecodable, int urgentPointer) {
        Sent(long atNs, SegmentSpec segment, String undecodable) {
            this(atNs, segment, undecodable, 0);
        }
    }

    /** The TCP urgent pointer field of an IPv4 or IPv6 packet (no IPv6 extension headers), 0 if too short. */
    private static int urgentPointerOf(ByteBuf packet) {
        int base = packet.readerIndex();
        int version = (packet.getUnsignedByte(base) >> 4) & 0xF;
        int ipHeader = version == 4 ? (packet.getUnsignedByte(base) & 0xF) * 4 : 40;
        int at = base + ipHeader + io.modtcp.stack.wire.TcpHeader.URGENT_POINTER_OFFSET;
        return at + 2 <= packet.writerIndex() ? packet.getUnsignedShort(at) : 0;
    }

    private final int mtu;
    private final Deque<Sent> transmitted = new ArrayDeque<>();
    private final Deque<ByteBuf> inbound = new ArrayDeque<>();
    private final Deque<Integer> inboundHints = new ArrayDeque<>();
    private final Deque<Integer> segmentPayloads = new ArrayDeque<>();
    private int txOffloads;
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
            transmitted.addLast(new Sent(nowNs, SegmentSpec.decode(packet, true), null, urgentPointerOf(packet)));
        } catch (RuntimeException e) {
            transmitted.addLast(new Sent(nowNs, null, String.valueOf(e.getMessage())));
        } finally {
            packet.release();
        }
        return true;
    }

    /** Offers {@link io.modtcp.stack.link.Offload} transmit bits from now on (0: none, the default). */
    public void offloads(int txOffloads) {
        this.txOffloads = txOffloads;
    }

    @Override
    public int txOffloads() {
        return txOffloads;
    }

    /**
     * Completes the partial checksum as a device does (sum from the TCP header with the field as written,
     * complemented), notes {@code segmentPayload}, then decodes the packet like {@link #transmit} (checksums verified).
     */
    @Override
    public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        if (txOffloads == 0) {
            packet.release();
            throw new AssertionError("transmitOffloaded on a link that offers no offload");
        }
        int at = packet.readerIndex();
        int l4 = (packet.getUnsignedByte(at) >>> 4) == 4 ? (packet.getUnsignedByte(at) & 0x0f) * 4 : 40;
        int tcpLength = packet.readableBytes() - l4;
        packet.setShort(at + l4 + 16, Checksum.fold(Checksum.sum(packet, at + l4, tcpLength, 0)));
        segmentPayloads.addLast(segmentPayload);
        return transmit(packet, nowNs);
    }

    /** The segment size given with each offloaded packet not yet taken, oldest first. */
    public Integer pollSegmentPayload() {
        return segmentPayloads.pollFirst();
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        int n = 0;
        while (n < max && !inbound.isEmpty()) {
            sink.accept(inbound.pollFirst(), inboundHints.pollFirst());
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
        inject(packet, 0);
    }

    /** Queues an IP packet for the stack with {@link io.modtcp.stack.link.Offload} receive hints. */
    public void inject(ByteBuf packet, int rxOffload) {
        if (closed) {
            packet.release();
            throw new IllegalStateException("link closed");
        }
        inbound.addLast(packet);
        inboundHints.addLast(rxOffload);
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
        inboundHints.clear();
        transmitted.clear();
    }
}

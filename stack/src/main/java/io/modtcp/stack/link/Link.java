package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;

/**
 * A network link that carries whole IP packets (no link-layer header). Links are driven by the stack thread: it
 * calls {@link #transmit} and {@link #receive}; only {@link #setWakeup}'s callback may be invoked from other threads.
 *
 * <p>Time is a parameter: links that model delay or rate (the in-memory pair) schedule by the {@code nowNs} they are
 * given and report their next event through {@link #nextEventNs()}, so a virtual clock drives them deterministically.
 */
public interface Link extends AutoCloseable {
    /** A short name for logs and pcap comments, e.g. {@code lo} or {@code pair-a}. */
    String name();

    /** The largest IP packet, in bytes, this link carries. */
    int mtu();

    /**
     * Sends one IP packet. Ownership of {@code packet} passes to the link, which releases it (at once if it drops
     * it). Never blocks.
     *
     * @return false if the link dropped the packet because its transmit queue is full
     */
    boolean transmit(ByteBuf packet, long nowNs);

    /**
     * The transmit offloads this link takes now, a set of {@link Offload} {@code TX_} bits; 0 (the default) for none.
     * It may shrink at run time (a device that refuses an offload), never grow: read it before each packet.
     */
    default int txOffloads() {
        return 0;
    }

    /**
     * Sends one TCP packet whose checksum field holds only the pseudo-header sum; the link completes it, and cuts the
     * payload into segments of {@code segmentPayload} bytes (each with a copy of the headers) where the packet is
     * larger than the MTU. Called only while {@link #txOffloads()} has {@link Offload#TX_CSUM} (and TSO for the
     * family when the packet exceeds the MTU). Ownership passes as for {@link #transmit}.
     *
     * @param segmentPayload the TCP payload bytes per segment (the MSS less the options), at least 1
     * @return false if the link dropped the packet
     */
    default boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        packet.release();
        throw new UnsupportedOperationException(name() + " offers no transmit offload");
    }

    /**
     * Hands up to {@code max} packets that have arrived by {@code nowNs} to {@code sink}, which takes ownership of
     * each. Never blocks.
     *
     * @return the number of packets handed over
     */
    int receive(PacketSink sink, int max, long nowNs);

    /**
     * The earliest time at which {@link #receive} will have a packet that it does not have now, or
     * {@link Long#MAX_VALUE} if none is scheduled. Links fed by other threads or devices return MAX_VALUE and call
     * the wake-up instead.
     */
    long nextEventNs();

    /** Sets the callback to run, from any thread, when a packet becomes receivable; replaces any earlier one. */
    void setWakeup(Runnable wakeup);

    @Override
    void close();

    /** Receives packets from a link. */
    @FunctionalInterface
    interface PacketSink {
        /** Takes ownership of {@code packet}. */
        void accept(ByteBuf packet);

        /**
         * Takes ownership of {@code packet}, which arrived with {@link Offload} {@code RX_} bits {@code rxOffload}.
         * A sink that does not override this drops the hints (the packet is then checked in full).
         */
        default void accept(ByteBuf packet, int rxOffload) {
            accept(packet);
        }
    }
}

package io.modtcp.stack.tcp.common;

import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptions;
import io.netty.buffer.ByteBuf;

/**
 * An arriving segment, parsed once by the orchestrator and handed to components as a read-only event. One instance
 * is reused per stack thread: a component must not keep a reference to it or to its payload beyond the call (it
 * retains a slice if it needs the bytes later).
 */
public final class InSegment {
    private IpAddr src;
    private IpAddr dst;
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int flags;
    private int window;
    private int urgentPointer;
    private final TcpOptions options = new TcpOptions();
    private ByteBuf packet;
    private int payloadOffset;
    private int payloadLength;

    /** Fills this event; {@code packet} stays owned by the caller. Options must be parsed into {@link #options()}. */
    public void set(
            IpAddr src,
            int srcPort,
            IpAddr dst,
            int dstPort,
            int seq,
            int ack,
            int flags,
            int window,
            ByteBuf packet,
            int payloadOffset,
            int payloadLength) {
        this.src = src;
        this.dst = dst;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.flags = flags;
        this.window = window;
        this.packet = packet;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.urgentPointer = 0;
    }

    /** Sets the urgent pointer field (after {@link #set}, which clears it). */
    public void urgentPointer(int urgentPointer) {
        this.urgentPointer = urgentPointer;
    }

    /** The urgent pointer field (meaningful with URG set). */
    public int urgentPointer() {
        return urgentPointer;
    }

    public boolean isUrg() {
        return (flags & TcpHeader.URG) != 0;
    }

    public IpAddr src() {
        return src;
    }

    public IpAddr dst() {
        return dst;
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    public int seq() {
        return seq;
    }

    public int ack() {
        return ack;
    }

    public int flags() {
        return flags;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public boolean isSyn() {
        return (flags & TcpHeader.SYN) != 0;
    }

    public boolean isFin() {
        return (flags & TcpHeader.FIN) != 0;
    }

    public boolean isRst() {
        return (flags & TcpHeader.RST) != 0;
    }

    public boolean isAck() {
        return (flags & TcpHeader.ACK) != 0;
    }

    /** The raw 16-bit window field, not yet scaled. */
    public int window() {
        return window;
    }

    public TcpOptions options() {
        return options;
    }

    /** Payload bytes (RFC 9293 SEG.LEN less SYN and FIN). */
    public int payloadLength() {
        return payloadLength;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 §3.4). */
    public int segLen() {
        return payloadLength + (isSyn() ? 1 : 0) + (isFin() ? 1 : 0);
    }

    /** The sequence number of the first payload byte. */
    public int payloadSeq() {
        return isSyn() ? seq + 1 : seq;
    }

    /**
     * A retained slice of {@code length} payload bytes starting {@code skip} bytes into the payload; the caller
     * releases it.
     */
    public ByteBuf retainedPayload(int skip, int length) {
        return packet.retainedSlice(payloadOffset + skip, length);
    }

    /** Copies {@code length} payload bytes starting {@code skip} bytes into the payload to {@code dst}. */
    public void copyPayload(int skip, int length, ByteBuf dst) {
        dst.writeBytes(packet, payloadOffset + skip, length);
    }

    @Override
    public String toString() {
        return src + ":" + srcPort + " > " + dst + ":" + dstPort + " [" + TcpHeader.flagsToString(flags) + "] seq="
                + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack) + " win=" + window
                + " len=" + payloadLength;
    }
}

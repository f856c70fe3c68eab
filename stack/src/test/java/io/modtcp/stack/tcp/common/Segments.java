package io.modtcp.stack.tcp.common;

import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link InSegment} events for component tests. Each event gets its own packet buffer (a dummy 20-byte header,
 * the options, the payload); {@link #close()} releases them all, so a test calls it in {@code @AfterEach}.
 */
public final class Segments implements AutoCloseable {
    public static final IpAddr LOCAL = IpAddr.parseV4("192.0.2.1");
    public static final IpAddr REMOTE = IpAddr.parseV4("192.0.2.2");
    public static final int LOCAL_PORT = 80;
    public static final int REMOTE_PORT = 40000;

    private final List<ByteBuf> packets = new ArrayList<>();

    /** A segment from REMOTE to LOCAL with no options. */
    public InSegment seg(int seq, int ack, int flags, int window, byte... payload) {
        return build(seq, ack, flags, window, -1, payload);
    }

    /** A segment with a payload of {@code length} bytes, byte i being {@code (seq + i)} truncated. */
    public InSegment data(int seq, int ack, int flags, int window, int length) {
        return build(seq, ack, flags, window, -1, pattern(seq, length));
    }

    /** A pure ACK carrying SACK blocks given as left, right pairs (RFC 2018 §3). */
    public InSegment sackAck(int ack, int window, int... edges) {
        int n = edges.length / 2;
        int[] left = new int[n];
        int[] right = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = edges[2 * i];
            right[i] = edges[2 * i + 1];
        }
        ByteBuf packet = Unpooled.buffer(TcpHeader.MIN_LENGTH + TcpOptions.MAX_LENGTH);
        packets.add(packet);
        packet.writeZero(TcpHeader.MIN_LENGTH);
        int optEnd = TcpOptions.writeSack(packet, TcpHeader.MIN_LENGTH, left, right, n);
        packet.writerIndex(optEnd);
        InSegment seg = new InSegment();
        seg.options().clear();
        if (!seg.options().parse(packet, TcpHeader.MIN_LENGTH, optEnd - TcpHeader.MIN_LENGTH)) {
            throw new IllegalStateException("bad options");
        }
        seg.set(REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, 0, ack, TcpHeader.ACK, window, packet, optEnd, 0);
        return seg;
    }

    /** A SYN (with ACK when {@code ack} is not null) carrying an MSS option, or none when {@code mss} is -1. */
    public InSegment syn(int seq, Integer ack, int window, int mss) {
        int flags = TcpHeader.SYN | (ack != null ? TcpHeader.ACK : 0);
        return build(seq, ack != null ? ack : 0, flags, window, mss);
    }

    private InSegment build(int seq, int ack, int flags, int window, int mss, byte... payload) {
        ByteBuf packet = Unpooled.buffer(TcpHeader.MIN_LENGTH + TcpOptions.MAX_LENGTH + payload.length);
        packets.add(packet);
        packet.writeZero(TcpHeader.MIN_LENGTH);
        int optLen = 0;
        if (mss >= 0) {
            int optEnd = TcpOptions.writeMss(packet, TcpHeader.MIN_LENGTH, mss);
            packet.writerIndex(optEnd);
            optLen = optEnd - TcpHeader.MIN_LENGTH;
        }
        int payloadOffset = packet.writerIndex();
        packet.writeBytes(payload);
        InSegment seg = new InSegment();
        seg.options().clear();
        if (optLen > 0 && !seg.options().parse(packet, TcpHeader.MIN_LENGTH, optLen)) {
            throw new IllegalStateException("bad options");
        }
        seg.set(REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, seq, ack, flags, window, packet, payloadOffset, payload.length);
        return seg;
    }

    /** The bytes {@link #data} puts at sequence numbers [seq, seq + length). */
    public static byte[] pattern(int seq, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seq + i);
        }
        return b;
    }

    @Override
    public void close() {
        for (ByteBuf p : packets) {
            p.release();
        }
        packets.clear();
    }
}

package io.modtcp.stack.tcp;

import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.Route;
import io.modtcp.stack.link.Offload;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptions;
import io.netty.buffer.ByteBuf;

/**
 * The one place TCP segments are built (RFC 9293 §3.1): header, option layout (RFC 9293 §3.2, RFC 7323 §3, RFC 2018
 * §3, RFC 6691), payload and checksum, for a connection's segments and for the control segments sent without one.
 * Every header field is written whole: the header is zeroed first, so the reserved bits are zero (RFC 9293 §3.1)
 * whatever a pooled buffer held. Stateless beyond its scratch objects; the TSval comes from ReliableOrderedDelivery.
 */
final class SegmentWriter {
    static final int TCP_HEADER = TcpHeader.MIN_LENGTH;
    private static final int MSS_OPTION_BYTES = 4;
    static final int TIMESTAMPS_OPTION_BYTES = 12;

    private final IpLayer ip;
    private final TcpConfig config;
    private final Counters counters;
    /** Our receive window shift (RFC 7323 §2.3), announced on our SYN. */
    private final int rcvWindowShift;

    private final TcpHeader txTcp = new TcpHeader();
    private final int[] sackLeft = new int[4];
    private final int[] sackRight = new int[4];
    /** Told of each retransmission (TcpEngine#setObserver keeps it in step with the engine's). */
    TcpObserver observer = TcpObserver.NONE;

    SegmentWriter(IpLayer ip, TcpConfig config, Counters counters, int rcvWindowShift) {
        this.ip = ip;
        this.config = config;
        this.counters = counters;
        this.rcvWindowShift = rcvWindowShift;
    }

    void sendAck(TcpConnection c, long nowNs) {
        // A bare ACK carries SND.MAX, not SND.NXT: after a timeout rewound SND.NXT (go-back-N), SND.NXT lies below
        // what the peer already received, so an ACK there fails its acceptability test and draws an ACK back, and
        // two such peers ping-pong ACKs forever (BSD tcp_output does the same: "for ACK only packets ... we want the
        // sequence number of the next unsent octet").
        sendSegment(c, c.rod.view().sndMax(), 0, TcpHeader.ACK, false, nowNs);
    }

    void sendReset(TcpConnection c, int seq, long nowNs) {
        sendSegment(c, seq, 0, TcpHeader.RST | TcpHeader.ACK, false, nowNs);
    }

    /**
     * Builds and sends one segment of the connection. {@code track} records it in the sequence space (data, SYN,
     * FIN); probes and ACKs are not tracked.
     */
    void sendSegment(TcpConnection c, int seq, int payloadLength, int flags, boolean track, long nowNs) {
        ConnectionView cv = c.cm.view();
        DeliveryView d = c.rod.view();
        boolean syn = (flags & TcpHeader.SYN) != 0;
        boolean synAck = syn && (flags & TcpHeader.ACK) != 0;
        // On a SYN we offer what the configuration allows; on a SYN-ACK only what the peer's SYN offered too.
        boolean ws = syn && (synAck ? cv.windowScaleOk() : config.windowScaling());
        boolean ts = syn
                ? (synAck ? cv.timestampsOk() : config.timestamps())
                : d.timestampsEnabled() && (flags & TcpHeader.RST) == 0;
        boolean sackOk = syn && (synAck ? cv.sackOk() : config.sack());
        int optionsLength = syn ? synOptionsLength(ws, ts, sackOk) : (ts ? TIMESTAMPS_OPTION_BYTES : 0);
        int sackBlocks = 0;
        if (!syn
                && (flags & (TcpHeader.ACK | TcpHeader.RST)) == TcpHeader.ACK
                && cv.sackOk()
                && c.rod.hasSackInformation()) {
            // RFC 2018 §3: at most 4 blocks (3 beside timestamps), and never more than fit beside the payload.
            int room = (cv.sendMss() - optionsLength - payloadLength - 4) / 8;
            int max = Math.min(room, ts ? 3 : 4);
            if (max > 0) {
                sackBlocks = c.rod.sackBlocks(sackLeft, sackRight, max);
                optionsLength += sackBlocks > 0 ? 4 + 8 * sackBlocks : 0;
            }
        }
        int tcpLength = TCP_HEADER + optionsLength + payloadLength;
        Route route = c.route;
        ByteBuf packet = ip.newPacket(cv.localAddr(), cv.remoteAddr(), Ipv4Header.PROTO_TCP, tcpLength);
        int offset = packet.writerIndex();
        int window;
        if (syn) {
            window = Math.min(c.freeSpace(), 65535);
        } else {
            window = c.flow.windowToAdvertise(d, c.freeSpace(), c.receiveBufferBytes, cv.sendMss());
            window = Math.min(window >> c.flow.view().rcvWndShift(), 65535);
        }
        boolean ack = (flags & TcpHeader.ACK) != 0;
        // Urgent mode (RFC 9293 §3.8.5, RFC 6093 §4, Linux's tcp_transmit_skb): every segment that starts before
        // SND.UP carries URG and the offset to SND.UP, the octet following the urgent one. Not on SYN or RST.
        int urgentPointer = syn || (flags & TcpHeader.RST) != 0 ? -1 : c.rod.urgentPointer(seq);
        if (urgentPointer >= 0) {
            flags |= TcpHeader.URG;
        }
        writeTcpHeader(
                packet,
                offset,
                cv.localPort(),
                cv.remotePort(),
                seq,
                ack ? d.rcvNxt() : 0,
                TCP_HEADER + optionsLength,
                flags,
                window);
        if (urgentPointer >= 0) {
            txTcp.urgentPointer(urgentPointer);
        }
        int idx = offset + TCP_HEADER;
        int tsVal = ts ? c.rod.nextTsVal(nowNs) : 0;
        int tsEcr = ts && (synAck || !syn) ? d.tsRecent() : 0;
        if (syn) {
            idx = writeSynOptions(packet, idx, cv.localMss(), ws, sackOk, ts, tsVal, tsEcr);
        } else if (ts) {
            idx = TcpOptions.writeTimestamps(packet, idx, tsVal, tsEcr);
        }
        if (sackBlocks > 0) {
            idx = TcpOptions.writeSack(packet, idx, sackLeft, sackRight, sackBlocks);
        }
        packet.writerIndex(idx);
        if (payloadLength > 0) {
            c.rod.copyPayload(syn ? seq + 1 : seq, payloadLength, packet);
        }
        // With checksum offload the link completes the checksum from the pseudo-header sum (docs/tun.md).
        // A segment with URG is not offloaded (the Sender keeps it to one MSS): were the link to cut it, every piece
        // would carry the pointer relative to its own SEG.SEQ.
        boolean partial = urgentPointer < 0 && (route.link().txOffloads() & Offload.TX_CSUM) != 0;
        int segmentPayload = partial ? Sender.segmentPayload(c) : 0;
        if (partial) {
            txTcp.fillPartialChecksum(tcpLength, cv.localAddr(), cv.remoteAddr());
        } else {
            txTcp.fillChecksum(tcpLength, cv.localAddr(), cv.remoteAddr());
        }
        boolean fin = (flags & TcpHeader.FIN) != 0;
        if (track) {
            int segLen = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
            c.bytesSent += payloadLength;
            if (Seq.lt(seq, d.sndMax()) && segLen > 0) {
                counters.inc(Counter.TCP_RETRANS_SEGS);
                c.retransmits++;
                observer.retransmitted(c, seq, segLen);
            }
            c.rod.onSegmentSent(seq, segLen, nowNs);
        }
        if (ack) {
            c.rod.onAckSent();
        }
        transmitTcp(route, packet, flags, segmentPayload, nowNs);
    }

    /** A control segment with no connection (resets for RFC 9293 §3.10.7.1 and §3.10.7.2). */
    void sendControl(
            IpAddr local, int localPort, IpAddr remote, int remotePort, int seq, int ack, int flags, long nowNs) {
        Route route = ip.route(remote, local);
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return;
        }
        ByteBuf packet = ip.newPacket(local, remote, Ipv4Header.PROTO_TCP, TCP_HEADER);
        int offset = packet.writerIndex();
        writeTcpHeader(packet, offset, localPort, remotePort, seq, ack, TCP_HEADER, flags, 0);
        packet.writerIndex(offset + TCP_HEADER);
        txTcp.fillChecksum(TCP_HEADER, local, remote);
        transmitTcp(route, packet, flags, 0, nowNs);
    }

    /**
     * A SYN-ACK carrying a SYN cookie (RFC 4987 §3.6), sent with no connection: the options are those of a SYN-ACK
     * (MSS, SACK-permitted and timestamps, window scale; each only if the peer's SYN offered it), the window unscaled
     * (RFC 7323 §2.2), the TSval the cookie's options are encoded in.
     */
    void sendCookieSynAck(
            IpAddr local,
            int localPort,
            IpAddr remote,
            int remotePort,
            int iss,
            int ack,
            int localMss,
            boolean ws,
            boolean sackOk,
            boolean ts,
            int tsVal,
            int tsEcr,
            int window,
            long nowNs) {
        Route route = ip.route(remote, local);
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return;
        }
        int optionsLength = synOptionsLength(ws, ts, sackOk);
        int tcpLength = TCP_HEADER + optionsLength;
        ByteBuf packet = ip.newPacket(local, remote, Ipv4Header.PROTO_TCP, tcpLength);
        int offset = packet.writerIndex();
        int flags = TcpHeader.SYN | TcpHeader.ACK;
        writeTcpHeader(packet, offset, localPort, remotePort, iss, ack, tcpLength, flags, Math.min(window, 65535));
        int idx = writeSynOptions(packet, offset + TCP_HEADER, localMss, ws, sackOk, ts, tsVal, tsEcr);
        packet.writerIndex(idx);
        txTcp.fillChecksum(tcpLength, local, remote);
        transmitTcp(route, packet, flags, 0, nowNs);
    }

    /**
     * Writes the options of a SYN or SYN-ACK from {@code idx}: MSS, then SACK-permitted and/or timestamps, then window
     * scale (the layout {@link #synOptionsLength} counts); returns the index after them.
     */
    private int writeSynOptions(
            ByteBuf packet, int idx, int mss, boolean ws, boolean sackOk, boolean ts, int tsVal, int tsEcr) {
        idx = TcpOptions.writeMss(packet, idx, mss);
        if (sackOk && ts) {
            idx = TcpOptions.writeSackPermittedAndTimestamps(packet, idx, tsVal, tsEcr);
        } else if (ts) {
            idx = TcpOptions.writeTimestamps(packet, idx, tsVal, tsEcr);
        } else if (sackOk) {
            idx = TcpOptions.writeSackPermitted(packet, idx);
        }
        if (ws) {
            idx = TcpOptions.writeWindowScale(packet, idx, rcvWindowShift);
        }
        return idx;
    }

    /**
     * Writes a TCP header at {@code offset} (checksum 0, urgent pointer 0) and leaves {@code txTcp} wrapped on it. The
     * fixed header is zeroed first: the data-offset byte also holds the reserved bits (RFC 9293 §3.1: must be zero),
     * which a field setter would otherwise leave as a pooled buffer had them.
     */
    private void writeTcpHeader(
            ByteBuf packet,
            int offset,
            int srcPort,
            int dstPort,
            int seq,
            int ack,
            int headerLength,
            int flags,
            int window) {
        packet.setZero(offset, TCP_HEADER);
        txTcp.wrap(packet, offset)
                .srcPort(srcPort)
                .dstPort(dstPort)
                .seq(seq)
                .ack(ack)
                .dataOffset(headerLength)
                .flags(flags)
                .window(window)
                .checksum(0)
                .urgentPointer(0);
    }

    /**
     * Counts an outgoing segment (and a reset) and hands the packet to the IP layer; {@code segmentPayload > 0}: the
     * checksum is partial and the link segments at that size (Link#transmitOffloaded).
     */
    private void transmitTcp(Route route, ByteBuf packet, int flags, int segmentPayload, long nowNs) {
        if ((flags & TcpHeader.RST) != 0) {
            counters.inc(Counter.TCP_OUT_RSTS);
        }
        counters.inc(Counter.TCP_OUT_SEGS);
        if (segmentPayload > 0) {
            ip.transmitOffloaded(route, packet, segmentPayload, nowNs);
        } else {
            ip.transmit(route, packet, nowNs);
        }
    }

    /** Bytes of options on a SYN or SYN-ACK: MSS, then SACK-permitted and/or timestamps, then window scale. */
    private static int synOptionsLength(boolean ws, boolean ts, boolean sackOk) {
        int n = MSS_OPTION_BYTES;
        if (ts) {
            n += TIMESTAMPS_OPTION_BYTES;
        } else if (sackOk) {
            n += 4;
        }
        return ws ? n + 4 : n;
    }
}

package io.modtcp.stack.tcp;

import io.modtcp.stack.Clock;
import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.Route;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.tcp.congestion.CongestionControl;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.AckOutcome;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.demux.Demux;
import io.modtcp.stack.tcp.flow.FlowControl;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;

/**
 * Segment arrival without a synchronized connection (RFC 9293 §3.10.7.1 CLOSED, §3.10.7.2 LISTEN, §3.10.7.3
 * SYN-SENT), and what a new connection starts with: its components, the MSS we offer (RFC 9293 §3.7.1), the ISS
 * (RFC 6528) and the TSval offset (RFC 7323 §7.1), and the options its SYN exchange negotiated. gVisor's accept.go
 * and connect.go.
 */
final class HandshakeInput {
    private final TcpEngine engine;
    private final SegmentWriter writer;
    private final SynchronizedInput synchronizedInput;
    private final IpLayer ip;
    private final TcpConfig config;
    private final Counters counters;
    private final InSegment seg;
    private final Demux<TcpConnection, TcpListener> demux;
    private final CongestionAlgorithm.Factory congestionFactory;
    private final SipHash issHash;
    /** Read only for the ISS's 4 µs counter (RFC 6528 §3): a fresh reading per connection, not the poll's one. */
    private final Clock issClock;
    /** Our receive window shift (RFC 7323 §2.3): large enough for the largest receive buffer, at most 14. */
    private final int rcvWindowShift;

    HandshakeInput(
            TcpEngine engine,
            SegmentWriter writer,
            SynchronizedInput synchronizedInput,
            InSegment seg,
            Demux<TcpConnection, TcpListener> demux,
            SipHash issHash,
            Clock issClock,
            CongestionAlgorithm.Factory congestionFactory,
            int rcvWindowShift) {
        this.engine = engine;
        this.writer = writer;
        this.synchronizedInput = synchronizedInput;
        this.ip = engine.ip();
        this.config = engine.config();
        this.counters = engine.counters();
        this.seg = seg;
        this.demux = demux;
        this.issHash = issHash;
        this.issClock = issClock;
        this.congestionFactory = congestionFactory;
        this.rcvWindowShift = rcvWindowShift;
    }

    /** RFC 9293 §3.10.7.1: no connection. Reset whatever is not itself a reset. */
    void closedInput(long nowNs) {
        counters.inc(Counter.TCP_DROP_NO_SOCKET);
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            writer.sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
        } else {
            writer.sendControl(
                    seg.dst(),
                    seg.dstPort(),
                    seg.src(),
                    seg.srcPort(),
                    0,
                    seg.seq() + seg.segLen(),
                    TcpHeader.RST | TcpHeader.ACK,
                    nowNs);
        }
    }

    /** RFC 9293 §3.10.7.2: LISTEN. */
    void listenInput(TcpListener listener, long nowNs) {
        if (seg.isRst()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            return;
        }
        if (seg.isAck()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            writer.sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
            return;
        }
        if (!seg.isSyn()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            return;
        }
        // Bounded queues: like Linux, a SYN is dropped (the peer retransmits) when either queue is full.
        if (listener.acceptQueued >= listener.backlog()) {
            counters.inc(Counter.TCP_ACCEPT_QUEUE_OVERFLOW);
            return;
        }
        if (listener.synQueued >= listener.backlog()) {
            counters.inc(Counter.TCP_SYN_QUEUE_OVERFLOW);
            return;
        }
        Route route = ip.route(seg.src(), seg.dst());
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return;
        }
        TcpConnection c =
                newConnection(route, config.receiveBufferBytes(), config.sendBufferBytes(), listener.congestion());
        c.cm.openPassive(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), mssFor(route));
        c.rod.initSend(iss(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort()));
        c.rod.initTimestampClock(tsOffset(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort()));
        c.rod.initReceive(seg.seq());
        negotiate(c);
        c.flow.onSynWindow(seg);
        c.flow.initReceiveWindow(c.rod.view().rcvNxt(), c.freeSpace());
        c.cc.init(c.cm.view().sendMss(), c.rod.view().iss());
        c.listener = listener;
        listener.synQueued++;
        demux.addConnection(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), c);
        c.handler = listener.handler().newChild(listener, c);
        counters.inc(Counter.TCP_PASSIVE_OPENS);
        // DEVIATION(RFC 9293 §3.10.7.2): text and FIN carried by a SYN are not queued (Linux without TFO does the
        // same); the peer retransmits them after the handshake.
        engine.output(c, nowNs);
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    void synSentInput(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        boolean ackAcceptable = false;
        if (seg.isAck()) {
            if (Seq.leq(seg.ack(), d.iss()) || Seq.gt(seg.ack(), d.sndMax())) {
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                if (!seg.isRst()) {
                    writer.sendControl(
                            seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
                }
                return;
            }
            ackAcceptable = true;
        }
        if (seg.isRst()) {
            if (ackAcceptable) {
                counters.inc(Counter.TCP_ATTEMPT_FAILS);
                engine.fail(c, TcpError.REFUSED);
            } else {
                counters.inc(Counter.TCP_DROP_RST_INVALID);
            }
            return;
        }
        if (!seg.isSyn()) {
            counters.inc(Counter.TCP_DROP_BAD_FLAGS);
            return;
        }
        c.rod.initReceive(seg.seq());
        negotiate(c);
        c.cm.onSegmentReceived(nowNs);
        c.flow.initReceiveWindow(c.rod.view().rcvNxt(), c.freeSpace());
        if (ackAcceptable) {
            AckOutcome outcome = c.rod.onNewAck(
                    seg.ack(),
                    nowNs,
                    seg.options().hasTimestamps(),
                    seg.options().tsEcr());
            c.flow.onSynWindow(seg);
            c.cc.init(c.cm.view().sendMss(), d.iss());
            c.cm.onSynAckReceived();
            c.cm.onSegmentReceived(nowNs);
            c.rod.ackOwed(true, 0, 0, nowNs, 0);
            c.handler.onEstablished(c);
            if (outcome.dataBytesAcked() > 0) {
                c.handler.onAcked(c, outcome.dataBytesAcked());
            }
            if (seg.payloadLength() > 0 || seg.isFin()) {
                synchronizedInput.segmentText(c, nowNs);
            }
        } else {
            // Simultaneous open (RFC 9293 §3.5 figure 7): answer with SYN-ACK from SYN-RECEIVED.
            c.cm.onSimultaneousOpen();
            c.flow.onSynWindow(seg);
            c.rod.rewindToUnacknowledged();
        }
    }

    /**
     * Takes the peer's SYN options (the current segment): MSS, and which of window scaling, timestamps and SACK both
     * sides use (RFC 7323 §2.2, §3.2; RFC 2018 §2). The window field of a SYN is never scaled, so the shifts apply
     * from the next segment on.
     */
    private void negotiate(TcpConnection c) {
        c.cm.negotiate(seg, config);
        ConnectionView cv = c.cm.view();
        if (cv.windowScaleOk()) {
            c.flow.onWindowScaleNegotiated(cv.peerWindowShift(), rcvWindowShift);
        }
        if (cv.timestampsOk()) {
            c.rod.enableTimestamps();
            c.rod.onTimestamp(seg);
        }
    }

    TcpConnection newConnection(
            Route route, int receiveBufferBytes, int sendBufferBytes, CongestionAlgorithm.Factory congestion) {
        return new TcpConnection(
                new ConnectionManagement(config),
                new ReliableOrderedDelivery(config, ip.alloc(), ip.memory()),
                new FlowControl(config),
                new CongestionControl(
                        (congestion != null ? congestion : congestionFactory).create(), config.initialWindowSegments()),
                route,
                receiveBufferBytes,
                sendBufferBytes);
    }

    /** MSS we advertise: the route's MTU less the IP and TCP headers (RFC 9293 §3.7.1, RFC 6691). */
    static int mssFor(Route route) {
        return Math.max(64, route.mtu() - IpLayer.headerLength(route.nextHop()) - SegmentWriter.TCP_HEADER);
    }

    /**
     * RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs clock. M is a fresh
     * reading of the clock, not the time of the poll that brought the segment: back-to-back incarnations of one
     * 4-tuple within a poll would otherwise get the same ISN (under a virtual clock the reading is the virtual time).
     */
    int iss(IpAddr local, int localPort, IpAddr remote, int remotePort) {
        long f = issHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), (long) localPort << 16 | remotePort);
        return (int) (issClock.nanoTime() / 4000) + (int) f;
    }

    /** RFC 7323 §7.1: a per-connection random offset for TSval, so that timestamps reveal no host clock. */
    int tsOffset(IpAddr local, int localPort, IpAddr remote, int remotePort) {
        return (int)
                issHash.hash(remote.hi(), remote.lo(), local.hi(), local.lo(), (long) remotePort << 16 | localPort);
    }
}

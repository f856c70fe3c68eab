package io.modtcp.stack.tcp;

import io.modtcp.stack.Clock;
import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.Route;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.tcp.common.SynCookieMode;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
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
    /** SYN cookies (RFC 4987 §3.6), keyed from the ISS key. */
    private final SynCookies cookies;

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
        // A key of its own, derived from the ISS secret (no further draw from the stack's seeded random source).
        this.cookies =
                new SynCookies(new SipHash(issHash.hash(0x636f6f6b69653000L), issHash.hash(0x636f6f6b69653001L)));
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
            if (!seg.isSyn() && cookieAckInput(listener, nowNs)) {
                return;
            }
            counters.inc(Counter.TCP_DROP_LISTEN);
            writer.sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
            return;
        }
        if (!seg.isSyn()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            return;
        }
        // Bounded queues: like Linux, a SYN is dropped (the peer retransmits) when the accept queue is full, cookies
        // or not (tcp_conn_request: sk_acceptq_is_full).
        if (listener.acceptQueued >= listener.backlog()) {
            counters.inc(Counter.TCP_ACCEPT_QUEUE_OVERFLOW);
            return;
        }
        boolean synQueueFull = listener.synQueued >= synQueueLimit(listener);
        if (synQueueFull) {
            counters.inc(Counter.TCP_SYN_QUEUE_OVERFLOW);
        }
        SynCookieMode mode = config.synCookies();
        if (mode == SynCookieMode.ALWAYS || (synQueueFull && mode == SynCookieMode.AUTO)) {
            // RFC 4987 §3.6: answer from a cookie and keep nothing.
            sendCookie(listener, nowNs);
            return;
        }
        if (synQueueFull) {
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
        engine.opened(c, false);
        // DEVIATION(RFC 9293 §3.10.7.2): text and FIN carried by a SYN are not queued (Linux without TFO does the
        // same); the peer retransmits them after the handshake.
        engine.output(c, nowNs);
    }

    /** The SYN queue's bound: {@code synBacklog}, or the listen backlog when it is 0 (as Linux's reqsk queue). */
    private int synQueueLimit(TcpListener listener) {
        return config.synBacklog() > 0 ? config.synBacklog() : listener.backlog();
    }

    /**
     * Answers the current SYN with a SYN-ACK whose ISS is a SYN cookie (RFC 4987 §3.6; Linux's tcp_conn_request with
     * want_cookie). With timestamps the TSval carries window scale and SACK-permitted (cookie_init_timestamp); without
     * them only the MSS survives, so no other option is offered (Linux clears them too).
     */
    private void sendCookie(TcpListener listener, long nowNs) {
        Route route = ip.route(seg.src(), seg.dst());
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return;
        }
        IpAddr local = seg.dst();
        IpAddr remote = seg.src();
        boolean v4 = remote.isV4();
        int peerMss = seg.options().mss();
        if (peerMss <= 0) {
            peerMss = v4 ? config.defaultMss() : ConnectionManagement.IPV6_DEFAULT_MSS;
        }
        int mssIndex = SynCookies.mssIndex(v4, peerMss);
        int iss = cookies.encode(local, seg.dstPort(), remote, seg.srcPort(), seg.seq(), mssIndex, nowNs);
        boolean ts = config.timestamps() && seg.options().hasTimestamps();
        boolean ws = ts && config.windowScaling() && seg.options().windowScale() >= 0;
        boolean sack = ts && config.sack() && seg.options().sackPermitted();
        int tsVal = 0;
        if (ts) {
            int tsNow = ReliableOrderedDelivery.tsClock(tsOffset(local, seg.dstPort(), remote, seg.srcPort()), nowNs);
            tsVal = SynCookies.timestampWithOptions(tsNow, ws ? seg.options().windowScale() : -1, sack);
        }
        writer.sendCookieSynAck(
                local,
                seg.dstPort(),
                remote,
                seg.srcPort(),
                iss,
                seg.seq() + 1,
                mssFor(route),
                ws,
                sack,
                ts,
                tsVal,
                seg.options().tsVal(),
                config.receiveBufferBytes(),
                nowNs);
        listener.lastCookieSentNs = nowNs;
        counters.inc(Counter.TCP_SYNCOOKIES_SENT);
    }

    /**
     * An ACK to a listener that matches no connection: a SYN cookie's answer? (Linux's cookie_v4_check.) Checked in
     * {@code always} mode, and in {@code auto} mode within two cookie periods of the last cookie sent (Linux's
     * tcp_synq_no_recent_overflow); otherwise it is not ours to judge and LISTEN resets it (RFC 9293 §3.10.7.2).
     * A valid cookie rebuilds the connection in SYN-RECEIVED with the options it encodes and hands it the ACK, which
     * completes the handshake as any other; an invalid one is dropped and counted, without a reset (a flood of forged
     * ACKs draws nothing).
     *
     * @return true if the ACK was taken (a connection made, or dropped)
     */
    private boolean cookieAckInput(TcpListener listener, long nowNs) {
        SynCookieMode mode = config.synCookies();
        if (mode == SynCookieMode.OFF) {
            return false;
        }
        if (mode == SynCookieMode.AUTO
                && (listener.lastCookieSentNs == Long.MIN_VALUE
                        || nowNs - listener.lastCookieSentNs >= SynCookies.MAX_AGE * SynCookies.PERIOD_NS)) {
            return false;
        }
        IpAddr local = seg.dst();
        IpAddr remote = seg.src();
        int synSeq = seg.seq() - 1;
        int iss = seg.ack() - 1;
        int mssIndex = cookies.check(local, seg.dstPort(), remote, seg.srcPort(), synSeq, iss, nowNs);
        SynCookies.Options options = null;
        boolean ts = false;
        if (mssIndex >= 0) {
            if (seg.options().hasTimestamps() && config.timestamps()) {
                // Linux's cookie_timestamp_decode: options we would not have offered mean a forged echo.
                options = SynCookies.decode(seg.options().tsEcr());
                if (options != null
                        && ((options.peerWindowShift() >= 0 && !config.windowScaling())
                                || (options.sackOk() && !config.sack()))) {
                    options = null;
                }
                ts = true;
            } else {
                options = new SynCookies.Options(-1, false);
            }
        }
        if (options == null) {
            counters.inc(Counter.TCP_SYNCOOKIES_FAILED);
            counters.inc(Counter.TCP_DROP_LISTEN);
            return true;
        }
        if (listener.acceptQueued >= listener.backlog()) {
            // Linux: the child cannot be queued; the ACK is dropped and the peer's retransmission may find room.
            counters.inc(Counter.TCP_ACCEPT_QUEUE_OVERFLOW);
            return true;
        }
        Route route = ip.route(remote, local);
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return true;
        }
        counters.inc(Counter.TCP_SYNCOOKIES_RECV);
        TcpConnection c =
                newConnection(route, config.receiveBufferBytes(), config.sendBufferBytes(), listener.congestion());
        c.cm.openPassive(local, seg.dstPort(), remote, seg.srcPort(), mssFor(route));
        c.cm.negotiateFromCookie(
                SynCookies.mssOf(remote.isV4(), mssIndex), options.peerWindowShift(), options.sackOk(), ts);
        c.rod.initSend(iss);
        c.rod.onStatelessSynSent();
        c.rod.initTimestampClock(tsOffset(local, seg.dstPort(), remote, seg.srcPort()));
        c.rod.initReceive(synSeq);
        ConnectionView cv = c.cm.view();
        if (cv.windowScaleOk()) {
            c.flow.onWindowScaleNegotiated(cv.peerWindowShift(), rcvWindowShift);
        }
        if (cv.timestampsOk()) {
            c.rod.enableTimestamps();
        }
        c.flow.onSynWindow(seg);
        c.flow.initReceiveWindow(c.rod.view().rcvNxt(), c.freeSpace());
        c.cc.init(cv.sendMss(), iss);
        c.listener = listener;
        listener.synQueued++;
        demux.addConnection(local, seg.dstPort(), remote, seg.srcPort(), c);
        c.handler = listener.handler().newChild(listener, c);
        counters.inc(Counter.TCP_PASSIVE_OPENS);
        engine.opened(c, false);
        // The ACK now goes through SYN-RECEIVED (RFC 9293 §3.10.7.4): ESTABLISHED, the accept queue, its text.
        synchronizedInput.input(c, nowNs);
        if (!c.removed && c.state() == TcpState.SYN_RECEIVED) {
            // Not expected (the cookie proved the ACK acceptable); hold no half-open state for it either way.
            c.cm.onFailure(TcpError.ABORTED);
            engine.destroy(c, TcpError.ABORTED);
            return true;
        }
        engine.output(c, nowNs);
        return true;
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

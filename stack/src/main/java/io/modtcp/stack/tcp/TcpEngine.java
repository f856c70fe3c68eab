package io.modtcp.stack.tcp;

import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.Route;
import io.modtcp.stack.ip.TransportHandler;
import io.modtcp.stack.link.Offload;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.SegmentSizing;
import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.tcp.congestion.CongestionControl;
import io.modtcp.stack.tcp.congestion.NewReno;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.AckOutcome;
import io.modtcp.stack.tcp.delivery.AckResult;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.ReceiveOutcome;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.demux.Demux;
import io.modtcp.stack.tcp.flow.FlowControl;
import io.modtcp.stack.tcp.flow.FlowView;
import io.modtcp.stack.timer.TimerWheel;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptions;
import io.modtcp.stack.wire.TcpValidation;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The TCP orchestrator of one stack: segment arrival (RFC 9293 §3.10.7), user calls (§3.10.1 to §3.10.6) and
 * timeouts (§3.10.8), sequenced over the five components. Single-threaded: every method runs on the stack thread.
 */
public final class TcpEngine implements TransportHandler {
    private static final int TCP_HEADER = TcpHeader.MIN_LENGTH;
    private static final int MSS_OPTION_BYTES = 4;
    private static final int TIMESTAMPS_OPTION_BYTES = 12;
    /** RFC 9293 §3.7.1's default MSS: no segment is cut smaller than this by window bounding. */
    private static final int MIN_SEGMENT = 536;

    private static final long ONE_SECOND_NS = 1_000_000_000L;

    private final IpLayer ip;
    private final TcpConfig config;
    private final Counters counters;
    private final Demux<TcpConnection, TcpListener> demux;
    private final TimerWheel<TcpConnection> timers;
    private final SipHash issHash;
    private final InSegment seg = new InSegment();
    private final TcpHeader rxTcp = new TcpHeader();
    private final TcpHeader txTcp = new TcpHeader();
    private final java.util.ArrayDeque<TcpConnection> pendingOutput = new java.util.ArrayDeque<>();
    private final int[] sackLeft = new int[4];
    private final int[] sackRight = new int[4];
    private final CongestionAlgorithm.Factory congestionFactory;

    /** Our receive window shift (RFC 7323 §2.3): large enough for the largest receive buffer, at most 14. */
    private final int rcvWindowShift;

    private long challengeWindowStartNs;
    private int challengeAcksInWindow;

    /**
     * @param random the seedable source of every secret (ISS key, port selection keys, hash seeds)
     */
    public TcpEngine(IpLayer ip, TcpConfig config, Counters counters, SplittableRandom random, long startNs) {
        this(ip, config, counters, random, startNs, NewReno.FACTORY);
    }

    public TcpEngine(
            IpLayer ip,
            TcpConfig config,
            Counters counters,
            SplittableRandom random,
            long startNs,
            CongestionAlgorithm.Factory congestionFactory) {
        this.ip = ip;
        this.config = config;
        this.counters = counters;
        this.congestionFactory = congestionFactory;
        long[] secret = new long[5];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = random.nextLong();
        }
        this.demux = new Demux<>(secret, Demux.DEFAULT_EPHEMERAL_MIN, Demux.DEFAULT_EPHEMERAL_MAX);
        this.issHash = new SipHash(random.nextLong(), random.nextLong());
        this.timers = new TimerWheel<>(1_000_000L, 1024, startNs);
        int shift = 0;
        while (shift < 14 && (65535L << shift) < config.maxReceiveBufferBytes()) {
            shift++;
        }
        this.rcvWindowShift = shift;
        ip.setTcp(this);
    }

    public TcpConfig config() {
        return config;
    }

    public Counters counters() {
        return counters;
    }

    public IpLayer ip() {
        return ip;
    }

    public Demux<TcpConnection, TcpListener> demux() {
        return demux;
    }

    public List<TcpConnection> connections() {
        return demux.connections();
    }

    // =====================================================================================================
    // User calls (RFC 9293 §3.10.1 to §3.10.6)
    // =====================================================================================================

    /** Reserves a local port for a socket about to listen or connect; port 0 picks an ephemeral one. */
    public Demux.BindResult bind(IpAddr addr, int port, boolean reusePort, Object owner) {
        return bind(addr, port, reusePort, true, owner);
    }

    /**
     * As {@link #bind(IpAddr, int, boolean, Object)}; a fixed port is also in use while a connection on an
     * overlapping address holds it (TIME-WAIT and the other closing states included), unless both that connection
     * and this binding set SO_REUSEADDR (Linux's rule for connections that are not listening).
     */
    public Demux.BindResult bind(IpAddr addr, int port, boolean reusePort, boolean reuseAddress, Object owner) {
        if (port != 0 && demux.hasConnectionsOn(port)) {
            for (TcpConnection c : demux.connections()) {
                if (!c.removed
                        && c.connection().localPort() == port
                        && !(reuseAddress && c.reuseAddress)
                        && Demux.overlaps(c.connection().localAddr(), addr)) {
                    return new Demux.BindResult.InUse(port);
                }
            }
        }
        return demux.bind(addr, port, reusePort, owner);
    }

    /** SO_REUSEADDR of a connection (see {@link #bind(IpAddr, int, boolean, boolean, Object)}). */
    public void setReuseAddress(TcpConnection c, boolean on) {
        c.reuseAddress = on;
    }

    public void unbind(int port, Object owner) {
        demux.unbind(port, owner);
    }

    /** Passive OPEN on an already bound address and port. */
    public TcpListener listen(IpAddr addr, int port, int backlog, ListenerHandler handler) {
        return listen(addr, port, backlog, handler, null);
    }

    /** As {@link #listen(IpAddr, int, int, ListenerHandler)}; accepted connections use {@code congestion}. */
    public TcpListener listen(
            IpAddr addr, int port, int backlog, ListenerHandler handler, CongestionAlgorithm.Factory congestion) {
        TcpListener listener = new TcpListener(addr, port, Math.max(1, backlog), handler, congestion);
        demux.addListener(addr, port, listener);
        return listener;
    }

    /** The algorithm connections accepted from now on use (null: the stack's default). */
    public void setListenerCongestion(TcpListener listener, CongestionAlgorithm.Factory congestion) {
        listener.congestion = congestion;
    }

    /** Stops listening; children not yet accepted are reset (as Linux does when a listener closes). */
    public void closeListener(TcpListener listener, long nowNs) {
        listener.closed = true;
        demux.removeListener(listener.localPort(), listener);
        for (TcpConnection c : demux.connections()) {
            if (c.listener == listener && (c.inAcceptQueue || c.state() == TcpState.SYN_RECEIVED)) {
                abort(c, nowNs);
            }
        }
    }

    /** The application took {@code child} from the accept queue. */
    public void accepted(TcpConnection child) {
        if (child.inAcceptQueue && child.listener != null) {
            child.listener.acceptQueued--;
            child.inAcceptQueue = false;
        }
        child.listener = null;
    }

    /** Result of {@link #connect}. */
    public sealed interface ConnectResult {
        record Started(TcpConnection connection) implements ConnectResult {}

        record NoRoute() implements ConnectResult {}

        record AddressInUse() implements ConnectResult {}
    }

    /**
     * Active OPEN (RFC 9293 §3.10.1): picks the route and the source address, an ephemeral port when
     * {@code localPort} is 0 (RFC 6056), the ISS (RFC 6528), and sends the SYN.
     */
    public ConnectResult connect(
            IpAddr localAddr,
            int localPort,
            IpAddr remote,
            int remotePort,
            int receiveBufferBytes,
            int sendBufferBytes,
            ConnectionHandler handler,
            long nowNs) {
        return connect(
                localAddr, localPort, remote, remotePort, receiveBufferBytes, sendBufferBytes, handler, null, nowNs);
    }

    /** As above, with a congestion-control algorithm for this connection (null: the stack's default). */
    public ConnectResult connect(
            IpAddr localAddr,
            int localPort,
            IpAddr remote,
            int remotePort,
            int receiveBufferBytes,
            int sendBufferBytes,
            ConnectionHandler handler,
            CongestionAlgorithm.Factory congestion,
            long nowNs) {
        Route route = ip.route(remote, localAddr);
        if (route == null) {
            return new ConnectResult.NoRoute();
        }
        IpAddr source = localAddr == null || localAddr.isAnyLocal() ? route.source() : localAddr;
        int port = localPort;
        if (port == 0) {
            port = demux.allocateEphemeral(source, remote, remotePort);
            if (port < 0) {
                return new ConnectResult.AddressInUse();
            }
        } else if (demux.lookup(source, port, remote, remotePort) != null) {
            return new ConnectResult.AddressInUse();
        }
        TcpConnection c = newConnection(route, receiveBufferBytes, sendBufferBytes, congestion);
        c.handler = handler;
        c.cm.openActive(source, port, remote, remotePort, mssFor(route));
        c.rod.initSend(iss(source, port, remote, remotePort, nowNs));
        c.tsOffset = tsOffset(source, port, remote, remotePort);
        c.cc.init(c.cm.view().sendMss(), c.rod.view().iss());
        demux.addConnection(source, port, remote, remotePort, c);
        counters.inc(Counter.TCP_ACTIVE_OPENS);
        output(c, nowNs);
        return new ConnectResult.Started(c);
    }

    /** SEND call: queues {@code data} (ownership passes) and transmits what the windows allow. */
    public void send(TcpConnection c, ByteBuf data, long nowNs) {
        if (c.removed || !c.state().canQueueData() || c.cm.view().finRequested()) {
            data.release();
            return;
        }
        c.rod.queueData(data);
        output(c, nowNs);
    }

    /** The application consumed {@code bytes} of delivered data: the receive window may open. */
    public void consumed(TcpConnection c, int bytes, long nowNs) {
        c.receiveQueued -= bytes;
        if (c.removed || !c.state().canReceiveData()) {
            return;
        }
        if (c.autotuneReceiveBuffer && c.flow.view().rcvWndShift() > 0) {
            c.receiveBufferBytes = c.flow.onDataConsumed(
                    bytes, nowNs, c.rod.view().srttNs(), c.receiveBufferBytes, config.maxReceiveBufferBytes());
        }
        if (c.receiveQueued == 0 && c.rod.onReceiveQueueDrained()) {
            output(c, nowNs); // the ACK carries the window update too
        } else if (c.flow.isWindowUpdateWorthSending(
                c.rod.view(), freeSpace(c), c.receiveBufferBytes, c.cm.view().sendMss())) {
            c.rod.ackOwed(true, 0, 0, nowNs, 0);
            output(c, nowNs);
        }
    }

    /** CLOSE / shutdown of the sending side (RFC 9293 §3.10.4): a FIN follows the queued data. */
    public void shutdownOutput(TcpConnection c, long nowNs) {
        if (c.removed) {
            return;
        }
        ConnectionManagement.CloseAction action = c.cm.onUserClose();
        switch (action) {
            case DELETE:
                destroy(c, null);
                break;
            case SEND_FIN:
                c.rod.queueFin();
                output(c, nowNs);
                break;
            case NONE:
                break;
            default:
                throw new AssertionError(action);
        }
        updateTimer(c);
    }

    /** ABORT (RFC 9293 §3.10.5): a reset goes to the peer if the connection is synchronized; all state goes. */
    public void abort(TcpConnection c, long nowNs) {
        if (c.removed) {
            return;
        }
        TcpState state = c.state();
        if (state == TcpState.SYN_RECEIVED || (state.isSynchronized() && state != TcpState.TIME_WAIT)) {
            sendReset(c, c.rod.view().sndNxt(), nowNs);
        }
        c.cm.onFailure(TcpError.ABORTED);
        destroy(c, TcpError.ABORTED);
    }

    public void setNoDelay(TcpConnection c, boolean on, long nowNs) {
        c.cm.noDelay(on);
        if (on && !c.removed) {
            output(c, nowNs);
        }
    }

    public void setKeepAlive(TcpConnection c, boolean on, long idleNs, long intervalNs, int count, long nowNs) {
        c.cm.keepAlive(on, idleNs, intervalNs, count, nowNs);
        updateTimer(c);
    }

    public void setLinger(TcpConnection c, int seconds) {
        c.cm.lingerSeconds(seconds);
    }

    /** SO_RCVBUF/SO_SNDBUF for a connection; the receive size applies to windows advertised from now on. */
    public void setBufferSizes(TcpConnection c, int receiveBufferBytes, int sendBufferBytes) {
        if (receiveBufferBytes > 0) {
            // An explicit SO_RCVBUF turns auto-tuning off, as on Linux.
            c.receiveBufferBytes = receiveBufferBytes;
            c.autotuneReceiveBuffer = false;
        }
        if (sendBufferBytes > 0) {
            c.sendBufferBytes = sendBufferBytes;
        }
    }

    // =====================================================================================================
    // Segment arrival (RFC 9293 §3.10.7)
    // =====================================================================================================

    @Override
    public void onSegment(
            IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, boolean checksumOk, long nowNs) {
        TcpValidation validation = rxTcp.wrap(packet, offset).validate(length);
        if (validation != TcpValidation.OK) {
            counters.inc(Counter.TCP_IN_ERRS);
            counters.inc(
                    validation == TcpValidation.TRUNCATED
                            ? Counter.TCP_DROP_TRUNCATED
                            : Counter.TCP_DROP_BAD_DATA_OFFSET);
            return;
        }
        if (!checksumOk && !rxTcp.isChecksumValid(length, src, dst)) {
            counters.inc(Counter.TCP_IN_ERRS);
            counters.inc(Counter.TCP_DROP_BAD_CHECKSUM);
            return;
        }
        TcpOptions options = seg.options();
        options.clear();
        if (!options.parse(packet, rxTcp.optionsOffset(), rxTcp.optionsLength())) {
            counters.inc(Counter.TCP_IN_ERRS);
            counters.inc(Counter.TCP_DROP_BAD_OPTIONS);
            return;
        }
        int flags = rxTcp.flags();
        if ((flags & TcpHeader.SYN) != 0 && (flags & (TcpHeader.FIN | TcpHeader.RST)) != 0) {
            // SYN+FIN and SYN+RST have no meaning (RFC 9293 §3.10.7; Linux drops them too).
            counters.inc(Counter.TCP_IN_ERRS);
            counters.inc(Counter.TCP_DROP_BAD_FLAGS);
            return;
        }
        if (src.isAnyLocal() || rxTcp.srcPort() == 0 || rxTcp.dstPort() == 0) {
            counters.inc(Counter.TCP_IN_ERRS);
            counters.inc(Counter.TCP_DROP_BAD_FLAGS);
            return;
        }
        int dataOffset = rxTcp.dataOffset();
        seg.set(
                src,
                rxTcp.srcPort(),
                dst,
                rxTcp.dstPort(),
                rxTcp.seq(),
                rxTcp.ack(),
                flags,
                rxTcp.window(),
                packet,
                offset + dataOffset,
                length - dataOffset);
        counters.inc(Counter.TCP_IN_SEGS);

        TcpConnection c = demux.lookup(dst, seg.dstPort(), src, seg.srcPort());
        if (c != null) {
            if (c.state() == TcpState.SYN_SENT) {
                synSentInput(c, nowNs);
            } else {
                synchronizedInput(c, nowNs);
            }
            if (!c.removed && !c.outputPending) {
                // Output waits for the end of the received batch: a burst of segments draws one ACK (and one
                // window update), not one per segment.
                c.outputPending = true;
                pendingOutput.addLast(c);
            }
            return;
        }
        TcpListener listener = demux.lookupListener(dst, seg.dstPort());
        if (listener != null) {
            listenInput(listener, nowNs);
            return;
        }
        closedInput(nowNs);
    }

    /**
     * A smaller path MTU (RFC 1191, RFC 8201). Per RFC 5927 §4.1 the quoted sequence number must lie in
     * [SND.UNA, SND.MAX), else the message is ignored (a blind attacker does not know it). The send MSS shrinks and
     * everything unacknowledged is sent again in smaller segments, at once (RFC 1191 §6.5).
     */
    @Override
    public void onPathMtu(IpAddr local, int localPort, IpAddr remote, int remotePort, int seq, int mtu, long nowNs) {
        TcpConnection c = demux.lookup(local, localPort, remote, remotePort);
        if (c == null || c.removed) {
            counters.inc(Counter.TCP_PMTU_IGNORED);
            return;
        }
        DeliveryView d = c.rod.view();
        if (Seq.lt(seq, d.sndUna()) || !Seq.lt(seq, d.sndMax())) {
            counters.inc(Counter.TCP_PMTU_IGNORED);
            return;
        }
        int pathMss = mtu - IpLayer.headerLength(remote) - TCP_HEADER;
        int floor = remote.isV4() ? MIN_SEGMENT : ConnectionManagement.IPV6_DEFAULT_MSS;
        if (c.cm.onPathMssReduced(pathMss, floor)) {
            counters.inc(Counter.TCP_PMTU_REDUCTIONS);
            c.rod.rewindToUnacknowledged();
            output(c, nowNs);
        }
    }

    /** RFC 9293 §3.10.7.1: no connection. Reset whatever is not itself a reset. */
    private void closedInput(long nowNs) {
        counters.inc(Counter.TCP_DROP_NO_SOCKET);
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
        } else {
            sendControl(
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
    private void listenInput(TcpListener listener, long nowNs) {
        if (seg.isRst()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            return;
        }
        if (seg.isAck()) {
            counters.inc(Counter.TCP_DROP_LISTEN);
            sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
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
        c.rod.initSend(iss(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), nowNs));
        c.tsOffset = tsOffset(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort());
        c.rod.initReceive(seg.seq());
        negotiate(c);
        c.flow.onSynWindow(seg);
        c.flow.initReceiveWindow(c.rod.view().rcvNxt(), freeSpace(c));
        c.cc.init(c.cm.view().sendMss(), c.rod.view().iss());
        c.listener = listener;
        listener.synQueued++;
        demux.addConnection(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), c);
        c.handler = listener.handler().newChild(listener, c);
        counters.inc(Counter.TCP_PASSIVE_OPENS);
        // DEVIATION(RFC 9293 §3.10.7.2): text and FIN carried by a SYN are not queued (Linux without TFO does the
        // same); the peer retransmits them after the handshake.
        output(c, nowNs);
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void synSentInput(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        boolean ackAcceptable = false;
        if (seg.isAck()) {
            if (Seq.leq(seg.ack(), d.iss()) || Seq.gt(seg.ack(), d.sndMax())) {
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                if (!seg.isRst()) {
                    sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
                }
                return;
            }
            ackAcceptable = true;
        }
        if (seg.isRst()) {
            if (ackAcceptable) {
                counters.inc(Counter.TCP_ATTEMPT_FAILS);
                fail(c, TcpError.REFUSED);
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
        c.flow.initReceiveWindow(c.rod.view().rcvNxt(), freeSpace(c));
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
                segmentText(c, nowNs);
            }
        } else {
            // Simultaneous open (RFC 9293 §3.5 figure 7): answer with SYN-ACK from SYN-RECEIVED.
            c.cm.onSimultaneousOpen();
            c.flow.onSynWindow(seg);
            c.rod.rewindToUnacknowledged();
        }
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states. */
    private void synchronizedInput(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        ConnectionView cv = c.cm.view();
        int rcvWnd = FlowControl.receiveWindow(c.flow.view(), d);

        // A retransmitted SYN in SYN-RECEIVED: the SYN-ACK was lost, send it again.
        if (cv.state() == TcpState.SYN_RECEIVED && seg.isSyn() && !seg.isAck() && seg.seq() == d.irs()) {
            c.rod.rewindToUnacknowledged();
            return;
        }

        // PAWS (RFC 7323 §5.3 R1): an old timestamp makes the segment unacceptable.
        if (c.rod.isPawsReject(seg)) {
            counters.inc(Counter.TCP_DROP_PAWS);
            c.rod.ackOwed(true, 0, 0, nowNs, 0);
            return;
        }

        // First: sequence acceptability.
        if (!c.rod.isAcceptable(seg, rcvWnd)) {
            counters.inc(Counter.TCP_DROP_OUT_OF_WINDOW);
            if (cv.sackOk()) {
                c.rod.onUnacceptableSegment(seg);
            }
            if (!seg.isRst()) {
                if (cv.state() == TcpState.TIME_WAIT && seg.isFin()) {
                    // A retransmitted FIN: acknowledge it and restart the 2 MSL timeout.
                    c.cm.onFinReceived(true, nowNs, config.timeWaitNs());
                }
                c.rod.ackOwed(true, 0, 0, nowNs, 0);
            }
            return;
        }

        // RFC 7323 §4.3: remember the TSval to echo.
        c.rod.onTimestamp(seg);

        // Second: RST (RFC 5961 §3.2).
        if (seg.isRst()) {
            if (seg.seq() != d.rcvNxt()) {
                challengeAck(c, nowNs);
                return;
            }
            onReset(c);
            return;
        }

        // Fourth: SYN in a synchronized state, or an in-window SYN in SYN-RECEIVED (RFC 5961 §4.2).
        if (seg.isSyn()) {
            challengeAck(c, nowNs);
            return;
        }

        // Fifth: ACK.
        if (!seg.isAck()) {
            counters.inc(Counter.TCP_DROP_BAD_ACK);
            return;
        }
        if (cv.state() == TcpState.SYN_RECEIVED) {
            if (!Seq.gt(seg.ack(), d.sndUna()) || Seq.gt(seg.ack(), d.sndMax())) {
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                sendControl(seg.dst(), seg.dstPort(), seg.src(), seg.srcPort(), seg.ack(), 0, TcpHeader.RST, nowNs);
                return;
            }
            TcpListener listener = c.listener;
            if (listener != null && listener.acceptQueued >= listener.backlog()) {
                // Linux's tcp_abort_on_overflow=0: ignore the ACK, the SYN-ACK will be retransmitted.
                counters.inc(Counter.TCP_ACCEPT_QUEUE_OVERFLOW);
                return;
            }
            c.cm.onHandshakeAcked();
            c.flow.onSynWindow(seg);
            if (c.cm.view().finRequested() && !d.isFinQueued()) {
                c.rod.queueFin();
            }
            c.cm.onSegmentReceived(nowNs);
            c.handler.onEstablished(c);
            if (listener != null) {
                listener.synQueued--;
                listener.acceptQueued++;
                c.inAcceptQueue = true;
                listener.handler().onAcceptable(listener, c);
            }
        }
        c.cm.onSegmentReceived(nowNs);

        FlowView fv = c.flow.view();
        int maxSndWnd = Math.max(fv.maxSndWnd(), 1);
        AckResult ackResult = c.rod.classifyAck(seg.ack(), maxSndWnd);
        switch (ackResult) {
            case TOO_NEW:
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                c.rod.ackOwed(true, 0, 0, nowNs, 0);
                return;
            case TOO_OLD:
                counters.inc(Counter.TCP_DROP_BAD_ACK);
                challengeAck(c, nowNs);
                return;
            case OLD:
                break;
            case SAME:
                onSameAck(c, nowNs);
                break;
            case NEW:
                onNewAck(c, nowNs);
                if (c.removed) {
                    return;
                }
                break;
            default:
                throw new AssertionError(ackResult);
        }
        if (cv.sackOk() && ackResult != AckResult.OLD) {
            onSackInformation(c, nowNs);
        }

        // Sixth: URG. DEVIATION(RFC 9293 §3.10.7.4 sixth step): the urgent pointer is ignored; urgent bytes are
        // delivered in line, as the JDK's SO_OOBINLINE does.

        // Seventh and eighth: text and FIN.
        if (seg.payloadLength() > 0 || seg.isFin()) {
            segmentText(c, nowNs);
        }
    }

    /** SEG.ACK = SND.UNA: maybe a duplicate ACK (RFC 5681 §2), and maybe a window update. */
    private void onSameAck(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        int scaledWindow = seg.window() << c.flow.view().sndWndShift();
        boolean duplicate = seg.payloadLength() == 0
                && !seg.isFin()
                && scaledWindow == c.flow.view().sndWnd()
                && d.flightSize() > 0;
        c.flow.onAcceptableAck(seg);
        if (!duplicate) {
            c.rod.resetDuplicateAcks();
            return;
        }
        int count = c.rod.onDuplicateAck();
        if (c.cm.view().sackOk()) {
            // With SACK, RFC 6675 decides: onSackInformation enters recovery and NextSeg picks what to resend.
            return;
        }
        CongestionControl.DupAckAction action = c.cc.onDuplicateAck(count, d, nowNs);
        if (action == CongestionControl.DupAckAction.FAST_RETRANSMIT) {
            counters.inc(Counter.TCP_FAST_RETRANSMITS);
            retransmitFirst(c, nowNs);
        }
    }

    /**
     * SACK blocks of an acceptable ACK go to the scoreboard; then RFC 6675 §5 loss detection: DupThresh duplicate
     * ACKs, or IsLost(SND.UNA), starts recovery. The retransmissions themselves go out from {@link #output}.
     */
    private void onSackInformation(TcpConnection c, long nowNs) {
        if (seg.options().sackBlockCount() > 0) {
            c.rod.onSackBlocks(seg);
        }
        DeliveryView d = c.rod.view();
        if (c.cc.view().inFastRecovery() || d.flightSize() == 0) {
            return;
        }
        if (d.dupAcks() >= CongestionControl.DUPACK_THRESHOLD
                || c.rod.isLost(d.sndUna(), c.cm.view().sendMss())) {
            if (c.cc.onSackLoss(d, nowNs)) {
                counters.inc(Counter.TCP_FAST_RETRANSMITS);
                counters.inc(Counter.TCP_SACK_RECOVERIES);
                c.rod.onRecoveryStart();
            }
        }
    }

    /**
     * Sending during SACK recovery (RFC 6675 §5 step C): while cwnd - pipe >= 1 SMSS, NextSeg: first the lost
     * holes above HighRxt, then new data the receive window allows.
     */
    private void sendInRecovery(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        int smss = c.cm.view().sendMss();
        int mss = segmentPayload(c);
        for (int guard = 0; guard < 10_000; guard++) {
            if (c.cc.view().cwnd() - c.rod.pipe(smss) < mss) {
                return;
            }
            long lost = c.rod.nextLostSeq(smss);
            if (lost >= 0) {
                int seq = (int) lost;
                int dataEnd = d.sndUna() + Math.min(d.sendQueued(), Seq.sub(d.sndMax(), d.sndUna()));
                int len = Math.max(0, Math.min(c.rod.holeLength(seq, mss), Seq.sub(dataEnd, seq)));
                boolean fin = d.isFinSent() && seq + len == c.rod.finSeq();
                if (len == 0 && !fin) {
                    return;
                }
                sendSegment(c, seq, len, TcpHeader.ACK | (fin ? TcpHeader.FIN : 0), true, nowNs);
                c.rod.onRecoveryRetransmit(seq, len + (fin ? 1 : 0));
                counters.inc(Counter.TCP_SACK_RETRANSMITS);
                continue;
            }
            if (!sendData(c, nowNs, true)) {
                return;
            }
        }
    }

    /** SND.UNA < SEG.ACK <= SND.MAX (RFC 9293 §3.10.7.4 fifth step, RFC 5681, RFC 6582). */
    private void onNewAck(TcpConnection c, long nowNs) {
        AckOutcome outcome = c.rod.onNewAck(
                seg.ack(), nowNs, seg.options().hasTimestamps(), seg.options().tsEcr());
        c.flow.onAcceptableAck(seg);
        CongestionControl.AckAction action = c.cc.onNewAck(outcome.dataBytesAcked(), c.rod.view(), nowNs);
        if (outcome.dataBytesAcked() > 0) {
            c.handler.onAcked(c, outcome.dataBytesAcked());
        }
        if (action == CongestionControl.AckAction.RETRANSMIT_NEXT) {
            retransmitFirst(c, nowNs);
        }
        if (outcome.finAcked()) {
            c.cm.onOurFinAcked(nowNs, config.timeWaitNs());
            if (c.state() == TcpState.CLOSED) {
                destroy(c, null);
            }
        }
    }

    /** Seventh and eighth steps: segment text and FIN. */
    private void segmentText(TcpConnection c, long nowNs) {
        TcpState state = c.state();
        if (!state.canReceiveData()) {
            // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent FIN; ignore text. A FIN
            // retransmission is answered by the acceptability check.
            if (seg.isFin() && state == TcpState.TIME_WAIT) {
                c.cm.onFinReceived(true, nowNs, config.timeWaitNs());
                c.rod.ackOwed(true, 0, 0, nowNs, 0);
            }
            return;
        }
        int rcvWnd = FlowControl.receiveWindow(c.flow.view(), c.rod.view());
        ReceiveOutcome outcome = c.rod.receive(seg, rcvWnd, c.payloadSink);
        if (outcome.droppedQueueFull()) {
            counters.inc(Counter.TCP_DROP_OOO_QUEUE_FULL);
        } else if (outcome.outOfOrder()) {
            counters.inc(Counter.TCP_OOO_QUEUED);
        }
        boolean immediate =
                outcome.outOfOrder() || outcome.filledHole() || outcome.finConsumed() || outcome.bytesDelivered() == 0;
        c.rod.ackOwed(immediate, outcome.bytesDelivered(), c.cm.view().sendMss(), nowNs, config.delayedAckNs());
        if (outcome.finConsumed()) {
            boolean entered = c.cm.onFinReceived(c.rod.view().isFinAcked(), nowNs, config.timeWaitNs());
            c.handler.onFin(c);
            if (entered) {
                c.rod.stopRetransmitTimer();
            }
        }
    }

    /** A valid reset (RFC 9293 §3.10.7.4 second step). */
    private void onReset(TcpConnection c) {
        TcpState state = c.state();
        if (state == TcpState.SYN_RECEIVED && c.cm.view().isPassiveOpen()) {
            // Back to LISTEN: the half-open child just goes away.
            c.cm.onResetInSynReceived();
            destroy(c, TcpError.RESET);
            return;
        }
        TcpError error;
        if (state == TcpState.SYN_RECEIVED) {
            error = TcpError.REFUSED;
        } else if (state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT) {
            error = null;
        } else {
            error = TcpError.RESET;
            counters.inc(Counter.TCP_ESTAB_RESETS);
        }
        if (error != null) {
            fail(c, error);
        } else {
            c.cm.onFailure(TcpError.RESET);
            destroy(c, null);
        }
    }

    /** RFC 5961 §7: challenge ACKs are limited per stack per second. */
    private void challengeAck(TcpConnection c, long nowNs) {
        if (nowNs - challengeWindowStartNs >= ONE_SECOND_NS) {
            challengeWindowStartNs = nowNs;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= config.challengeAckLimitPerSecond()) {
            counters.inc(Counter.TCP_CHALLENGE_ACKS_SUPPRESSED);
            return;
        }
        challengeAcksInWindow++;
        counters.inc(Counter.TCP_CHALLENGE_ACKS);
        sendAck(c, nowNs);
    }

    // =====================================================================================================
    // Timeouts (RFC 9293 §3.10.8)
    // =====================================================================================================

    /**
     * Sends what the connections that received segments in this batch owe. The stack calls it after each batch of
     * received packets (and before timers), so ACKs for a burst are coalesced.
     */
    public void flushPendingOutput(long nowNs) {
        for (TcpConnection c = pendingOutput.pollFirst(); c != null; c = pendingOutput.pollFirst()) {
            c.outputPending = false;
            output(c, nowNs);
        }
    }

    /** Runs every timer due at {@code nowNs}. */
    public void runTimers(long nowNs) {
        flushPendingOutput(nowNs);
        timers.poll(nowNs, this::onTimer, Integer.MAX_VALUE);
    }

    /** The earliest time at which {@link #runTimers} has something to do, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        return timers.nextDeadlineNs();
    }

    private void onTimer(TcpConnection c, long handle, long nowNs) {
        if (handle != c.timerHandle) {
            return;
        }
        c.timerHandle = TimerWheel.NULL_HANDLE;
        c.timerDeadlineNs = Long.MAX_VALUE;
        if (c.removed) {
            return;
        }
        ConnectionView cv = c.cm.view();
        DeliveryView d = c.rod.view();
        if (due(cv.timeWaitDeadlineNs(), nowNs)) {
            c.cm.onTimeWaitExpired();
            counters.inc(Counter.TCP_TIME_WAIT_EXPIRED);
            destroy(c, null);
            return;
        }
        if (due(d.rtoDeadlineNs(), nowNs)) {
            onRetransmitTimeout(c, nowNs);
            if (c.removed) {
                return;
            }
        }
        if (due(c.flow.view().persistDeadlineNs(), nowNs)) {
            onPersistTimeout(c, nowNs);
        }
        if (due(d.delayedAckDeadlineNs(), nowNs)) {
            c.rod.onDelayedAckExpired();
            counters.inc(Counter.TCP_DELAYED_ACKS);
        }
        if (due(cv.keepaliveDeadlineNs(), nowNs)) {
            ConnectionManagement.KeepaliveAction action = c.cm.onKeepaliveExpired(nowNs);
            if (action == ConnectionManagement.KeepaliveAction.TIMED_OUT) {
                counters.inc(Counter.TCP_KEEPALIVE_TIMEOUTS);
                fail(c, TcpError.TIMED_OUT);
                return;
            }
            if (action == ConnectionManagement.KeepaliveAction.SEND_PROBE) {
                // RFC 1122 §4.2.3.6: a probe with SEG.SEQ = SND.NXT - 1 and no data draws an ACK.
                counters.inc(Counter.TCP_KEEPALIVE_PROBES);
                sendSegment(c, d.sndNxt() - 1, 0, TcpHeader.ACK, false, nowNs);
            }
        }
        output(c, nowNs);
    }

    private static boolean due(long deadlineNs, long nowNs) {
        return deadlineNs != Long.MAX_VALUE && deadlineNs - nowNs <= 0;
    }

    private void onRetransmitTimeout(TcpConnection c, long nowNs) {
        TcpState state = c.state();
        boolean opening = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        ReliableOrderedDelivery.RtoOutcome outcome =
                c.rod.onRtoExpired(nowNs, opening ? config.synRetries() : config.maxRetries());
        if (outcome == ReliableOrderedDelivery.RtoOutcome.GIVE_UP) {
            counters.inc(Counter.TCP_TIMEOUTS);
            if (state == TcpState.SYN_SENT) {
                counters.inc(Counter.TCP_ATTEMPT_FAILS);
            }
            if (state == TcpState.SYN_RECEIVED && c.cm.view().isPassiveOpen()) {
                c.cm.onFailure(TcpError.TIMED_OUT);
                destroy(c, TcpError.TIMED_OUT);
            } else {
                fail(c, TcpError.TIMED_OUT);
            }
            return;
        }
        counters.inc(Counter.TCP_RTO_EXPIRIES);
        c.cc.onRetransmitTimeout(c.rod.view(), nowNs);
    }

    /**
     * The persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17). A zero window is probed with SEG.SEQ = SND.UNA - 1
     * and no data, which the peer must answer with an ACK carrying its window (Linux's probe); a small non-zero
     * window that silly-window avoidance kept us from using is used now (the RFC 9293 §3.8.6.2.1 override timeout).
     */
    private void onPersistTimeout(TcpConnection c, long nowNs) {
        c.flow.onPersistExpired(nowNs, c.rod.view().rtoNs());
        if (c.flow.view().sndWnd() == 0) {
            counters.inc(Counter.TCP_ZERO_WINDOW_PROBES);
            sendSegment(c, c.rod.view().sndUna() - 1, 0, TcpHeader.ACK, false, nowNs);
        } else {
            c.forceSend = true;
        }
    }

    // =====================================================================================================
    // Output
    // =====================================================================================================

    /**
     * Sends whatever the connection owes: SYN or SYN-ACK, data the windows allow (Nagle and sender-side SWS
     * avoidance, RFC 9293 §3.7.4 and §3.8.6.2.1), the FIN, or a bare ACK; then re-arms timers.
     */
    private void output(TcpConnection c, long nowNs) {
        if (c.removed) {
            return;
        }
        TcpState state = c.state();
        DeliveryView d = c.rod.view();
        if ((state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) && d.sndNxt() == d.iss()) {
            int flags = state == TcpState.SYN_SENT ? TcpHeader.SYN : TcpHeader.SYN | TcpHeader.ACK;
            sendSegment(c, d.iss(), 0, flags, true, nowNs);
        }
        if (state.canTransmitData()) {
            if (c.cc.view().inSackRecovery()) {
                sendInRecovery(c, nowNs);
            } else {
                sendData(c, nowNs);
            }
        }
        if (d.isAckPending() && state != TcpState.SYN_SENT && state != TcpState.CLOSED) {
            sendAck(c, nowNs);
        }
        updatePersist(c, nowNs);
        updateTimer(c);
    }

    private void sendData(TcpConnection c, long nowNs) {
        sendData(c, nowNs, false);
    }

    /**
     * Sends new data (and the FIN) as the windows, Nagle and SWS avoidance allow. In {@code recovery} mode it sends
     * at most one segment and leaves the congestion window to the caller's pipe accounting.
     *
     * @return true if a segment went out
     */
    private boolean sendData(TcpConnection c, long nowNs, boolean recovery) {
        DeliveryView d = c.rod.view();
        FlowView fv = c.flow.view();
        ConnectionView cv = c.cm.view();
        int mss = segmentPayload(c);
        if (d.flightSize() == 0 && d.unsentBytes() > 0 && d.lastSendNs() != 0 && nowNs - d.lastSendNs() > d.rtoNs()) {
            c.cc.onIdleRestart();
        }
        boolean sent = false;
        while (true) {
            int unsent = d.unsentBytes();
            boolean finPending = d.isFinQueued() && Seq.leq(d.sndNxt(), c.rod.finSeq());
            if (unsent == 0 && !finPending) {
                break;
            }
            int window =
                    recovery ? fv.sndWnd() : Math.min(fv.sndWnd(), c.cc.view().cwnd());
            int usable = Math.max(0, Seq.sub(d.sndUna() + window, d.sndNxt()));
            int goal = recovery || !Offload.tso(c.route.link(), cv.remoteAddr().isV4())
                    ? mss
                    : SegmentSizing.tsoGoal(mss, c.cc.view().cwnd(), c.cc.view().ssthresh(), d.srttNs());
            int len = SegmentSizing.length(goal, mss, unsent, usable);
            boolean fin = finPending && len == unsent && usable > len;
            if (len == 0 && !fin) {
                break;
            }
            // Nagle and SWS avoidance hold back new data only (RFC 1122 §4.2.3.4, RFC 9293 §3.7.4): bytes below
            // SND.MAX are a retransmission (go-back-N after a timeout rewound SND.NXT) and go at once, else a short
            // last segment would wait for an ACK that its own loss prevents.
            boolean retransmission = Seq.lt(d.sndNxt(), d.sndMax());
            if (len > 0 && len < mss && !c.forceSend && !retransmission) {
                boolean last = len == unsent;
                boolean nagleAllows = cv.noDelay() || d.flightSize() == 0 || d.isFinQueued();
                boolean sws = len >= fv.maxSndWnd() / 2;
                if (!((last && nagleAllows) || sws)) {
                    break;
                }
            }
            c.forceSend = false;
            int flags = TcpHeader.ACK | (len > 0 && len == unsent ? TcpHeader.PSH : 0) | (fin ? TcpHeader.FIN : 0);
            sendSegment(c, d.sndNxt(), len, flags, true, nowNs);
            sent = true;
            if (fin || recovery) {
                break;
            }
        }
        return sent;
    }

    /** Fast retransmit or a NewReno partial ACK: one segment from SND.UNA (RFC 5681 §3.2, RFC 6582 §3.2). */
    private void retransmitFirst(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        int sent = Seq.sub(d.sndMax(), d.sndUna());
        int dataOutstanding = Math.min(sent, d.sendQueued());
        int len = Math.min(segmentPayload(c), dataOutstanding);
        boolean fin = len == dataOutstanding && d.isFinSent() && !d.isFinAcked();
        if (len == 0 && !fin) {
            return;
        }
        int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0);
        sendSegment(c, d.sndUna(), len, flags, true, nowNs);
    }

    private void updatePersist(TcpConnection c, long nowNs) {
        DeliveryView d = c.rod.view();
        boolean somethingToSend = d.unsentBytes() > 0 || (d.isFinQueued() && !d.isFinSent());
        // Nothing outstanding since SND.NXT (a timeout may have rewound it) and the window keeps us from sending:
        // the persist timer, not the retransmission timer, keeps asking (a zero window is no loss).
        if (somethingToSend && d.sndNxt() == d.sndUna() && c.state().canTransmitData()) {
            c.rod.stopRetransmitTimer();
            c.flow.armPersist(nowNs, d.rtoNs());
        } else {
            c.flow.cancelPersist();
        }
    }

    private void sendAck(TcpConnection c, long nowNs) {
        // A bare ACK carries SND.MAX, not SND.NXT: after a timeout rewound SND.NXT (go-back-N), SND.NXT lies below
        // what the peer already received, so an ACK there fails its acceptability test and draws an ACK back, and
        // two such peers ping-pong ACKs forever (BSD tcp_output does the same: "for ACK only packets ... we want the
        // sequence number of the next unsent octet").
        sendSegment(c, c.rod.view().sndMax(), 0, TcpHeader.ACK, false, nowNs);
    }

    private void sendReset(TcpConnection c, int seq, long nowNs) {
        sendSegment(c, seq, 0, TcpHeader.RST | TcpHeader.ACK, false, nowNs);
    }

    /**
     * Builds and sends one segment of the connection. {@code track} records it in the sequence space (data, SYN,
     * FIN); probes and ACKs are not tracked.
     */
    private void sendSegment(TcpConnection c, int seq, int payloadLength, int flags, boolean track, long nowNs) {
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
            window = Math.min(freeSpace(c), 65535);
        } else {
            window = c.flow.windowToAdvertise(d, freeSpace(c), c.receiveBufferBytes, cv.sendMss());
            window = Math.min(window >> c.flow.view().rcvWndShift(), 65535);
        }
        boolean ack = (flags & TcpHeader.ACK) != 0;
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
        int idx = offset + TCP_HEADER;
        int tsVal = 0;
        if (ts) {
            // RFC 7323 §5.4: TSval never goes backwards on a connection, whatever the callers' clocks say.
            tsVal = c.tsOffset + (int) (nowNs / 1_000_000L);
            if (c.tsValSent && Seq.lt(tsVal, c.lastTsVal)) {
                tsVal = c.lastTsVal;
            }
            c.lastTsVal = tsVal;
            c.tsValSent = true;
        }
        int tsEcr = ts && (synAck || !syn) ? d.tsRecent() : 0;
        if (syn) {
            idx = TcpOptions.writeMss(packet, idx, cv.localMss());
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
        boolean partial = (route.link().txOffloads() & Offload.TX_CSUM) != 0;
        if (partial) {
            txTcp.fillPartialChecksum(tcpLength, cv.localAddr(), cv.remoteAddr());
        } else {
            txTcp.fillChecksum(tcpLength, cv.localAddr(), cv.remoteAddr());
        }
        boolean fin = (flags & TcpHeader.FIN) != 0;
        if (track) {
            int segLen = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
            if (Seq.lt(seq, d.sndMax()) && segLen > 0) {
                counters.inc(Counter.TCP_RETRANS_SEGS);
            }
            c.rod.onSegmentSent(seq, segLen, nowNs);
        }
        if (ack) {
            c.rod.onAckSent();
        }
        transmitTcp(route, packet, flags, partial ? segmentPayload(c) : 0, nowNs);
    }

    /** A control segment with no connection (resets for RFC 9293 §3.10.7.1 and §3.10.7.2). */
    private void sendControl(
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

    /** Writes a TCP header at {@code offset} (checksum 0, no urgent data) and leaves {@code txTcp} wrapped on it. */
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

    // =====================================================================================================
    // Bookkeeping
    // =====================================================================================================

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
            c.rod.enableTimestamps(c.tsOffset);
            c.rod.onTimestamp(seg);
        }
    }

    private TcpConnection newConnection(
            Route route, int receiveBufferBytes, int sendBufferBytes, CongestionAlgorithm.Factory congestion) {
        return new TcpConnection(
                new ConnectionManagement(config),
                new ReliableOrderedDelivery(config, ip.alloc()),
                new FlowControl(config),
                new CongestionControl(
                        (congestion != null ? congestion : congestionFactory).create(), config.initialWindowSegments()),
                route,
                receiveBufferBytes,
                sendBufferBytes);
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

    /** Payload bytes per full segment: the send MSS less the options every segment carries (RFC 6691 §3). */
    private static int segmentPayload(TcpConnection c) {
        int mss = c.cm.view().sendMss();
        // Never more than half the largest window the peer offered (Linux's tcp_bound_to_half_wnd): with a 64 KiB
        // MSS and a 64 KiB window, one segment would fill the window and the peer's delayed ACK would pace us at one
        // segment per ACK timer.
        int maxWindow = c.flow.view().maxSndWnd();
        if (maxWindow > 2 * MIN_SEGMENT) {
            mss = Math.min(mss, maxWindow / 2);
        }
        return c.rod.view().timestampsEnabled() ? mss - TIMESTAMPS_OPTION_BYTES : mss;
    }

    /** MSS we advertise: the route's MTU less the IP and TCP headers (RFC 9293 §3.7.1, RFC 6691). */
    private static int mssFor(Route route) {
        return Math.max(64, route.mtu() - IpLayer.headerLength(route.nextHop()) - TCP_HEADER);
    }

    private static int freeSpace(TcpConnection c) {
        return Math.max(0, c.receiveBufferBytes - c.receiveQueued);
    }

    /** RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs clock. */
    private int iss(IpAddr local, int localPort, IpAddr remote, int remotePort, long nowNs) {
        long f = issHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), (long) localPort << 16 | remotePort);
        return (int) (nowNs / 4000) + (int) f;
    }

    /** RFC 7323 §7.1: a per-connection random offset for TSval, so that timestamps reveal no host clock. */
    private int tsOffset(IpAddr local, int localPort, IpAddr remote, int remotePort) {
        return (int)
                issHash.hash(remote.hi(), remote.lo(), local.hi(), local.lo(), (long) remotePort << 16 | localPort);
    }

    private void fail(TcpConnection c, TcpError error) {
        c.cm.onFailure(error);
        destroy(c, error);
    }

    /** Removes the connection from the stack and tells its socket. */
    private void destroy(TcpConnection c, TcpError error) {
        if (c.removed) {
            return;
        }
        c.removed = true;
        ConnectionView cv = c.cm.view();
        demux.removeConnection(cv.localAddr(), cv.localPort(), cv.remoteAddr(), cv.remotePort(), c);
        if (c.timerHandle != TimerWheel.NULL_HANDLE) {
            timers.cancel(c.timerHandle);
            c.timerHandle = TimerWheel.NULL_HANDLE;
        }
        TcpListener listener = c.listener;
        if (listener != null) {
            if (c.inAcceptQueue) {
                listener.acceptQueued--;
            } else if (cv.isPassiveOpen()) {
                listener.synQueued--;
            }
            c.inAcceptQueue = false;
        }
        c.rod.release();
        if (c.handler != null) {
            c.handler.onClosed(c, error);
        }
    }

    /** Keeps one wheel entry per connection, at the earliest of its component deadlines. */
    private void updateTimer(TcpConnection c) {
        if (c.removed) {
            return;
        }
        DeliveryView d = c.rod.view();
        ConnectionView cv = c.cm.view();
        long deadline = Math.min(
                Math.min(d.rtoDeadlineNs(), d.delayedAckDeadlineNs()),
                Math.min(
                        c.flow.view().persistDeadlineNs(),
                        Math.min(cv.keepaliveDeadlineNs(), cv.timeWaitDeadlineNs())));
        if (deadline == c.timerDeadlineNs) {
            return;
        }
        if (c.timerHandle != TimerWheel.NULL_HANDLE) {
            timers.cancel(c.timerHandle);
            c.timerHandle = TimerWheel.NULL_HANDLE;
        }
        c.timerDeadlineNs = deadline;
        if (deadline != Long.MAX_VALUE) {
            c.timerHandle = timers.schedule(c, deadline);
        }
    }

    /**
     * Ends every connection and listener: the stack is shutting down. Connections are reset (the peer learns at
     * once) and their buffers freed; sockets see an aborted connection.
     */
    public void closeAll(long nowNs) {
        for (TcpConnection c : demux.connections()) {
            abort(c, nowNs);
        }
    }
}

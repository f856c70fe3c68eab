package io.modtcp.stack.tcp;

import io.modtcp.stack.Clock;
import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.Route;
import io.modtcp.stack.ip.TransportHandler;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.tcp.congestion.NewReno;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.demux.Demux;
import io.modtcp.stack.tcp.demux.DemuxView;
import io.modtcp.stack.wire.IpAddr;
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
    /** RFC 9293 §3.7.1's default MSS: the floor of a path MTU reduction for IPv4. */
    private static final int MIN_SEGMENT = 536;

    private final IpLayer ip;
    private final TcpConfig config;
    private final Counters counters;
    private final Demux<TcpConnection, TcpListener> demux;
    private final InSegment seg = new InSegment();
    private final TcpHeader rxTcp = new TcpHeader();
    private final java.util.ArrayDeque<TcpConnection> pendingOutput = new java.util.ArrayDeque<>();

    private final SegmentWriter writer;
    private final Sender sender;
    private final TimerHandler timers;
    private final SynchronizedInput synchronizedInput;
    private final HandshakeInput handshakeInput;

    /** Told of connections' lives (JFR events); {@link TcpObserver#NONE} unless a tool installed one. */
    private TcpObserver observer = TcpObserver.NONE;

    /** Orphans not yet in TIME-WAIT: connections the application closed that still hold state (Linux's orphan count). */
    private int orphans;

    /**
     * @param random the seedable source of every secret (ISS key, port selection keys, hash seeds)
     * @param clock the stack's clock: the timer wheel starts at its reading, and each ISS takes a fresh reading
     */
    public TcpEngine(IpLayer ip, TcpConfig config, Counters counters, SplittableRandom random, Clock clock) {
        this(ip, config, counters, random, clock, NewReno.FACTORY);
    }

    public TcpEngine(
            IpLayer ip,
            TcpConfig config,
            Counters counters,
            SplittableRandom random,
            Clock clock,
            CongestionAlgorithm.Factory congestionFactory) {
        this.ip = ip;
        this.config = config;
        this.counters = counters;
        long[] secret = new long[5];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = random.nextLong();
        }
        this.demux = new Demux<>(secret, Demux.DEFAULT_EPHEMERAL_MIN, Demux.DEFAULT_EPHEMERAL_MAX);
        SipHash issHash = new SipHash(random.nextLong(), random.nextLong());
        // Our receive window shift (RFC 7323 §2.3): large enough for the largest receive buffer, at most 14.
        int shift = 0;
        while (shift < 14 && (65535L << shift) < config.maxReceiveBufferBytes()) {
            shift++;
        }
        this.writer = new SegmentWriter(ip, config, counters, shift);
        this.sender = new Sender(this, writer, counters);
        this.timers = new TimerHandler(this, writer, config, counters, clock.nanoTime());
        this.synchronizedInput = new SynchronizedInput(this, writer, sender, seg, random.split());
        this.handshakeInput = new HandshakeInput(
                this, writer, synchronizedInput, seg, demux, issHash, clock, congestionFactory, shift);
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

    /** The demultiplexer's read-only view. */
    public DemuxView demux() {
        return demux.view();
    }

    public List<TcpConnection> connections() {
        return demux.connections();
    }

    /** Installs the observer of connections' lives (null: none). Call on the stack thread. */
    public void setObserver(TcpObserver observer) {
        this.observer = observer == null ? TcpObserver.NONE : observer;
        writer.observer = this.observer;
    }

    TcpObserver observer() {
        return observer;
    }

    /**
     * A copy of every connection's figures and of every listener's (state LISTEN), as ss's table shows both. Call on
     * the stack thread.
     */
    public List<ConnectionInfo> connectionInfos() {
        List<TcpConnection> all = demux.connections();
        List<TcpListener> listening = demux.listeners();
        List<ConnectionInfo> infos = new java.util.ArrayList<>(all.size() + listening.size());
        for (TcpListener l : listening) {
            infos.add(l.info());
        }
        for (TcpConnection c : all) {
            infos.add(c.info());
        }
        return infos;
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
        return demux.bind(addr, port, reusePort, reuseAddress, owner);
    }

    /** SO_REUSEADDR of a connection (see {@link #bind(IpAddr, int, boolean, boolean, Object)}). */
    public void setReuseAddress(TcpConnection c, boolean on) {
        if (!c.removed) {
            ConnectionView cv = c.cm.view();
            demux.setReuseAddress(cv.localAddr(), cv.localPort(), cv.remoteAddr(), cv.remotePort(), on);
        }
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
        TcpConnection c = handshakeInput.newConnection(route, receiveBufferBytes, sendBufferBytes, congestion);
        c.handler = handler;
        c.cm.openActive(source, port, remote, remotePort, HandshakeInput.mssFor(route));
        c.rod.initSend(handshakeInput.iss(source, port, remote, remotePort));
        c.rod.initTimestampClock(handshakeInput.tsOffset(source, port, remote, remotePort));
        c.cc.init(c.cm.view().sendMss(), c.rod.view().iss());
        demux.addConnection(source, port, remote, remotePort, c);
        counters.inc(Counter.TCP_ACTIVE_OPENS);
        opened(c, true);
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

    /**
     * Queues {@code data} whose last octet is urgent (Java's {@code Socket.sendUrgentData}, RFC 9293 §3.8.5): the
     * segments that start before it carry URG and the urgent pointer until it is acknowledged.
     */
    public void sendUrgent(TcpConnection c, ByteBuf data, long nowNs) {
        if (c.removed || !c.state().canQueueData() || c.cm.view().finRequested()) {
            data.release();
            return;
        }
        c.rod.queueUrgentData(data);
        output(c, nowNs);
    }

    /** SO_OOBINLINE: see {@code ReliableOrderedDelivery.urgentInline}. */
    public void setUrgentInline(TcpConnection c, boolean on) {
        c.rod.urgentInline(on);
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
                c.rod.view(), c.freeSpace(), c.receiveBufferBytes, c.cm.view().sendMss())) {
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

    /**
     * The application closed the socket (after {@link #shutdownOutput}): the connection becomes an orphan that
     * finishes on its own, within bounds (Linux's tcp_close): an orphan in FIN-WAIT-2 waits at most
     * {@link TcpConfig#finWait2TimeoutNs()} for the peer's FIN, one in FIN-WAIT-1, CLOSING or LAST-ACK has
     * {@link TcpConfig#orphanRetries()} retransmission timeouts or unproductive zero-window probes, and beyond
     * {@link TcpConfig#maxOrphans()} orphans the connection closed now is reset at once (Linux's
     * tcp_too_many_orphans, TCPAbortOnMemory). Calling it again does nothing.
     */
    public void orphan(TcpConnection c, long nowNs) {
        if (c.removed || !c.cm.onOrphaned(nowNs)) {
            updateTimerIfPresent(c);
            return;
        }
        if (orphans >= config.maxOrphans()) {
            c.cm.onOrphanReleased(); // never counted
            counters.inc(Counter.TCP_ABORT_ON_MEMORY);
            abort(c, nowNs);
            return;
        }
        orphans++;
        updateTimer(c);
    }

    /** Orphans that still hold state beyond TIME-WAIT (what {@link TcpConfig#maxOrphans()} bounds). */
    public int orphanCount() {
        return orphans;
    }

    private void updateTimerIfPresent(TcpConnection c) {
        if (!c.removed) {
            updateTimer(c);
        }
    }

    /** Takes an orphan off the count once it is in TIME-WAIT or gone (TIME-WAIT is bounded by its own timer). */
    private void releaseOrphan(TcpConnection c) {
        if (c.cm.view().isOrphanAccounted() && (c.removed || c.state() == TcpState.TIME_WAIT)) {
            c.cm.onOrphanReleased();
            orphans--;
        }
    }

    /** ABORT (RFC 9293 §3.10.5): a reset goes to the peer if the connection is synchronized; all state goes. */
    public void abort(TcpConnection c, long nowNs) {
        if (c.removed) {
            return;
        }
        TcpState state = c.state();
        if (state == TcpState.SYN_RECEIVED || (state.isSynchronized() && state != TcpState.TIME_WAIT)) {
            writer.sendReset(c, c.rod.view().sndNxt(), nowNs);
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

    /** TCP_QUICKACK: see {@code ReliableOrderedDelivery.quickAck}; an ACK that was being delayed goes now. */
    public void setQuickAck(TcpConnection c, boolean on, long nowNs) {
        c.rod.quickAck(on);
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
        if ((flags & TcpHeader.URG) != 0) {
            if ((flags & TcpHeader.SYN) != 0) {
                // URG on a SYN or SYN-ACK names nothing (Linux looks at it only once synchronized): left at 0, which
                // the sixth step ignores.
                counters.inc(Counter.TCP_URG_INVALID);
            } else {
                seg.urgentPointer(rxTcp.urgentPointer());
            }
        }
        counters.inc(Counter.TCP_IN_SEGS);

        TcpConnection c = demux.lookup(dst, seg.dstPort(), src, seg.srcPort());
        if (c != null) {
            if (c.state() == TcpState.SYN_SENT) {
                handshakeInput.synSentInput(c, nowNs);
            } else {
                synchronizedInput.input(c, nowNs);
            }
            releaseOrphan(c);
            observe(c, nowNs);
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
            handshakeInput.listenInput(listener, nowNs);
            return;
        }
        handshakeInput.closedInput(nowNs);
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
        int pathMss = mtu - IpLayer.headerLength(remote) - SegmentWriter.TCP_HEADER;
        int floor = remote.isV4() ? MIN_SEGMENT : ConnectionManagement.IPV6_DEFAULT_MSS;
        if (c.cm.onPathMssReduced(pathMss, floor)) {
            counters.inc(Counter.TCP_PMTU_REDUCTIONS);
            c.rod.rewindToUnacknowledged();
            output(c, nowNs);
        }
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
        timers.poll(nowNs);
    }

    /** The earliest time at which {@link #runTimers} has something to do, or {@link Long#MAX_VALUE}. */
    public long nextDeadlineNs() {
        return timers.nextDeadlineNs();
    }

    // =====================================================================================================
    // Bookkeeping
    // =====================================================================================================

    /** Sends whatever the connection owes and re-arms its timers (see {@link Sender#output}). */
    /** The RACK reordering timer fired (RFC 8985 §6.2). */
    void onRackTimer(TcpConnection c, long nowNs) {
        sender.onRackTimer(c, nowNs);
    }

    /** The tail-loss probe timeout fired (RFC 8985 §7.3). */
    void onLossProbeTimer(TcpConnection c, long nowNs) {
        sender.onLossProbeTimer(c, nowNs);
    }

    void output(TcpConnection c, long nowNs) {
        sender.output(c, nowNs);
        observe(c, nowNs);
    }

    /** A connection was created (active or passive open): the observer learns of it and of its first state. */
    void opened(TcpConnection c, boolean active) {
        observer.opened(c, active);
        c.observedState = c.state();
        observer.stateChanged(c, TcpState.CLOSED, c.observedState);
    }

    /**
     * Reports what changed since the observer last looked: the state (RFC 9293 §3.3.2) and loss recovery entered or
     * left. Two comparisons when nothing changed; the components are only read.
     */
    private void observe(TcpConnection c, long nowNs) {
        TcpState state = c.state();
        if (state != c.observedState && c.observedState != null) {
            TcpState from = c.observedState;
            c.observedState = state;
            observer.stateChanged(c, from, state);
        }
        boolean recovery = c.cc.view().inFastRecovery();
        if (recovery != c.observedRecovery) {
            c.observedRecovery = recovery;
            if (recovery) {
                c.recoveryStartNs = nowNs;
                observer.recoveryEntered(c, c.cc.view().inSackRecovery());
            } else {
                observer.recoveryExited(c, nowNs - c.recoveryStartNs);
            }
        }
    }

    /** Keeps the connection's one wheel entry at the earliest of its component deadlines. */
    void updateTimer(TcpConnection c) {
        timers.updateTimer(c);
    }

    /** The connection failed with {@code error}: ConnectionManagement records it, then it goes. */
    void fail(TcpConnection c, TcpError error) {
        c.cm.onFailure(error);
        destroy(c, error);
    }

    /** Removes the connection from the stack and tells its socket. */
    void destroy(TcpConnection c, TcpError error) {
        if (c.removed) {
            return;
        }
        c.removed = true;
        releaseOrphan(c);
        ConnectionView cv = c.cm.view();
        demux.removeConnection(cv.localAddr(), cv.localPort(), cv.remoteAddr(), cv.remotePort(), c);
        timers.cancel(c);
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
        if (c.observedState != null) {
            if (c.observedState != TcpState.CLOSED) {
                observer.stateChanged(c, c.observedState, TcpState.CLOSED);
                c.observedState = TcpState.CLOSED;
            }
            observer.closed(c, error);
        }
        if (c.handler != null) {
            c.handler.onClosed(c, error);
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

package io.modtcp.stack.tcp;

import io.modtcp.stack.ip.Route;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionControl;
import io.modtcp.stack.tcp.congestion.CongestionView;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.PayloadSink;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;
import io.modtcp.stack.tcp.flow.FlowControl;
import io.modtcp.stack.tcp.flow.FlowView;
import io.netty.buffer.ByteBuf;

/**
 * One connection: the four per-connection components (Demux is per stack) and the orchestrator's bookkeeping.
 * Outside this package only the read-only views are reachable.
 */
public final class TcpConnection {
    final ConnectionManagement cm;
    final ReliableOrderedDelivery rod;
    final FlowControl flow;
    final CongestionControl cc;
    final Route route;

    ConnectionHandler handler;
    TcpListener listener;
    boolean inAcceptQueue;
    boolean removed;
    /** Bytes delivered to the socket and not yet consumed by the application. */
    int receiveQueued;

    int receiveBufferBytes;
    int sendBufferBytes;
    /** Queued for output at the end of the received batch. */
    boolean outputPending;
    /** The receive buffer grows with the application's read rate until SO_RCVBUF is set explicitly. */
    boolean autotuneReceiveBuffer = true;

    /** Where in-order payload goes: counted, then handed to the socket. One per connection, not one per segment. */
    final PayloadSink payloadSink = this::deliverToSocket;

    // Observability (TcpObserver, ConnectionInfo): what tools last saw and per-connection totals.
    /** The state last reported to the observer (null before the first report). */
    TcpState observedState;
    /** Loss recovery as last reported to the observer, and when the episode began. */
    boolean observedRecovery;

    long recoveryStartNs;
    /** Payload bytes sent (retransmissions included) and delivered in order; segments sent again. */
    long bytesSent;

    long bytesReceived;
    long retransmits;

    long timerHandle = io.modtcp.stack.timer.TimerWheel.NULL_HANDLE;
    long timerDeadlineNs = Long.MAX_VALUE;

    TcpConnection(
            ConnectionManagement cm,
            ReliableOrderedDelivery rod,
            FlowControl flow,
            CongestionControl cc,
            Route route,
            int receiveBufferBytes,
            int sendBufferBytes) {
        this.cm = cm;
        this.rod = rod;
        this.flow = flow;
        this.cc = cc;
        this.route = route;
        this.receiveBufferBytes = receiveBufferBytes;
        this.sendBufferBytes = sendBufferBytes;
    }

    /** Receive buffer space not taken by delivered, unread bytes: what the window may offer. */
    int freeSpace() {
        return Math.max(0, receiveBufferBytes - receiveQueued);
    }

    private void deliverToSocket(ByteBuf data) {
        int n = data.readableBytes();
        receiveQueued += n;
        bytesReceived += n;
        handler.onData(this, data);
    }

    public ConnectionView connection() {
        return cm.view();
    }

    public DeliveryView delivery() {
        return rod.view();
    }

    public FlowView flow() {
        return flow.view();
    }

    public CongestionView congestion() {
        return cc.view();
    }

    public TcpState state() {
        return cm.view().state();
    }

    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    public int sendBufferBytes() {
        return sendBufferBytes;
    }

    /** True while the receive buffer auto-tunes (no explicit SO_RCVBUF). */
    public boolean isReceiveBufferAutotuned() {
        return autotuneReceiveBuffer;
    }

    public int receiveQueued() {
        return receiveQueued;
    }

    /** The socket-side handler of this connection's events. */
    public ConnectionHandler handler() {
        return handler;
    }

    /** Payload bytes sent, retransmissions included (Linux's tcpi_bytes_sent). */
    public long bytesSent() {
        return bytesSent;
    }

    /** Payload bytes delivered in order to the socket (Linux's tcpi_bytes_received). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Segments sent again (Linux's tcpi_total_retrans). */
    public long retransmits() {
        return retransmits;
    }

    /** Bytes the application has not read: the socket's own figure when it keeps one. */
    private int unread() {
        int n = handler == null ? -1 : handler.unreadBytes(this);
        return n >= 0 ? n : receiveQueued;
    }

    /** A copy of this connection's figures; call on the stack thread. */
    public ConnectionInfo info() {
        ConnectionView cv = cm.view();
        DeliveryView d = rod.view();
        CongestionView ccv = cc.view();
        return new ConnectionInfo(
                cv.state(),
                cv.localAddr(),
                cv.localPort(),
                cv.remoteAddr(),
                cv.remotePort(),
                Math.max(0, d.sendQueued()),
                unread(),
                d.srttNs(),
                d.rttvarNs(),
                d.rtoNs(),
                d.minRttNs(),
                ccv.cwnd(),
                ccv.ssthresh(),
                cv.sendMss(),
                flow.view().sndWnd(),
                bytesSent,
                bytesReceived,
                retransmits,
                ccv.inFastRecovery());
    }

    public boolean isRemoved() {
        return removed;
    }

    @Override
    public String toString() {
        return cm.view().toString();
    }
}

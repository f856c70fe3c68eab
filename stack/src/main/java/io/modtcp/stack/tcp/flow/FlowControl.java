package io.modtcp.stack.tcp.flow;

import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.connection.ConnectionView;
import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.wire.Seq;

/** Send and receive windows and the persist timer; see the package documentation for what it owns. */
public final class FlowControl {
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final int MAX_UNSCALED_WINDOW = 65535;

    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    private int rcvAdvertisedEdge;
    private boolean rcvEdgeValid;
    private int sndWndShift;
    private int rcvWndShift;

    private final long persistMinNs;
    private final long persistMaxNs;
    private long persistDeadlineNs = NO_DEADLINE;

    private static final long DEFAULT_TUNING_INTERVAL_NS = 100_000_000L;
    private int rcvSpaceCopied;
    private long rcvSpaceStartNs;
    private int persistProbes;
    /**
     * The persist timer expired while the window was non-zero: the next segment goes even if sender-side silly
     * window avoidance would hold it back (RFC 9293 §3.8.6.2.1's override timeout).
     */
    private boolean persistOverride;

    private final FlowView view = new View();

    public FlowControl(TcpConfig config) {
        this.persistMinNs = config.persistMinNs();
        this.persistMaxNs = config.persistMaxNs();
    }

    public FlowView view() {
        return view;
    }

    // ---- send window (RFC 9293 §3.10.7.3 and §3.10.7.4 fifth step) ----

    /**
     * Window scaling was negotiated (RFC 7323 §2.2, both SYNs carried the option): from now on SEG.WND is shifted
     * left by {@code sndShift} and our window is announced shifted right by {@code rcvShift}. Without it both stay 0.
     */
    public void onWindowScaleNegotiated(int sndShift, int rcvShift) {
        this.sndWndShift = sndShift;
        this.rcvWndShift = rcvShift;
    }

    /** The window of the peer's SYN or SYN-ACK is never scaled (RFC 7323 §2.2); WL1/WL2 start from it. */
    public void onSynWindow(InSegment syn) {
        sndWnd = syn.window();
        maxSndWnd = Math.max(maxSndWnd, sndWnd);
        sndWl1 = syn.seq();
        sndWl2 = syn.ack();
    }

    /**
     * Updates SND.WND when the segment is not older than the last update: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ
     * and SND.WL2 =< SEG.ACK), set SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, and SND.WL2 <- SEG.ACK".
     *
     * @return true if the window value changed
     */
    public boolean onAcceptableAck(InSegment seg) {
        if (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.leq(sndWl2, seg.ack()))) {
            int wnd = seg.window() << sndWndShift;
            boolean changed = wnd != sndWnd;
            sndWnd = wnd;
            sndWl1 = seg.seq();
            sndWl2 = seg.ack();
            maxSndWnd = Math.max(maxSndWnd, wnd);
            if (wnd > 0) {
                persistDeadlineNs = NO_DEADLINE;
                persistProbes = 0;
            }
            return changed;
        }
        return false;
    }

    /** Bytes the send window still allows beyond SND.NXT: SND.UNA + SND.WND - SND.NXT, never negative. */
    public static int usableWindow(FlowView flow, DeliveryView delivery) {
        return Math.max(0, Seq.sub(delivery.sndUna() + flow.sndWnd(), delivery.sndNxt()));
    }

    // ---- receive window (RFC 9293 §3.8.6.2.2, RFC 1122 §4.2.3.3) ----

    /** RCV.NXT became known (the peer's SYN arrived): the first right edge is RCV.NXT + {@code window}. */
    public void initReceiveWindow(int rcvNxt, int window) {
        rcvEdgeValid = true;
        rcvAdvertisedEdge = rcvNxt + Math.min(window, MAX_UNSCALED_WINDOW << rcvWndShift);
    }

    /**
     * The window to put in an outgoing segment, given the free receive buffer space. Receiver SWS avoidance: the
     * right edge moves forward only by at least min(buffer / 2, MSS); it never moves back.
     *
     * @return the window in bytes (before scaling); the caller writes {@code window >> rcvWndShift}
     */
    public int windowToAdvertise(DeliveryView delivery, int freeSpace, int bufferSize, int mss) {
        int rcvNxt = delivery.rcvNxt();
        int limit = Math.min(freeSpace, MAX_UNSCALED_WINDOW << rcvWndShift);
        int proposedEdge = rcvNxt + limit;
        if (!rcvEdgeValid) {
            rcvEdgeValid = true;
            rcvAdvertisedEdge = proposedEdge;
            return limit;
        }
        int threshold = Math.min(bufferSize / 2, mss);
        if (Seq.geq(proposedEdge, rcvAdvertisedEdge + threshold)
                || (Seq.gt(proposedEdge, rcvAdvertisedEdge) && limit == freeSpace && freeSpace >= bufferSize)) {
            rcvAdvertisedEdge = proposedEdge;
        } else if (Seq.lt(rcvAdvertisedEdge, rcvNxt)) {
            rcvAdvertisedEdge = rcvNxt;
        }
        return Math.max(0, Seq.sub(rcvAdvertisedEdge, rcvNxt));
    }

    /** RCV.WND as last advertised: what the acceptability test uses. */
    public static int receiveWindow(FlowView flow, DeliveryView delivery) {
        return Math.max(0, Seq.sub(flow.rcvAdvertisedEdge(), delivery.rcvNxt()));
    }

    /**
     * Whether a window update is worth a segment of its own after the application read: the edge would advance by
     * at least min(buffer / 2, 2 · MSS) (RFC 1122 §4.2.3.3, Linux's rule of two segments).
     */
    public boolean isWindowUpdateWorthSending(DeliveryView delivery, int freeSpace, int bufferSize, int mss) {
        int limit = Math.min(freeSpace, MAX_UNSCALED_WINDOW << rcvWndShift);
        int proposedEdge = delivery.rcvNxt() + limit;
        return Seq.geq(proposedEdge, rcvAdvertisedEdge + Math.min(bufferSize / 2, 2 * mss));
    }

    // ---- receive buffer auto-tuning (dynamic right-sizing, as Linux's tcp_rcv_space_adjust) ----

    /**
     * The application consumed {@code bytes}. Once per round trip, if it consumed more than half the buffer in that
     * round trip, the buffer grows to twice that rate (so the window never limits the sender), up to {@code max}.
     *
     * @return the receive buffer size to use from now on
     */
    public int onDataConsumed(int bytes, long nowNs, long srttNs, int buffer, int max) {
        rcvSpaceCopied += bytes;
        if (rcvSpaceStartNs == 0) {
            rcvSpaceStartNs = nowNs;
            return buffer;
        }
        long interval = srttNs > 0 ? srttNs : DEFAULT_TUNING_INTERVAL_NS;
        if (nowNs - rcvSpaceStartNs < interval) {
            return buffer;
        }
        long wanted = 2L * rcvSpaceCopied;
        rcvSpaceCopied = 0;
        rcvSpaceStartNs = nowNs;
        if (wanted > buffer) {
            return (int) Math.min(max, Math.max(wanted, (long) buffer + buffer / 2));
        }
        return buffer;
    }

    // ---- persist (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17) ----

    /** Arms the persist timer if it is not armed: the peer's window is zero and we have data to send. */
    public void armPersist(long nowNs, long rtoNs) {
        if (persistDeadlineNs == NO_DEADLINE) {
            persistDeadlineNs = nowNs + backedOff(Math.max(rtoNs, persistMinNs));
        }
    }

    public void cancelPersist() {
        persistDeadlineNs = NO_DEADLINE;
        persistProbes = 0;
    }

    /**
     * The persist timer expired; the next expiry backs off exponentially. With a zero window the caller sends a
     * probe (RFC 9293 §3.8.6.1); with a small non-zero window that silly-window avoidance kept us from using, the
     * next segment may go anyway (the RFC 9293 §3.8.6.2.1 override).
     *
     * @return true if a zero-window probe is due
     */
    public boolean onPersistExpired(long nowNs, long rtoNs) {
        persistProbes++;
        persistDeadlineNs = nowNs + backedOff(Math.max(rtoNs, persistMinNs));
        if (sndWnd == 0) {
            return true;
        }
        persistOverride = true;
        return false;
    }

    // ---- sender-side silly window avoidance and Nagle (RFC 9293 §3.8.6.2.1, §3.7.4; RFC 896; RFC 1122 §4.2.3.4) --

    /**
     * Whether a data segment of {@code len} bytes (at SND.NXT, {@code mss} being a full segment's payload) may go now.
     * A full segment always may. A shorter one may when it is a retransmission (bytes below SND.MAX after a timeout
     * rewound SND.NXT: holding it back would wait for an ACK that its own loss prevents), after the persist override,
     * when it is at least half the largest window the peer offered (SWS avoidance, RFC 9293 §3.8.6.2.1 case (2)),
     * or when it is the last of the queued data and Nagle allows it (RFC 896: nothing unacknowledged in flight, or
     * TCP_NODELAY, or the FIN follows it).
     */
    public boolean isSendAllowed(int len, int mss, DeliveryView delivery, ConnectionView connection) {
        if (len == 0 || len >= mss || persistOverride || Seq.lt(delivery.sndNxt(), delivery.sndMax())) {
            return true;
        }
        boolean last = len == delivery.unsentBytes();
        // Urgent mode passes Nagle too (Linux's tcp_nagle_test): the urgent octet should not wait for an ACK.
        boolean nagleAllows =
                connection.noDelay() || delivery.flightSize() == 0 || delivery.isFinQueued() || delivery.urgentMode();
        return (last && nagleAllows) || len >= maxSndWnd / 2;
    }

    /** A new-data segment went out: the persist override (if any) is used up. */
    public void onDataSegmentSent() {
        persistOverride = false;
    }

    private long backedOff(long base) {
        long d = base;
        for (int i = 0; i < persistProbes && d < persistMaxNs; i++) {
            d <<= 1;
        }
        return Math.min(d, persistMaxNs);
    }

    private final class View implements FlowView {
        @Override
        public int sndWnd() {
            return sndWnd;
        }

        @Override
        public int sndWl1() {
            return sndWl1;
        }

        @Override
        public int sndWl2() {
            return sndWl2;
        }

        @Override
        public int maxSndWnd() {
            return maxSndWnd;
        }

        @Override
        public int rcvAdvertisedEdge() {
            return rcvAdvertisedEdge;
        }

        @Override
        public int sndWndShift() {
            return sndWndShift;
        }

        @Override
        public int rcvWndShift() {
            return rcvWndShift;
        }

        @Override
        public long persistDeadlineNs() {
            return persistDeadlineNs;
        }

        @Override
        public String toString() {
            return "sndWnd=" + sndWnd + " maxSndWnd=" + maxSndWnd + " persist="
                    + (persistDeadlineNs == NO_DEADLINE ? "-" : Long.toString(persistDeadlineNs)) + " probes="
                    + persistProbes;
        }

        @Override
        public int persistProbes() {
            return persistProbes;
        }

        @Override
        public boolean persistOverride() {
            return persistOverride;
        }
    }
}

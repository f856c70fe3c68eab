package io.modtcp.stack.tcp.flow;

/** Read-only view of {@link FlowControl}. */
public interface FlowView {
    /** SND.WND in bytes (scaled). */
    int sndWnd();

    int sndWl1();

    int sndWl2();

    /** The largest window the peer has offered (RFC 5961 MAX.SND.WND, RFC 9293 §3.8.6.2.1 Max(SND.WND)). */
    int maxSndWnd();

    /** The right edge of the receive window we last advertised (RCV.NXT + RCV.WND at that time). */
    int rcvAdvertisedEdge();

    int sndWndShift();

    int rcvWndShift();

    long persistDeadlineNs();

    int persistProbes();

    /** The persist timer expired on a non-zero window: the next segment may go despite SWS avoidance. */
    boolean persistOverride();
}

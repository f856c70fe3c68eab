package io.modtcp.stack.tcp.congestion;

/** Read-only view of {@link CongestionControl}. */
public interface CongestionView {
    int cwnd();

    int ssthresh();

    boolean inFastRecovery();

    /** The RFC 6582 "recover" point. */
    int recover();

    String algorithm();
}

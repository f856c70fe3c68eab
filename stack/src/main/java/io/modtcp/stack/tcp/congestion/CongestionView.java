package io.modtcp.stack.tcp.congestion;

/** Read-only view of {@link CongestionControl}. */
public interface CongestionView {
    int cwnd();

    int ssthresh();

    boolean inFastRecovery();

    /** The RFC 6582 "recover" point. */
    int recover();

    String algorithm();

    /** Recovery in progress is SACK-based (RFC 6675). */
    boolean inSackRecovery();

    /**
     * RTO recovery with the SACK scoreboard kept (RFC 6675 §5.1; Linux's TCP_CA_Loss): lost segments, then new data,
     * go out while pipe < cwnd.
     */
    boolean inLossRecovery();
}

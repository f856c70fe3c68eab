package io.modtcp.stack.tcp.delivery;

/** Read-only view of {@link ReliableOrderedDelivery}. */
public interface DeliveryView {
    int iss();

    int irs();

    int sndUna();

    int sndNxt();

    /** The highest sequence number sent plus one (SND.MAX); differs from SND.NXT after a timeout rewinds it. */
    int sndMax();

    int rcvNxt();

    /** Bytes in flight: SND.MAX - SND.UNA (RFC 5681 FlightSize). */
    int flightSize();

    /** Data bytes queued and not yet acknowledged. */
    int sendQueued();

    /** Data bytes queued and never sent (at or beyond SND.NXT). */
    int unsentBytes();

    boolean isSynAcked();

    boolean isFinQueued();

    /** True once our FIN has been sent at least once. */
    boolean isFinSent();

    boolean isFinAcked();

    /** True once the peer's FIN has been consumed in order. */
    boolean isFinReceived();

    int dupAcks();

    long rtoNs();

    long srttNs();

    long rttvarNs();

    long rtoDeadlineNs();

    long delayedAckDeadlineNs();

    boolean isAckPending();

    int retries();

    int outOfOrderSegments();

    int outOfOrderBytes();

    /** Memory the out-of-order queue holds (buffers kept alive plus overhead), as charged to the stack's budget. */
    long outOfOrderHeldBytes();

    /** TS.Recent: the TSval to echo (RFC 7323 §4.3). */
    int tsRecent();

    boolean timestampsEnabled();

    /** Urgent mode (RFC 9293 §3.8.5): an urgent octet we sent is not yet acknowledged (Linux's tcp_urg_mode). */
    boolean urgentMode();

    /** SND.UP: the sequence number after our latest urgent octet (meaningful in {@link #urgentMode()}). */
    int sndUp();

    /** An urgent octet received is marked and not yet delivered (RFC 9293 §3.10.7.4 sixth step). */
    boolean isUrgentMarked();

    /** The sequence number of the urgent octet marked (RCV.UP less one, RFC 6093 §4). */
    int rcvUrgentSeq();

    /** SO_OOBINLINE: urgent octets are delivered in line. */
    boolean urgentInline();

    /** Urgent octets taken out of the received stream (SO_OOBINLINE off). */
    int urgentDiscarded();

    /** Bytes above SND.UNA the peer reported holding (the SACK scoreboard). */
    int sackedBytes();

    /** D-SACKs received: duplicates the peer reported (RFC 2883), a sign of needless retransmission. */
    int dsacksReceivedCount();

    /** When a segment occupying sequence space was last sent (0 before the first). */
    long lastSendNs();

    /** RFC 6675 HighRxt. */
    int highRxt();

    /** The RACK reordering timer's deadline (RFC 8985 §6.2), or {@code Long.MAX_VALUE}. */
    long rackTimerDeadlineNs();

    /** The tail-loss probe timeout's deadline (RFC 8985 §7.2), or {@code Long.MAX_VALUE}. */
    long lossProbeDeadlineNs();

    /** A tail-loss probe episode is open (RFC 8985 §7: TLP.end_seq is set). */
    boolean isLossProbeOutstanding();

    /** RACK's min_RTT (RFC 8985 §6.1), or {@code Long.MAX_VALUE} before the first sample. */
    long minRttNs();

    /** RACK.reo_wnd_mult (RFC 8985 §6.2 step 4): grows by one per round trip that saw a DSACK. */
    int reorderingWindowMultiplier();

    /** RACK.reordering_seen (RFC 8985 §6.2 step 3). */
    boolean reorderingSeen();

    /** F-RTO (RFC 5682 §3 step 2b): the next sending round of the RTO recovery sends new data only. */
    boolean isFrtoNewDataRound();

    /** F-RTO (RFC 5682) is testing the last retransmission timeout. */
    boolean isFrtoActive();

    /**
     * Of {@link #dsacksReceivedCount()}, the D-SACKs reporting data above the cumulative ACK (RFC 2883 §4; Linux's
     * TCPDSACKOfoRecv).
     */
    int dsacksOfoReceivedCount();
}

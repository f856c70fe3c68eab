package io.modtcp.stack.stats;

/**
 * Every figure the stack counts: drop reasons (each malformed or unwanted input has one) and the TCP/IP MIB
 * figures (RFC 4022 names where one exists). Read them at run time through {@link Counters}.
 */
public enum Counter {
    // IP input
    IP_IN_RECEIVES,
    IP_IN_DELIVERS,
    IP_OUT_REQUESTS,
    IP_DROP_TRUNCATED,
    IP_DROP_BAD_VERSION,
    IP_DROP_BAD_HEADER_LENGTH,
    IP_DROP_BAD_TOTAL_LENGTH,
    IP_DROP_BAD_CHECKSUM,
    IP_DROP_FRAGMENT,
    IP_DROP_NOT_FOR_US,
    IP_DROP_UNKNOWN_PROTOCOL,
    IP_DROP_NO_ROUTE,
    IP_DROP_LINK_QUEUE_FULL,
    /** Source unspecified, broadcast, multicast, IPv4-mapped in IPv6, or loopback on a non-loopback link. */
    IP_DROP_MARTIAN_SOURCE,
    /** Source is one of our own addresses on a non-loopback link (the "land" attack). */
    IP_DROP_OWN_SOURCE,
    // ICMP
    ICMP_IN_MSGS,
    ICMP_IN_ECHOS,
    ICMP_OUT_ECHO_REPS,
    ICMP_DROP_TRUNCATED,
    ICMP_DROP_BAD_CHECKSUM,
    ICMP_DROP_UNHANDLED_TYPE,
    ICMP_IN_PMTU,
    TCP_PMTU_REDUCTIONS,
    TCP_PMTU_IGNORED,
    // TCP MIB (RFC 4022)
    TCP_ACTIVE_OPENS,
    TCP_PASSIVE_OPENS,
    TCP_ATTEMPT_FAILS,
    TCP_ESTAB_RESETS,
    TCP_IN_SEGS,
    TCP_OUT_SEGS,
    TCP_RETRANS_SEGS,
    TCP_IN_ERRS,
    TCP_OUT_RSTS,
    // TCP detail
    TCP_FAST_RETRANSMITS,
    TCP_SACK_RECOVERIES,
    TCP_SACK_RETRANSMITS,
    TCP_RTO_EXPIRIES,
    /** Tail-loss probes sent (RFC 8985 §7; Linux TCPLossProbes). */
    TCP_LOSS_PROBES,
    /** Losses repaired by a tail-loss probe (RFC 8985 §7.4; Linux TCPLossProbeRecovery). */
    TCP_LOSS_PROBE_RECOVERY,
    /** Retransmissions RACK found lost (RFC 8985 §6.2; Linux TCPLostRetransmit). */
    TCP_LOST_RETRANSMIT,
    /** ACKs carrying a D-SACK: the peer received a duplicate (RFC 2883; Linux TCPDSACKRecv). */
    TCP_DSACK_RECV,
    /** Retransmission timeouts F-RTO found spurious and undid (RFC 5682; Linux TCPSpuriousRTOs). */
    TCP_SPURIOUS_RTOS,
    TCP_TIMEOUTS,
    TCP_KEEPALIVE_PROBES,
    TCP_KEEPALIVE_TIMEOUTS,
    TCP_ZERO_WINDOW_PROBES,
    TCP_CHALLENGE_ACKS,
    TCP_CHALLENGE_ACKS_SUPPRESSED,
    TCP_DELAYED_ACKS,
    TCP_TIME_WAIT_EXPIRED,
    TCP_SYN_QUEUE_OVERFLOW,
    TCP_ACCEPT_QUEUE_OVERFLOW,
    /** SYN-ACKs sent with a SYN cookie (Linux's SyncookiesSent). */
    TCP_SYNCOOKIES_SENT,
    /** ACKs carrying a valid SYN cookie: connections created from a cookie (Linux's SyncookiesRecv). */
    TCP_SYNCOOKIES_RECV,
    /** ACKs to a listener whose cookie did not validate: dropped (Linux's SyncookiesFailed). */
    TCP_SYNCOOKIES_FAILED,
    TCP_OOO_QUEUED,
    TCP_DROP_TRUNCATED,
    TCP_DROP_BAD_CHECKSUM,
    TCP_DROP_BAD_DATA_OFFSET,
    TCP_DROP_BAD_OPTIONS,
    TCP_DROP_BAD_FLAGS,
    /**
     * An acceptable segment's urgent pointer that was zero or pointed beyond the receive window, or URG on a SYN:
     * the pointer was ignored, the segment processed (RFC 6093 §5).
     */
    TCP_URG_INVALID,
    /** Urgent octets taken out of the received stream (SO_OOBINLINE off; Linux drops them unless read MSG_OOB). */
    TCP_URG_DISCARDED,
    TCP_DROP_NO_SOCKET,
    TCP_DROP_OUT_OF_WINDOW,
    // Duplicates, told apart from real out-of-window segments (Linux's TCPDSACK* names; RFC 2883). Today every
    // unacceptable segment, a peer's tail-loss probe or spurious retransmission included, counts as
    // TCP_DROP_OUT_OF_WINDOW; the orchestrator's acceptability check and SACK processing are to increment these
    // (see docs/counters.md), TCP_DROP_OUT_OF_WINDOW then keeping only segments that lie beyond the window.
    /** A segment wholly below RCV.NXT (an old duplicate) answered with a D-SACK (Linux TCPDSACKOldSent). */
    TCP_DSACK_OLD_SENT,
    /** A segment duplicating data held out of order, answered with a D-SACK (Linux TCPDSACKOfoSent). */
    TCP_DSACK_OFO_SENT,
    /** A D-SACK received for data above the cumulative ACK (Linux TCPDSACKOfoRecv). */
    TCP_DSACK_OFO_RECV,
    TCP_DROP_BAD_ACK,
    TCP_DROP_RST_INVALID,
    TCP_DROP_OOO_QUEUE_FULL,
    TCP_DROP_RCV_WINDOW_FULL,
    TCP_DROP_LISTEN,
    TCP_DROP_PAWS,
    /** Out-of-order segments discarded to make room (newest first), for this connection or under memory pressure. */
    TCP_OFO_PRUNED,
    /** Out-of-order data refused: the stack's memory budget was spent even after pruning. */
    TCP_OFO_DROP_MEMORY,
    /** In-order data refused: the stack's memory budget was spent even after pruning (Linux TCPRcvQDrop). */
    TCP_RCV_DROP_MEMORY,
    /** Received payloads copied out of a much larger buffer into a compact one (Linux TCPRcvCollapsed). */
    TCP_RCV_COLLAPSED,
    // Answers to invalid segments and orphans (Linux: TCPACKSkippedSeq, TCPACKSkippedPAWS, TCPACKSkippedChallenge,
    // TCPSYNChallenge, TCPAbortOnMemory, TCPAbortOnTimeout for orphans; the FIN-WAIT-2 timeout of tcp_fin_timeout)
    TCP_ACK_SKIPPED_SEQ,
    TCP_ACK_SKIPPED_PAWS,
    TCP_ACK_SKIPPED_CHALLENGE,
    TCP_SYN_CHALLENGE,
    TCP_ABORT_ON_MEMORY,
    TCP_ORPHAN_TIMEOUTS,
    TCP_FIN_WAIT2_TIMEOUTS,
    // Stack
    /** A packet, command, link or timer threw (anything: exceptions and errors); the stack went on. */
    STACK_UNCAUGHT_ERRORS,
    /** Of those, JVM errors ({@link Error}: out of memory, stack overflow...). */
    STACK_UNCAUGHT_JVM_ERRORS,
    /** A buffer did not fit the memory budget and pruning ran (Linux PruneCalled / TCPMemoryPressures). */
    STACK_MEMORY_PRESSURE,
    SOCKET_DATA_AFTER_CLOSE,
    ;
}

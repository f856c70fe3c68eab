package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.RecoveryEntered")
@Label("Recovery Entered")
@Category("modtcp")
@Description("Loss recovery began: SACK-based (RFC 6675, RACK RFC 8985) or NewReno fast recovery (RFC 6582)")
final class RecoveryEnteredEvent extends ConnectionEvent {
    @Label("SACK Recovery")
    boolean sack;

    @Label("Congestion Window")
    int cwnd;

    @Label("Slow Start Threshold")
    int ssthresh;
}

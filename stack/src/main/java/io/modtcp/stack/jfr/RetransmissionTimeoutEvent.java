package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

@Name("io.modtcp.RetransmissionTimeout")
@Label("Retransmission Timeout")
@Category("modtcp")
@Description("The retransmission timer expired (RFC 6298 section 5)")
final class RetransmissionTimeoutEvent extends ConnectionEvent {
    @Label("RTO")
    @Description("The backed-off retransmission timeout now armed")
    @Timespan(Timespan.NANOSECONDS)
    long rto;

    @Label("Retries")
    int retries;

    @Label("Congestion Window")
    int cwnd;

    @Label("Slow Start Threshold")
    int ssthresh;
}

package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.Timespan;

@Name("io.modtcp.ConnectionSample")
@Label("Connection Sample")
@Category("modtcp")
@Description("Figures of one connection, sampled periodically")
@Period("1 s")
final class ConnectionSampleEvent extends ConnectionEvent {
    @Label("State")
    String state;

    @Label("Congestion Window")
    @DataAmount
    int cwnd;

    @Label("Slow Start Threshold")
    @DataAmount
    int ssthresh;

    @Label("Smoothed RTT")
    @Timespan(Timespan.NANOSECONDS)
    long srtt;

    @Label("RTT Variation")
    @Timespan(Timespan.NANOSECONDS)
    long rttvar;

    @Label("RTO")
    @Timespan(Timespan.NANOSECONDS)
    long rto;

    @Label("Send Queue")
    @DataAmount
    long sendQueue;

    @Label("Receive Queue")
    @DataAmount
    long receiveQueue;

    @Label("Bytes Sent")
    @DataAmount
    long bytesSent;

    @Label("Bytes Received")
    @DataAmount
    long bytesReceived;

    @Label("Retransmitted Segments")
    long retransmits;
}

package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.Retransmission")
@Label("Retransmission")
@Category("modtcp")
@Description("A segment was sent again")
final class RetransmissionEvent extends ConnectionEvent {
    @Label("Sequence Number")
    long seq;

    @Label("Length")
    @Description("Sequence space the segment covers, SYN and FIN counted")
    @DataAmount
    int length;

    @Label("Congestion Window")
    @DataAmount
    int cwnd;

    @Label("State")
    String state;
}

package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.ConnectionClosed")
@Label("Connection Closed")
@Category("modtcp")
@Description("A TCP connection is gone, with its totals")
final class ConnectionClosedEvent extends ConnectionEvent {
    @Label("Error")
    @Description("Why it ended (null: an orderly close)")
    String error;

    @Label("Bytes Sent")
    @DataAmount
    long bytesSent;

    @Label("Bytes Received")
    @DataAmount
    long bytesReceived;

    @Label("Retransmitted Segments")
    long retransmits;
}

package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

@Name("io.modtcp.RecoveryExited")
@Label("Recovery Exited")
@Category("modtcp")
@Description("Loss recovery ended")
final class RecoveryExitedEvent extends ConnectionEvent {
    @Label("Recovery Duration")
    @Timespan(Timespan.NANOSECONDS)
    long recoveryDuration;

    @Label("Congestion Window")
    int cwnd;
}

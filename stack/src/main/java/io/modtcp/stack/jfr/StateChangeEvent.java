package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.StateChange")
@Label("State Change")
@Category("modtcp")
@Description("A TCP connection changed state (RFC 9293 section 3.3.2)")
final class StateChangeEvent extends ConnectionEvent {
    @Label("From")
    String from;

    @Label("To")
    String to;
}

package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.ConnectionOpened")
@Label("Connection Opened")
@Category("modtcp")
@Description("A TCP connection was created: SYN sent (active open) or received (passive open)")
final class ConnectionOpenedEvent extends ConnectionEvent {
    @Label("Active Open")
    boolean active;
}

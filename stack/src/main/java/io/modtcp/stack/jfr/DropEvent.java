package io.modtcp.stack.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.modtcp.Drop")
@Label("Drop")
@Category("modtcp")
@Description("Input dropped; the reason is the counter it was counted under (docs/counters.md)")
final class DropEvent extends Event {
    @Label("Reason")
    String reason;

    @Label("Count")
    long count;
}

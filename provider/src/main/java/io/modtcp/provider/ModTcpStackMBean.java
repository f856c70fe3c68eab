package io.modtcp.provider;

import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The management interface of a modtcp stack, registered as {@code io.modtcp:type=Stack} (the process-wide stack) or
 * {@code io.modtcp:type=Stack,name=...} (one from {@link ModTcpRuntime#start}). Its values are open types, so
 * jconsole, JDK Mission Control and any JMX client show them without modtcp's classes. See docs/observability.md.
 */
public interface ModTcpStackMBean {
    /** Every counter of the stack ({@code stats.Counter}, docs/counters.md), by name. */
    CompositeData getCounters();

    /**
     * The connection table, one row per connection (state, 4-tuple, queues, RTT, cwnd, retransmissions), copied on the
     * stack thread; fails when the stack thread does not answer within a second.
     */
    TabularData getConnections();

    /** How many connections the stack holds (TIME-WAIT included). */
    int getConnectionCount();

    /** One line of the provider's figures ({@link ModTcpRuntime#status()}). */
    String getStatus();
}

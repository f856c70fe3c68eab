package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code io.modtcp:type=Stack} MBean of a runtime, read over JMX through the connector the {@code ss} command
 * uses (RMI on the platform stack's loopback): the connection table with both ends of a live connection and their
 * queues, and the counters; the MBean goes when the runtime closes.
 */
class ModTcpStackMBeanTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");

    @Test
    @Timeout(60)
    void shouldShowTheConnectionTableAndCountersOverJmx() throws Exception {
        NetStack stack = NetStack.builder()
                .addInterface(LoopbackLink.inJvm(), LO, 8, null)
                .build();
        ObjectName name;
        try (ModTcpRuntime runtime = ModTcpRuntime.start(stack, "mbean-test")) {
            // Registered by a background thread (JMX's classes load off the first socket call's path).
            ObjectName pattern = new ObjectName("io.modtcp:type=Stack,name=\"mbean-test-*\"");
            Set<ObjectName> names = Set.of();
            for (int i = 0; i < 500 && names.isEmpty(); i++) {
                names = ManagementFactory.getPlatformMBeanServer().queryNames(pattern, null);
                Thread.sleep(i == 0 ? 0 : 20);
            }
            assertEquals(1, names.size(), names.toString());
            name = names.iterator().next();

            TcpSocket server = runtime.stack().openSocket();
            server.bind(LO, 9400);
            server.listen(1);
            TcpSocket client = stack.openSocket();
            assertTrue(client.connect(LO, 9400, 5_000_000_000L));
            TcpSocket accepted = server.accept(5_000_000_000L);
            client.write(ByteBuffer.wrap(new byte[1000]), 5_000_000_000L);
            ByteBuffer some = ByteBuffer.allocate(400);
            while (some.hasRemaining()) {
                accepted.read(some, 5_000_000_000L);
            }
            int clientPort = client.localPort();

            String address = ModTcpRuntime.startJmxConnector();
            assertTrue(address.startsWith("service:jmx:rmi://127.0.0.1"), address);
            assertEquals(address, ModTcpRuntime.startJmxConnector(), "one connector per JVM");
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                TabularData table = waitForQueues(mbs, name);
                assertEquals(3, table.size(), table.toString());
                Map<Integer, CompositeData> byLocalPort = new HashMap<>();
                CompositeData listenerRow = null;
                for (Object o : table.values()) {
                    CompositeData row = (CompositeData) o;
                    if ("LISTEN".equals(row.get("state"))) {
                        listenerRow = row;
                    } else {
                        byLocalPort.put((Integer) row.get("localPort"), row);
                    }
                }
                // The listener as ss shows one: any peer, its accept queue (now empty) as Recv-Q, its backlog as
                // Send-Q.
                assertNotNull(listenerRow, table.toString());
                assertEquals(9400, listenerRow.get("localPort"));
                assertEquals("0.0.0.0", listenerRow.get("remoteAddress"));
                assertEquals(0, listenerRow.get("remotePort"));
                assertEquals(0L, listenerRow.get("recvQ"));
                assertEquals(1L, listenerRow.get("sendQ"));
                CompositeData clientRow = byLocalPort.get(clientPort);
                CompositeData serverRow = byLocalPort.get(9400);
                assertEquals("ESTABLISHED", clientRow.get("state"));
                assertEquals("127.0.0.1", clientRow.get("remoteAddress"));
                assertEquals(9400, clientRow.get("remotePort"));
                assertEquals(1000L, clientRow.get("bytesSent"));
                assertEquals(0L, clientRow.get("sendQ"));
                assertTrue((Integer) clientRow.get("cwnd") > 0);
                assertEquals("ESTABLISHED", serverRow.get("state"));
                assertEquals(clientPort, serverRow.get("remotePort"));
                assertEquals(600L, serverRow.get("recvQ"));
                assertEquals(1000L, serverRow.get("bytesReceived"));

                CompositeData counters = (CompositeData) mbs.getAttribute(name, "Counters");
                assertEquals(1L, counters.get("TCP_ACTIVE_OPENS"));
                assertEquals(1L, counters.get("TCP_PASSIVE_OPENS"));
                // Both ends are on this stack: their retransmissions are all it counted (a loaded machine may draw
                // a tail-loss probe even on the loopback).
                assertEquals(
                        counters.get("TCP_RETRANS_SEGS"),
                        (Long) clientRow.get("retransmits") + (Long) serverRow.get("retransmits"));
                assertEquals(2, mbs.getAttribute(name, "ConnectionCount"));
                assertTrue(((String) mbs.getAttribute(name, "Status")).contains("tcpActiveOpens=1"));
            }
            client.close();
            accepted.close();
            server.close();
        }
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(name), "unregistered on close");
    }

    /** The table (the listener and both ends) once the client's data is acknowledged (its Send-Q at 0) and 600 bytes wait unread. */
    private static TabularData waitForQueues(MBeanServerConnection mbs, ObjectName name) throws Exception {
        TabularData table = null;
        for (int i = 0; i < 100; i++) {
            table = (TabularData) mbs.getAttribute(name, "Connections");
            boolean settled = table.size() == 3;
            for (Object o : table.values()) {
                CompositeData row = (CompositeData) o;
                settled &= "LISTEN".equals(row.get("state")) || (Long) row.get("sendQ") == 0;
            }
            if (settled) {
                return table;
            }
            Thread.sleep(20);
        }
        return table;
    }
}

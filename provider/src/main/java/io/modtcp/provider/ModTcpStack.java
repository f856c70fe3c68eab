package io.modtcp.provider;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.ConnectionInfo;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * The {@link ModTcpStackMBean} of one runtime, and the JMX connector the {@code ss} command reaches it through. It
 * needs {@code java.management}; {@link Management} loads it by name only when that module is present, so the
 * provider still runs on {@code java.base} alone.
 */
public final class ModTcpStack implements ModTcpStackMBean {
    /** How long a JMX read waits for the stack thread's copy of the connection table. */
    static final long SNAPSHOT_TIMEOUT_MS = 1000;

    static final String[] CONNECTION_ITEMS = {
        "state", "localAddress", "localPort", "remoteAddress", "remotePort", "recvQ", "sendQ", "srttMicros",
        "rttvarMicros", "rtoMillis", "minRttMicros", "cwnd", "ssthresh", "mss", "sendWindow", "bytesSent",
        "bytesReceived", "retransmits", "inRecovery"
    };
    private static final OpenType<?>[] CONNECTION_TYPES = {
        SimpleType.STRING,
        SimpleType.STRING,
        SimpleType.INTEGER,
        SimpleType.STRING,
        SimpleType.INTEGER,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.INTEGER,
        SimpleType.INTEGER,
        SimpleType.INTEGER,
        SimpleType.INTEGER,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.LONG,
        SimpleType.BOOLEAN
    };
    private static final CompositeType CONNECTION;
    private static final TabularType CONNECTIONS;
    private static final CompositeType COUNTERS;
    private static final String[] COUNTER_NAMES;

    static {
        try {
            CONNECTION = new CompositeType(
                    "io.modtcp.Connection", "A TCP connection", CONNECTION_ITEMS, CONNECTION_ITEMS, CONNECTION_TYPES);
            CONNECTIONS = new TabularType("io.modtcp.Connections", "The connection table", CONNECTION, new String[] {
                "localAddress", "localPort", "remoteAddress", "remotePort"
            });
            Counter[] all = Counter.values();
            COUNTER_NAMES = new String[all.length];
            OpenType<?>[] types = new OpenType<?>[all.length];
            for (int i = 0; i < all.length; i++) {
                COUNTER_NAMES[i] = all[i].name();
                types[i] = SimpleType.LONG;
            }
            COUNTERS = new CompositeType(
                    "io.modtcp.Counters", "The stack's counters", COUNTER_NAMES, COUNTER_NAMES, types);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ModTcpRuntime runtime;

    ModTcpStack(ModTcpRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public CompositeData getCounters() {
        Counters counters = runtime.stack().counters();
        Object[] values = new Object[COUNTER_NAMES.length];
        for (Counter c : Counter.values()) {
            values[c.ordinal()] = counters.get(c);
        }
        try {
            return new CompositeDataSupport(COUNTERS, COUNTER_NAMES, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public TabularData getConnections() {
        List<ConnectionInfo> infos;
        try {
            infos = runtime.stack().connectionInfos(SNAPSHOT_TIMEOUT_MS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the modtcp stack thread did not answer within " + SNAPSHOT_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        TabularDataSupport table = new TabularDataSupport(CONNECTIONS);
        for (ConnectionInfo i : infos) {
            Object[] v = {
                i.state().name(),
                i.localAddress().toString(),
                i.localPort(),
                i.remoteAddress().toString(),
                i.remotePort(),
                i.receiveQueue(),
                i.sendQueue(),
                i.srttNs() / 1000,
                i.rttvarNs() / 1000,
                i.rtoNs() / 1_000_000,
                i.minRttNs() == Long.MAX_VALUE ? 0L : i.minRttNs() / 1000,
                i.cwnd(),
                i.ssthresh(),
                i.sendMss(),
                i.sendWindow(),
                i.bytesSent(),
                i.bytesReceived(),
                i.retransmits(),
                i.inRecovery()
            };
            try {
                table.put(new CompositeDataSupport(CONNECTION, CONNECTION_ITEMS, v));
            } catch (OpenDataException e) {
                throw new IllegalStateException(e);
            }
        }
        return table;
    }

    @Override
    public int getConnectionCount() {
        return runtime.stack().tcp().demux().connectionCount();
    }

    @Override
    public String getStatus() {
        return runtime.status();
    }

    /**
     * Registers the MBean of {@code runtime} on the platform MBean server as {@code io.modtcp:type=Stack} ({@code name}
     * null) or {@code io.modtcp:type=Stack,name=<name>}. Called by {@link Management} only.
     *
     * @return what unregisters it
     */
    public static AutoCloseable register(ModTcpRuntime runtime, String name) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = new ObjectName(
                name == null ? Management.DOMAIN_TYPE : Management.DOMAIN_TYPE + ",name=" + ObjectName.quote(name));
        server.registerMBean(new ModTcpStack(runtime), on);
        return () -> {
            if (server.isRegistered(on)) {
                server.unregisterMBean(on);
            }
        };
    }

    /**
     * Starts (once) a JMX connector on the platform stack's 127.0.0.1 for the {@code ss} command and returns its
     * address. The JDK's own local management agent cannot serve here: its RMI server socket is a {@code ServerSocket},
     * which the agent puts on modtcp, out of reach of another process; this one listens on a kernel socket of the
     * platform provider, bound to the loopback address only, and its stubs connect to the loopback address. As with
     * the JDK's local connector, the stub's object identifier is random ({@code java.rmi.server.randomIDs}) and only
     * someone who can attach to the JVM (the same user) learns the address.
     */
    public static synchronized String startConnector() throws IOException {
        String address = System.getProperty(Management.ADDRESS_PROPERTY);
        if (address != null) {
            return address;
        }
        System.setProperty("java.rmi.server.randomIDs", "true");
        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, new PlatformLoopbackServerSockets());
        env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, new LoopbackClientSockets());
        // Exported as daemon objects: the connector must not keep the program's JVM alive after its main ends (the
        // JDK's local connector does the same).
        env.put("jmx.remote.x.daemon", "true");
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("rmi", "127.0.0.1", 0), env, ManagementFactory.getPlatformMBeanServer());
        server.start();
        address = server.getAddress().toString();
        System.setProperty(Management.ADDRESS_PROPERTY, address);
        return address;
    }

    /** Server sockets of the platform provider (the kernel), on the loopback address only. */
    static final class PlatformLoopbackServerSockets implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocketChannel ch = PlatformProvider.get().openServerSocketChannel();
            try {
                ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return ch.socket();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PlatformLoopbackServerSockets;
        }

        @Override
        public int hashCode() {
            return PlatformLoopbackServerSockets.class.hashCode();
        }
    }

    /** The stub's sockets: to the loopback address, whatever host name RMI put in the stub. */
    static final class LoopbackClientSockets implements RMIClientSocketFactory, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoopbackClientSockets;
        }

        @Override
        public int hashCode() {
            return LoopbackClientSockets.class.hashCode();
        }
    }
}

package io.modtcp.provider;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The indirection in front of JMX ({@link ModTcpStack}): the provider needs only {@code java.base} (and {@code
 * java.instrument} for the agent), and {@code java.management} is a module a runtime may leave out; the MBean
 * classes are loaded by name, and only when that module is in the boot layer.
 */
final class Management {
    static final String DOMAIN_TYPE = "io.modtcp:type=Stack";
    /** The system property where the connector's address is published for the {@code ss} command. */
    static final String ADDRESS_PROPERTY = "io.modtcp.jmx.address";

    private static final String MBEAN_CLASS = "io.modtcp.provider.ModTcpStack";
    private static final System.Logger LOG = System.getLogger("io.modtcp.provider");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Management() {}

    static boolean available() {
        return ModuleLayer.boot().findModule("java.management").isPresent();
    }

    /**
     * Registers {@code runtime}'s MBean: {@code io.modtcp:type=Stack} for the process-wide runtime ({@code name}
     * null), else {@code io.modtcp:type=Stack,name=<name>-<n>}. Returns what unregisters it, or null when JMX is
     * absent or refused (logged: the stack runs on).
     */
    static AutoCloseable register(ModTcpRuntime runtime, String name) {
        if (!available()) {
            return null;
        }
        String unique = name == null ? null : name + "-" + SEQUENCE.incrementAndGet();
        try {
            return (AutoCloseable) Class.forName(MBEAN_CLASS, true, Management.class.getClassLoader())
                    .getMethod("register", ModTcpRuntime.class, String.class)
                    .invoke(null, runtime, unique);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "modtcp: MBean not registered: " + e, e);
            return null;
        }
    }

    /** Starts the JMX connector of the {@code ss} command (see {@link ModTcpStack#startConnector()}). */
    static String startConnector() throws Exception {
        if (!ModuleLayer.boot().findModule("java.management.rmi").isPresent()) {
            throw new IllegalStateException("the java.management.rmi module is not in this runtime");
        }
        try {
            return (String) Class.forName(MBEAN_CLASS, true, Management.class.getClassLoader())
                    .getMethod("startConnector")
                    .invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}

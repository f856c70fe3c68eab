package io.modtcp.provider.agent;

import io.modtcp.provider.ModTcpAsynchronousChannelProvider;
import io.modtcp.provider.ModTcpConfig;
import io.modtcp.provider.ModTcpRuntime;
import io.modtcp.provider.ModTcpSelectorProvider;
import io.modtcp.provider.ModTcpSocketImplFactory;
import java.lang.instrument.Instrumentation;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code -javaagent:modtcp-agent.jar[=key=value,...]}: puts every TCP socket of the JVM on modtcp before {@code main}.
 *
 * <ol>
 *   <li>Agent arguments become {@code modtcp.*} system properties (they win over {@code -D}), and the configuration is
 *       validated now, so a bad value stops the JVM at start-up with a message naming the key.
 *   <li>{@code java.base/sun.nio.ch} is opened to the agent's module ({@link Instrumentation#redefineModule}), so the
 *       provider can reach the platform provider for what it delegates (datagrams, pipes, UNIX-domain channels).
 *   <li>The system property {@code java.nio.channels.spi.SelectorProvider} names the modtcp provider; the JDK reads it
 *       lazily, the first time anything calls {@link SelectorProvider#provider()}, which on JDK 17 and 25 has not
 *       happened yet when premain runs. premain then calls it once and checks the answer.
 *   <li>Likewise {@code java.nio.channels.spi.AsynchronousChannelProvider} names the modtcp asynchronous provider
 *       (read lazily too, by {@link AsynchronousChannelProvider#provider()}), so NIO.2's {@code
 *       AsynchronousSocketChannel}s are on modtcp; premain calls it once and checks the answer.
 *   <li>{@code Socket.setSocketImplFactory} and {@code ServerSocket.setSocketFactory} install the modtcp SocketImpl
 *       (one factory per JVM: one set before is kept, with a warning; an application's later call gets the JDK's
 *       "factory already defined").
 *   <li>Netty's native transports, which would bypass the JDK's socket API and so modtcp, are told to fall back to
 *       NIO ({@link NativeTransportGuard}), unless the user set those properties or gave {@code
 *       nativeTransports=allow}; one log line says which guards were set.
 * </ol>
 * The stack itself boots lazily on first use.
 */
public final class ModTcpAgent {
    private static final System.Logger LOG = System.getLogger("io.modtcp.provider");
    static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    static final String ASYNC_PROVIDER_PROPERTY = "java.nio.channels.spi.AsynchronousChannelProvider";
    /** The agent argument that asks a running modtcp JVM for its JMX connector (not a key=value configuration). */
    public static final String JMX_COMMAND = "jmx-connector";

    private ModTcpAgent() {}

    public static void premain(String args, Instrumentation inst) throws Exception {
        install(args, inst);
    }

    /**
     * Loaded into a running JVM: with {@code args} {@value #JMX_COMMAND} (what {@code ss} and {@code nstat} of {@link
     * ModTcpTool} send to a JVM already running the agent) it starts the JMX connector they read the MBeans through;
     * otherwise it installs modtcp as premain does.
     */
    public static void agentmain(String args, Instrumentation inst) throws Exception {
        if (JMX_COMMAND.equals(args)) {
            ModTcpRuntime.startJmxConnector();
            return;
        }
        install(args, inst);
    }

    private static void install(String args, Instrumentation inst) throws Exception {
        Map<String, String> values = ModTcpConfig.parseAgentArgs(args);
        values.forEach((k, v) -> System.setProperty(ModTcpConfig.PREFIX + k, v));
        ModTcpRuntime.validate(ModTcpConfig.fromSystemProperties()); // fail fast, naming the key

        Module javaBase = Object.class.getModule();
        Module self = ModTcpAgent.class.getModule();
        inst.redefineModule(
                javaBase,
                Set.of(),
                Map.of("sun.nio.ch", Set.of(self)),
                Map.of("sun.nio.ch", Set.of(self)),
                Set.of(),
                Map.of());

        String wanted = ModTcpSelectorProvider.class.getName();
        String previous = System.getProperty(PROVIDER_PROPERTY);
        if (previous == null) {
            System.setProperty(PROVIDER_PROPERTY, wanted);
        }
        SelectorProvider installed = SelectorProvider.provider();
        if (!(installed instanceof ModTcpSelectorProvider)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "modtcp agent: the system-wide SelectorProvider is "
                            + installed.getClass().getName()
                            + ", not modtcp (" + PROVIDER_PROPERTY + "=" + previous + " or provider() ran earlier);"
                            + " NIO channels stay on the platform stack");
        }
        String wantedAsync = ModTcpAsynchronousChannelProvider.class.getName();
        String previousAsync = System.getProperty(ASYNC_PROVIDER_PROPERTY);
        if (previousAsync == null) {
            System.setProperty(ASYNC_PROVIDER_PROPERTY, wantedAsync);
        }
        AsynchronousChannelProvider installedAsync = AsynchronousChannelProvider.provider();
        if (!(installedAsync instanceof ModTcpAsynchronousChannelProvider)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "modtcp agent: the system-wide AsynchronousChannelProvider is "
                            + installedAsync.getClass().getName()
                            + ", not modtcp (" + ASYNC_PROVIDER_PROPERTY + "=" + previousAsync
                            + " or provider() ran earlier); asynchronous channels stay on the platform stack");
        }
        String kept = ModTcpSocketImplFactory.installForAgent();
        if (kept != null) {
            LOG.log(System.Logger.Level.WARNING, "modtcp agent: " + kept);
        }

        boolean allowNative = ModTcpConfig.nativeTransportsAllowed(
                System.getProperty(ModTcpConfig.PREFIX + ModTcpConfig.NATIVE_TRANSPORTS));
        List<String> guards = allowNative ? List.of() : NativeTransportGuard.apply(System.getProperties());
        LOG.log(System.Logger.Level.INFO, NativeTransportGuard.describe(allowNative, guards, System.getProperties()));
    }
}

package io.modtcp.provider.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Keeps Netty's native transports off under the agent. Netty's epoll, kqueue and io_uring transports open their
 * sockets with their own JNI code, not through the JDK's socket API, so their traffic would bypass modtcp without a
 * word (grpc-netty-shaded picks epoll by default). Each of them (Netty 4.1 and 4.2, the io_uring incubator) reports
 * itself unavailable when {@code io.netty.transport.noNative} is true, and the programs then use NIO, which modtcp
 * carries; a relocated (shaded) copy of Netty reads the relocated name of that property.
 *
 * <p>The guards are system properties set before the application's {@code main}; one the user already set, to any
 * value, is left as it is. The agent key {@code nativeTransports=allow} sets none.
 */
final class NativeTransportGuard {
    /**
     * Netty's root package, built at run time: the agent jar relocates {@code io.netty} (its own netty-buffer) to
     * {@code io.modtcp.shaded.netty}, string constants included, and the property the application's Netty reads must
     * keep its real name.
     */
    private static final String NETTY = String.join(".", "io", "netty");

    /**
     * The properties set: Netty's own, and the relocated copy that grpc-netty-shaded carries ({@code io.netty}
     * relocated to {@code io.grpc.netty.shaded.io.netty}).
     */
    static final List<String> PROPERTIES =
            List.of(NETTY + ".transport.noNative", "io.grpc.netty.shaded." + NETTY + ".transport.noNative");

    private NativeTransportGuard() {}

    /** Sets each guard in {@code props} that is not set yet, to {@code true}; returns the names it set, in order. */
    static List<String> apply(Properties props) {
        List<String> set = new ArrayList<>();
        for (String name : PROPERTIES) {
            if (props.getProperty(name) == null) {
                props.setProperty(name, "true");
                set.add(name);
            }
        }
        return set;
    }

    /** The agent's one start-up line about the guards. */
    static String describe(boolean allowed, List<String> set, Properties props) {
        if (allowed) {
            return "modtcp agent: nativeTransports=allow: no native-transport guard set; Netty's epoll, kqueue and"
                    + " io_uring sockets bypass modtcp";
        }
        List<String> kept = new ArrayList<>();
        for (String name : PROPERTIES) {
            if (!set.contains(name)) {
                kept.add(name + "=" + props.getProperty(name));
            }
        }
        StringBuilder sb = new StringBuilder("modtcp agent: native-transport guards set: ");
        sb.append(set.isEmpty() ? "none" : String.join("=true, ", set) + "=true");
        if (!kept.isEmpty()) {
            sb.append("; left as the user set them: ").append(String.join(", ", kept));
        }
        return sb.append(" (nativeTransports=allow turns the guards off)").toString();
    }
}

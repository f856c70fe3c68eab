package io.modtcp.provider;

import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * Under a security manager (JDK 17; removed in JDK 24), what modtcp does on its own behalf runs with the agent's
 * permissions, not those of the application code that happens to be on the stack: booting the stack (threads,
 * configuration), reading the system properties the JDK's sockets honour, reflecting on the platform provider. The
 * policy grants the agent jar {@code AllPermission} (docs/provider.md); application code still needs its own
 * {@code SocketPermission}s, which {@code java.net.Socket} and the channels check as on the platform.
 */
final class Privileged {
    private Privileged() {}

    @SuppressWarnings("removal")
    static <T> T run(PrivilegedAction<T> action) {
        return System.getSecurityManager() == null ? action.run() : AccessController.doPrivileged(action);
    }

    static String property(String key) {
        return run(() -> System.getProperty(key));
    }
}

package io.modtcp.provider;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.SocketImplFactory;

/**
 * Creates modtcp {@link SocketImpl}s for {@code java.net.Socket} and {@code ServerSocket}. Both JDK hooks are needed
 * (each can be set once per JVM): {@link Socket#setSocketImplFactory} and {@link ServerSocket#setSocketFactory}.
 */
public final class ModTcpSocketImplFactory implements SocketImplFactory {
    private final boolean server;

    private ModTcpSocketImplFactory(boolean server) {
        this.server = server;
    }

    @Override
    public SocketImpl createSocketImpl() {
        return ModTcpSocketFactories.impl(ModTcpRuntime.get(), server);
    }

    /**
     * Installs both factories. They can be set only once per JVM.
     *
     * @throws IOException if a factory was already set (by anyone)
     */
    // Socket.setSocketImplFactory and ServerSocket.setSocketFactory are deprecated since JDK 17 (in favour of
    // SocketFactory subclasses), but they are the only way to move unmodified Socket users onto modtcp.
    @SuppressWarnings("deprecation")
    public static void install() throws IOException {
        Socket.setSocketImplFactory(new ModTcpSocketImplFactory(false));
        ServerSocket.setSocketFactory(new ModTcpSocketImplFactory(true));
    }

    /**
     * Installs both factories for the agent. A factory set before (by another agent, or code that ran first) is kept:
     * {@code java.net.Socket}/{@code ServerSocket} then stay on it, the channels still move to modtcp, and the returned
     * text says so. The JDK has one factory per class and no way to chain to it: once modtcp's is set, an application's
     * own {@code Socket.setSocketImplFactory} gets the JDK's {@code SocketException: factory already defined}.
     *
     * @return null when both are modtcp's, else what was kept and why
     */
    @SuppressWarnings("deprecation")
    public static String installForAgent() {
        StringBuilder kept = new StringBuilder();
        try {
            Socket.setSocketImplFactory(new ModTcpSocketImplFactory(false));
        } catch (IOException e) {
            kept.append("java.net.Socket keeps the SocketImplFactory set before the agent (")
                    .append(e.getMessage())
                    .append("); ");
        }
        try {
            ServerSocket.setSocketFactory(new ModTcpSocketImplFactory(true));
        } catch (IOException e) {
            kept.append("java.net.ServerSocket keeps the factory set before the agent (")
                    .append(e.getMessage())
                    .append("); ");
        }
        return kept.length() == 0
                ? null
                : kept.append(
                                "those sockets stay on the platform stack; NIO channels use modtcp (see docs/provider.md)")
                        .toString();
    }
}

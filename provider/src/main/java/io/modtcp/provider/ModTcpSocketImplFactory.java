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
}

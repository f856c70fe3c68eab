package io.modtcp.provider;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * The modtcp {@link SelectorProvider}: TCP channels and selectors on a modtcp stack, by default the process-wide one
 * (booted lazily on first use). Datagram channels, pipes and UNIX-domain channels are the platform provider's.
 *
 * <p>Install it system-wide with {@code -Djava.nio.channels.spi.SelectorProvider=io.modtcp.provider.ModTcpSelectorProvider}
 * (or through the service entry or the agent), or use an instance directly. {@link #socketFactory()} and {@link
 * #serverSocketFactory()} give {@code java.net.Socket}s and {@code ServerSocket}s on the same stack without the
 * JVM-wide socket factories.
 */
public class ModTcpSelectorProvider extends SelectorProvider {
    /** Null: the process-wide runtime, looked up on each use so that constructing the provider boots nothing. */
    private final ModTcpRuntime runtime;

    /** Public for the JDK's property and service loaders. Validates the configuration, boots nothing. */
    public ModTcpSelectorProvider() {
        ModTcpConfig.fromSystemProperties();
        this.runtime = null;
    }

    /** A provider whose channels, selectors and sockets are on {@code runtime} (see {@link ModTcpRuntime#start}). */
    public ModTcpSelectorProvider(ModTcpRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime);
    }

    /**
     * The platform's own provider (what modtcp delegates to), or null when {@code sun.nio.ch} is not reachable (see
     * docs/provider.md: the agent opens it; otherwise {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}).
     */
    public static SelectorProvider platformProvider() {
        return PlatformProvider.find();
    }

    /** The runtime this provider's channels are on. */
    public ModTcpRuntime runtime() {
        return runtime != null ? runtime : ModTcpRuntime.get();
    }

    /**
     * A {@link SocketFactory} whose {@code java.net.Socket}s run on this provider's stack (as the agent's JVM-wide
     * {@code SocketImpl} factory makes every {@code new Socket()} do).
     */
    public SocketFactory socketFactory() {
        return new ModTcpSocketFactories.Sockets(this::runtime);
    }

    /** A {@link ServerSocketFactory} whose {@code ServerSocket}s, and the sockets they accept, run on this stack. */
    public ServerSocketFactory serverSocketFactory() {
        return new ModTcpSocketFactories.ServerSockets(this::runtime);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        ModTcpRuntime r = runtime();
        r.socketChannels.increment();
        return new ModTcpSocketChannel(this, r.openSocket(), false);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        ModTcpRuntime r = runtime();
        r.serverChannels.increment();
        return new ModTcpServerSocketChannel(this, r);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        if (family == StandardProtocolFamily.INET || family == StandardProtocolFamily.INET6) {
            return openSocketChannel();
        }
        return PlatformProvider.get().openSocketChannel(family);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        if (family == StandardProtocolFamily.INET || family == StandardProtocolFamily.INET6) {
            return openServerSocketChannel();
        }
        return PlatformProvider.get().openServerSocketChannel(family);
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        runtime().selectors.increment();
        return new ModTcpSelector(this);
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return PlatformProvider.get().openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return PlatformProvider.get().openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return PlatformProvider.get().openPipe();
    }

    /** A channel inherited from the launching process (inetd style) is a kernel one: the platform's. */
    @Override
    public java.nio.channels.Channel inheritedChannel() throws IOException {
        SelectorProvider platform = PlatformProvider.find();
        return platform == null ? null : platform.inheritedChannel();
    }
}

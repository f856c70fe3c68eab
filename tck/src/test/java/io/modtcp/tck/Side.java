package io.modtcp.tck;

import io.modtcp.provider.ModTcpAsynchronousChannelProvider;
import io.modtcp.provider.ModTcpSelectorProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * One end of the connections a behaviour makes: where its channels, selectors and sockets come from, and the addresses
 * it owns. An implementation has a subject (the stack under test) and a peer (the other end of its connections), which
 * may be the same side.
 */
public final class Side {
    private final String name;
    private final SelectorProvider provider;
    private final SocketFactory sockets;
    private final ServerSocketFactory serverSockets;
    private final InetAddress address;
    private final InetAddress address6;
    /** Made on first use: the modtcp provider's asynchronous one, or the platform's. */
    private AsynchronousChannelProvider asyncProvider;
    /** Where sockets are created (a thread inside a network namespace), or null: on the calling thread. */
    private final ExecutorService creator;

    Side(
            String name,
            SelectorProvider provider,
            SocketFactory sockets,
            ServerSocketFactory serverSockets,
            InetAddress address,
            InetAddress address6,
            ExecutorService creator) {
        this.name = name;
        this.provider = Objects.requireNonNull(provider);
        this.sockets = Objects.requireNonNull(sockets);
        this.serverSockets = Objects.requireNonNull(serverSockets);
        this.address = Objects.requireNonNull(address);
        this.address6 = address6;
        this.creator = creator;
    }

    /** What this side is, e.g. {@code modtcp 192.0.2.2 over TUN}. */
    public String name() {
        return name;
    }

    /** The provider of this side's channels and selectors. */
    public SelectorProvider provider() {
        return provider;
    }

    /**
     * The provider of this side's asynchronous channels: {@link ModTcpAsynchronousChannelProvider} over this side's
     * modtcp provider, or the platform's own.
     */
    public synchronized AsynchronousChannelProvider asyncProvider() {
        if (asyncProvider == null) {
            if (provider instanceof ModTcpSelectorProvider m) {
                asyncProvider = new ModTcpAsynchronousChannelProvider(m);
            } else {
                asyncProvider = ModTcpAsynchronousChannelProvider.platformProvider();
                if (asyncProvider == null) {
                    throw new IllegalStateException("the platform's asynchronous channel provider is not reachable:"
                            + " run with --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
                }
            }
        }
        return asyncProvider;
    }

    /** This side's IPv4 address: what it binds and where it can be reached. */
    public InetAddress address() {
        return address;
    }

    /** This side's IPv6 address, or null when the implementation has no IPv6 path. */
    public InetAddress address6() {
        return address6;
    }

    /** {@code address():port}. */
    public InetSocketAddress at(int port) {
        return new InetSocketAddress(address, port);
    }

    public SocketChannel openChannel() throws IOException {
        return create(provider::openSocketChannel);
    }

    public ServerSocketChannel openServerChannel() throws IOException {
        return create(provider::openServerSocketChannel);
    }

    public Selector openSelector() throws IOException {
        return provider.openSelector();
    }

    /** An unconnected {@code java.net.Socket}. */
    public Socket newSocket() throws IOException {
        return create(() -> {
            Socket s = sockets.createSocket();
            // The platform's Socket makes its kernel socket lazily, on first use: use it here, where it is created.
            s.getReceiveBufferSize();
            return s;
        });
    }

    /** An unbound {@code java.net.ServerSocket}. */
    public ServerSocket newServerSocket() throws IOException {
        return create(() -> {
            ServerSocket s = serverSockets.createServerSocket();
            s.getReceiveBufferSize();
            return s;
        });
    }

    private <T> T create(Callable<T> c) throws IOException {
        try {
            return creator == null ? c.call() : creator.submit(c).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating a socket on " + name, e);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

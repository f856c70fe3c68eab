package io.modtcp.provider;

import io.modtcp.stack.socket.TcpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/** A {@link ServerSocketChannel} on a listening modtcp {@link TcpSocket}. */
final class ModTcpServerSocketChannel extends ServerSocketChannel implements ModTcpChannel {
    /** The platform's on Linux, extended ones included (accepted connections inherit the keepalive ones). */
    static final Set<SocketOption<?>> OPTIONS = ExtendedOptions.with(Set.of(
            StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.IP_TOS));

    private final ModTcpRuntime runtime;
    private final TcpSocket socket;
    private final Registrations registrations = new Registrations();
    private final Object acceptLock = new Object();
    private final Object stateLock = new Object();
    private volatile boolean blocking = true;
    // Linux (and the JDK on it) turns SO_REUSEADDR on for server sockets by default.
    private boolean reuseAddress = true;
    private int trafficClass;
    private ServerSocketAdaptor adaptor;

    ModTcpServerSocketChannel(SelectorProvider provider, ModTcpRuntime runtime) {
        super(provider);
        this.runtime = runtime;
        this.socket = runtime.openSocket();
        socket.setReuseAddress(reuseAddress);
        socket.setReadinessListener(registrations);
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public int translateReadyOps(int interestOps) {
        if ((interestOps & SelectionKey.OP_ACCEPT) != 0
                && socket.isListening()
                && (socket.readyOps() & TcpSocket.OP_ACCEPT) != 0) {
            return SelectionKey.OP_ACCEPT;
        }
        return 0;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (socket.isBound()) {
                throw new AlreadyBoundException();
            }
            if (local == null) {
                socket.bind(Addresses.wildcard(), 0);
            } else {
                InetSocketAddress isa = Addresses.check(local);
                socket.bind(Addresses.forBind(isa.getAddress()), isa.getPort());
            }
            socket.listen(backlog < 1 ? 50 : backlog);
            runtime.listening(socket, true);
        }
        return this;
    }

    @Override
    public SocketChannel accept() throws IOException {
        synchronized (acceptLock) {
            ensureOpen();
            if (!socket.isListening()) {
                throw new NotYetBoundException();
            }
            return accept(blocking ? TcpSocket.FOREVER : 0);
        }
    }

    /** The adaptor's accept: blocking mode only, with SO_TIMEOUT (0: none). */
    SocketChannel blockingAccept(long timeoutNs) throws IOException {
        synchronized (acceptLock) {
            ensureOpen();
            if (!socket.isListening()) {
                throw new NotYetBoundException();
            }
            if (!blocking) {
                throw new IllegalBlockingModeException();
            }
            return accept(ModTcpSocketChannel.timeoutOrForever(timeoutNs));
        }
    }

    private SocketChannel accept(long timeoutNs) throws IOException {
        TcpSocket child;
        if (timeoutNs == 0) {
            try {
                child = socket.accept(0);
            } catch (IOException e) {
                ensureOpen();
                throw e;
            }
        } else {
            boolean completed = false;
            try {
                begin();
                child = socket.accept(timeoutNs);
                completed = true;
            } catch (IOException e) {
                if (isOpen()) {
                    throw e;
                }
                return null; // end() throws
            } finally {
                end(completed);
            }
        }
        if (child == null) {
            return null;
        }
        runtime.socketChannels.increment();
        return new ModTcpSocketChannel(provider(), child, true);
    }

    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = ServerSocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return localAddressOrNull();
    }

    InetSocketAddress localAddressOrNull() {
        return socket.isBound() ? Addresses.toSocketAddress(socket.localAddress(), socket.localPort()) : null;
    }

    boolean isBound() {
        return socket.isBound();
    }

    boolean isBlockingMode() {
        return blocking;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.checkSettable(OPTIONS, name, value);
        synchronized (stateLock) {
            ensureOpen();
            if (name == StandardSocketOptions.SO_REUSEADDR) {
                reuseAddress = (Boolean) value;
                socket.setReuseAddress(reuseAddress);
            } else if (name == StandardSocketOptions.IP_TOS) {
                trafficClass = (Integer) value;
            } else {
                ModTcpSocketChannel.setSocketOption(socket, name, value);
            }
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOptions.checkSupported(OPTIONS, name);
        synchronized (stateLock) {
            ensureOpen();
            if (name == StandardSocketOptions.SO_REUSEADDR) {
                return (T) Boolean.valueOf(reuseAddress);
            }
            if (name == StandardSocketOptions.IP_TOS) {
                return (T) Integer.valueOf(trafficClass);
            }
            return ModTcpSocketChannel.getSocketOption(socket, name);
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        runtime.listening(socket, false);
        socket.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        blocking = block;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(ServerSocketChannel.class.getName()).append("[");
        if (!isOpen()) {
            sb.append("closed");
        } else {
            InetSocketAddress l = localAddressOrNull();
            sb.append(l == null ? "unbound" : l.toString());
        }
        return sb.append("]").toString();
    }
}

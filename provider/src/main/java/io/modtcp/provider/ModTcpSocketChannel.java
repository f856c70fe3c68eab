package io.modtcp.provider;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SocketChannel} on a modtcp {@link TcpSocket}. Blocking operations run inside {@link #begin()}/{@link
 * #end(boolean)}, so an interrupt closes the channel ({@link java.nio.channels.ClosedByInterruptException}) and a
 * close from another thread wakes the blocked one ({@link java.nio.channels.AsynchronousCloseException}).
 *
 * <p>Longer than the ~700 lines STYLE.md aims at: it implements all of {@link SocketChannel}'s abstract API (connect in
 * both modes, scattering reads, gathering writes, the options, the shutdowns) plus the hand-over of a connection the
 * routing sends to the kernel, which must stay the same channel object (the application already holds it, and its
 * selection keys). The kernel branch of each method is one delegation; moving them into a second class would repeat
 * every method's signature and checks.
 */
final class ModTcpSocketChannel extends SocketChannel implements ModTcpChannel {
    private enum State {
        UNCONNECTED,
        PENDING,
        CONNECTED
    }

    /** The platform's on Linux: the standard TCP options and the extended ones ({@link ExtendedOptions}). */
    static final Set<SocketOption<?>> OPTIONS = ExtendedOptions.with(Set.of(
            StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.IP_TOS));

    private final TcpSocket socket;
    private final Registrations registrations = new Registrations();
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private final Object stateLock = new Object();
    private volatile State state = State.UNCONNECTED;
    private volatile boolean blocking = true;
    private boolean reuseAddress;
    private int trafficClass;
    private SocketAdaptor adaptor;
    /** The address given to connect (with its host name), for exception texts. */
    private volatile InetSocketAddress connectingTo;
    /** Set when the destination is routed to the kernel ({@code modtcp.kernel}): every call then goes to it. */
    private volatile SocketChannel kernel;

    ModTcpSocketChannel(SelectorProvider provider, TcpSocket socket, boolean connected) {
        super(provider);
        this.socket = socket;
        if (connected) {
            state = State.CONNECTED;
        }
        socket.setReadinessListener(registrations);
    }

    TcpSocket tcpSocket() {
        return socket;
    }

    /** The platform channel this one delegates to, or null when on modtcp. */
    SocketChannel kernel() {
        return kernel;
    }

    /**
     * Connects through the platform stack instead ({@code modtcp.kernel}). Options set so far are carried over; a bind
     * to a modtcp address is not. Keys already registered follow the platform channel from now on.
     */
    private boolean connectKernel(InetSocketAddress isa, long timeoutNs) throws IOException {
        SocketChannel k = PlatformProvider.get().openSocketChannel();
        try {
            k.setOption(StandardSocketOptions.TCP_NODELAY, socket.noDelay());
            k.setOption(StandardSocketOptions.SO_KEEPALIVE, socket.keepAlive());
            k.setOption(StandardSocketOptions.SO_LINGER, socket.linger());
            k.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
            k.socket().setOOBInline(socket.oobInline());
            k.configureBlocking(blocking);
        } catch (IOException | RuntimeException e) {
            k.close();
            throw e;
        }
        synchronized (stateLock) {
            if (!isOpen()) {
                k.close();
                throw new ClosedChannelException();
            }
            kernel = k;
        }
        socket.close();
        for (ModTcpSelectionKey key : registrations.keys()) {
            key.selector.bridgeKernel(key, k);
        }
        try {
            boolean connected;
            if (blocking && timeoutNs > 0) {
                k.socket().connect(isa, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
                connected = true;
            } else {
                connected = k.connect(isa);
            }
            state = connected ? State.CONNECTED : State.PENDING;
            return connected;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public int translateReadyOps(int interestOps) {
        int tcp = socket.readyOps();
        State s = state;
        int ready = 0;
        if (s == State.PENDING && (interestOps & SelectionKey.OP_CONNECT) != 0 && (tcp & TcpSocket.OP_CONNECT) != 0) {
            ready |= SelectionKey.OP_CONNECT;
        }
        if (s == State.CONNECTED) {
            ready |= tcp & interestOps & (SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return ready;
    }

    // ---- binding and connecting ----

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        synchronized (readLock) {
            synchronized (writeLock) {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == State.PENDING) {
                        throw new ConnectionPendingException();
                    }
                    // A connected channel is bound (as with the JDK's: AlreadyBoundException, not AlreadyConnected).
                    if (isBound()) {
                        throw new AlreadyBoundException();
                    }
                    if (local == null) {
                        socket.bind(Addresses.wildcard(), 0);
                    } else {
                        InetSocketAddress isa = Addresses.check(local);
                        socket.bind(Addresses.forBind(isa.getAddress()), isa.getPort());
                    }
                }
            }
        }
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, 0);
    }

    /** Connects; in blocking mode waits up to {@code timeoutNs} (0: no timeout) for the handshake. */
    boolean connect(SocketAddress remote, long timeoutNs) throws IOException {
        InetSocketAddress isa = Addresses.check(remote);
        synchronized (readLock) {
            synchronized (writeLock) {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == State.CONNECTED) {
                        throw new AlreadyConnectedException();
                    }
                    if (state == State.PENDING) {
                        throw new ConnectionPendingException();
                    }
                }
                IpAddr dst = Addresses.forConnect(isa.getAddress());
                if (((ModTcpSelectorProvider) provider()).runtime().routesToKernel(dst, isa.getPort())) {
                    return connectKernel(isa, timeoutNs);
                }
                return connectStep(isa, b -> {
                    connectingTo = isa;
                    boolean connected = socket.connect(dst, isa.getPort(), b ? timeoutOrForever(timeoutNs) : 0);
                    state = connected ? State.CONNECTED : State.PENDING;
                    return connected;
                });
            }
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        synchronized (readLock) {
            synchronized (writeLock) {
                ensureOpen();
                State s = state;
                if (s == State.CONNECTED) {
                    return true;
                }
                if (s != State.PENDING) {
                    throw new NoConnectionPendingException();
                }
                SocketChannel k = kernel;
                if (k != null) {
                    try {
                        boolean connected = k.finishConnect();
                        if (connected) {
                            state = State.CONNECTED;
                        }
                        return connected;
                    } catch (IOException e) {
                        close();
                        throw e;
                    }
                }
                return connectStep(connectingTo, b -> {
                    boolean connected = socket.finishConnect(b ? TcpSocket.FOREVER : 0);
                    if (connected) {
                        state = State.CONNECTED;
                    }
                    return connected;
                });
            }
        }
    }

    /** A step of a modtcp connect, given the channel's blocking mode: true once connected. */
    private interface ConnectStep {
        boolean run(boolean blocking) throws IOException;
    }

    /**
     * Runs a connect step, interruptible in blocking mode ({@code begin}/{@code end}). A failed connect closes the
     * channel (as the JDK's does) and the failure, naming {@code target}, is the exception.
     */
    private boolean connectStep(InetSocketAddress target, ConnectStep step) throws IOException {
        boolean b = blocking;
        boolean completed = false;
        try {
            if (b) {
                begin();
            }
            boolean connected = step.run(b);
            completed = true;
            return connected;
        } catch (IOException e) {
            if (isOpen()) {
                completed = true;
                close();
                throw ExceptionText.withAddress(e, target);
            }
            return false; // end() throws
        } finally {
            if (b) {
                end(completed);
            }
        }
    }

    @Override
    public boolean isConnected() {
        // A closed channel is not connected (as the JDK's: its close ends the connected state).
        return state == State.CONNECTED && isOpen();
    }

    @Override
    public boolean isConnectionPending() {
        return state == State.PENDING;
    }

    boolean isBound() {
        SocketChannel k = kernel;
        return k != null ? k.socket().isBound() : socket.isBound();
    }

    // ---- data ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        synchronized (readLock) {
            beginRead();
            checkWritable(dst);
            SocketChannel k = kernel;
            if (k != null) {
                return kernelIo(() -> k.read(dst));
            }
            return readBlockingOrNot(dst, blocking ? TcpSocket.FOREVER : 0);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        synchronized (readLock) {
            beginRead();
            for (int i = offset; i < offset + length; i++) {
                checkWritable(dsts[i]);
            }
            SocketChannel k = kernel;
            if (k != null) {
                return kernelIoLong(() -> k.read(dsts, offset, length));
            }
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer dst = dsts[i];
                if (!dst.hasRemaining()) {
                    continue;
                }
                int n = readBlockingOrNot(dst, total == 0 && blocking ? TcpSocket.FOREVER : 0);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (n == 0 || dst.hasRemaining()) {
                    break;
                }
            }
            return total;
        }
    }

    /** The adaptor's read: blocking mode only, with SO_TIMEOUT. */
    int blockingRead(ByteBuffer dst, long timeoutNs) throws IOException {
        synchronized (readLock) {
            if (!blocking) {
                throw new IllegalBlockingModeException();
            }
            beginRead();
            SocketChannel k = kernel;
            if (k != null) {
                Socket ks = k.socket();
                ks.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(timeoutNs));
                int n = ks.getInputStream().read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            return readBlockingOrNot(dst, timeoutOrForever(timeoutNs));
        }
    }

    /** A read target must be writable: the JDK rejects a read-only buffer before reading anything. */
    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private void beginRead() throws IOException {
        ensureOpen();
        if (state != State.CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    private int readBlockingOrNot(ByteBuffer dst, long timeoutNs) throws IOException {
        if (timeoutNs == 0) {
            try {
                return socket.read(dst, 0);
            } catch (IOException e) {
                ensureOpen();
                throw e;
            }
        }
        boolean completed = false;
        try {
            begin();
            int n = socket.read(dst, timeoutNs);
            completed = true;
            return n;
        } catch (IOException e) {
            if (isOpen()) {
                throw e;
            }
            return 0; // end() throws
        } finally {
            end(completed);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        synchronized (writeLock) {
            beginWrite();
            SocketChannel k = kernel;
            if (k != null) {
                return kernelIo(() -> k.write(src));
            }
            return writeBlockingOrNot(src, blocking ? TcpSocket.FOREVER : 0);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        synchronized (writeLock) {
            beginWrite();
            SocketChannel k = kernel;
            if (k != null) {
                return kernelIoLong(() -> k.write(srcs, offset, length));
            }
            long total = 0;
            boolean b = blocking;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer src = srcs[i];
                if (!src.hasRemaining()) {
                    continue;
                }
                total += writeBlockingOrNot(src, b ? TcpSocket.FOREVER : 0);
                if (src.hasRemaining()) {
                    break;
                }
            }
            return total;
        }
    }

    /**
     * The adaptor's {@code sendUrgentData} (as SocketChannelImpl.sendOutOfBandData): 1 when the urgent octet is
     * queued, 0 when a non-blocking channel's send buffer is full. After {@code shutdownOutput}: the JDK's
     * AsynchronousCloseException (its finally replaces the ClosedChannelException of its beginWrite).
     */
    int sendOutOfBandData(byte b) throws IOException {
        synchronized (writeLock) {
            ensureOpen();
            if (state != State.CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (isOutputShutdown()) {
                throw new AsynchronousCloseException();
            }
            SocketChannel k = kernel;
            if (k != null) {
                k.socket().sendUrgentData(b);
                return 1;
            }
            return socket.sendUrgentData(b, blocking ? TcpSocket.FOREVER : 0) ? 1 : 0;
        }
    }

    /** SO_OOBINLINE, through the adaptor (the JDK's channel takes it only there). */
    void setOobInline(boolean on) throws SocketException {
        SocketChannel k = kernel;
        if (k != null) {
            k.socket().setOOBInline(on);
        } else {
            socket.setOobInline(on);
        }
    }

    boolean oobInline() throws SocketException {
        SocketChannel k = kernel;
        return k != null ? k.socket().getOOBInline() : socket.oobInline();
    }

    /** The adaptor's write: blocking mode only. */
    void blockingWrite(ByteBuffer src) throws IOException {
        synchronized (writeLock) {
            if (!blocking) {
                throw new IllegalBlockingModeException();
            }
            beginWrite();
            SocketChannel k = kernel;
            if (k != null) {
                while (src.hasRemaining()) {
                    kernelIo(() -> k.write(src));
                }
                return;
            }
            writeBlockingOrNot(src, TcpSocket.FOREVER);
        }
    }

    private void beginWrite() throws IOException {
        ensureOpen();
        if (state != State.CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (isOutputShutdown()) {
            throw new ClosedChannelException();
        }
    }

    private interface KernelCall {
        long call() throws IOException;
    }

    /** A call on the kernel channel; if it closed it (interrupt, asynchronous close), this channel closes too. */
    private int kernelIo(KernelCall call) throws IOException {
        return (int) kernelIoLong(call);
    }

    private long kernelIoLong(KernelCall call) throws IOException {
        try {
            return call.call();
        } catch (ClosedChannelException e) {
            close();
            throw e;
        }
    }

    private int writeBlockingOrNot(ByteBuffer src, long timeoutNs) throws IOException {
        if (timeoutNs == 0) {
            try {
                return socket.write(src, 0);
            } catch (IOException e) {
                ensureOpen();
                throw e;
            }
        }
        boolean completed = false;
        int before = src.position();
        try {
            begin();
            int n = socket.write(src, timeoutNs);
            completed = true;
            return n;
        } catch (IOException e) {
            if (isOpen()) {
                if (src.position() == before && socket.isOutputShutdown()) {
                    // shutdownOutput by another thread while this write waited (as SocketChannelImpl.write)
                    AsynchronousCloseException ace = new AsynchronousCloseException();
                    ace.addSuppressed(e);
                    throw ace;
                }
                throw e;
            }
            completed = src.position() > before;
            return src.position() - before; // end() throws if nothing was written
        } finally {
            end(completed);
        }
    }

    int available() throws IOException {
        ensureOpen();
        SocketChannel k = kernel;
        if (k != null) {
            return k.socket().getInputStream().available();
        }
        return socket.available();
    }

    // ---- shutdown, close, blocking mode ----

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != State.CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (kernel != null) {
                kernel.shutdownInput();
            } else if (!socket.isInputShutdown()) {
                socket.shutdownInput();
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != State.CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (kernel != null) {
                kernel.shutdownOutput();
            } else if (!socket.isOutputShutdown()) {
                socket.shutdownOutput();
            }
        }
        return this;
    }

    boolean isInputShutdown() {
        SocketChannel k = kernel;
        return k != null ? k.socket().isInputShutdown() : socket.isInputShutdown();
    }

    boolean isOutputShutdown() {
        SocketChannel k = kernel;
        return k != null ? k.socket().isOutputShutdown() : socket.isOutputShutdown();
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        socket.close();
        SocketChannel k;
        synchronized (stateLock) {
            k = kernel;
        }
        if (k != null) {
            k.close();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        SocketChannel k = kernel;
        if (k != null) {
            k.configureBlocking(block);
        }
        blocking = block;
    }

    // ---- addresses, options, adaptor ----

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = SocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        SocketChannel k = kernel;
        if (k != null) {
            return k.getLocalAddress();
        }
        if (!socket.isBound()) {
            return null;
        }
        return Addresses.toSocketAddress(socket.localAddress(), socket.localPort());
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        SocketChannel k = kernel;
        if (k != null) {
            return state == State.CONNECTED ? k.getRemoteAddress() : null;
        }
        return state == State.CONNECTED ? Addresses.toSocketAddress(socket.remoteAddress(), socket.remotePort()) : null;
    }

    InetSocketAddress remoteAddressOrNull() {
        SocketChannel k = kernel;
        if (k != null) {
            return state == State.CONNECTED ? (InetSocketAddress) k.socket().getRemoteSocketAddress() : null;
        }
        return state == State.CONNECTED ? Addresses.toSocketAddress(socket.remoteAddress(), socket.remotePort()) : null;
    }

    InetSocketAddress localAddressOrNull() {
        SocketChannel k = kernel;
        if (k != null) {
            return (InetSocketAddress) k.socket().getLocalSocketAddress();
        }
        return socket.isBound() ? Addresses.toSocketAddress(socket.localAddress(), socket.localPort()) : null;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.checkSettable(OPTIONS, name, value);
        synchronized (stateLock) {
            ensureOpen();
            if (kernel != null) {
                kernel.setOption(name, value);
                return this;
            }
            setSocketOption(socket, name, value);
            if (name == StandardSocketOptions.SO_REUSEADDR) {
                reuseAddress = (Boolean) value;
            } else if (name == StandardSocketOptions.IP_TOS) {
                trafficClass = (Integer) value;
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
            if (kernel != null) {
                return kernel.getOption(name);
            }
            if (name == StandardSocketOptions.SO_REUSEADDR) {
                return (T) Boolean.valueOf(reuseAddress);
            }
            if (name == StandardSocketOptions.IP_TOS) {
                return (T) Integer.valueOf(trafficClass);
            }
            return getSocketOption(socket, name);
        }
    }

    /** Sets a standard option on a stack socket (shared by the channels and the SocketImpl). */
    static void setSocketOption(TcpSocket socket, SocketOption<?> name, Object value) throws SocketException {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            socket.setNoDelay((Boolean) value);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            socket.setKeepAlive((Boolean) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int v = (Integer) value;
            socket.setLinger(v < 0 ? -1 : Math.min(v, 65535));
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            socket.setReceiveBufferSize(v);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            socket.setSendBufferSize(v);
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            socket.setReusePort((Boolean) value);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            socket.setReuseAddress((Boolean) value);
        } else if (ExtendedOptions.isExtended(name)) {
            ExtendedOptions.set(socket, name, value);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T getSocketOption(TcpSocket socket, SocketOption<T> name) {
        Object v;
        if (name == StandardSocketOptions.TCP_NODELAY) {
            v = socket.noDelay();
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = socket.keepAlive();
        } else if (name == StandardSocketOptions.SO_LINGER) {
            v = socket.linger();
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = socket.receiveBufferSize();
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = socket.sendBufferSize();
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            v = socket.reusePort();
        } else if (ExtendedOptions.isExtended(name)) {
            v = ExtendedOptions.get(socket, name);
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return (T) v;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    boolean isBlockingMode() {
        return blocking;
    }

    static long timeoutOrForever(long timeoutNs) {
        return timeoutNs <= 0 ? TcpSocket.FOREVER : timeoutNs;
    }

    static long millisToNanos(int ms) {
        return ms <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append("[");
        if (!isOpen()) {
            sb.append("closed");
        } else {
            sb.append(
                    state == State.CONNECTED
                            ? "connected"
                            : state == State.PENDING ? "connection-pending" : "unconnected");
            InetSocketAddress l = localAddressOrNull();
            if (l != null) {
                sb.append(" local=").append(l);
            }
            InetSocketAddress r = remoteAddressOrNull();
            if (r != null) {
                sb.append(" remote=").append(r);
            }
        }
        return sb.append("]").toString();
    }
}

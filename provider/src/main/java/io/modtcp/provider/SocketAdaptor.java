package io.modtcp.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code socket()} adaptor of a {@link ModTcpSocketChannel}: a real {@link Socket} (subclassed through the
 * protected {@code Socket(SocketImpl)} constructor, as junixsocket and the JDK itself do) that forwards every call to
 * the channel. Cached by the channel: applications call {@code socket()} on hot paths.
 */
final class SocketAdaptor extends Socket {
    private final ModTcpSocketChannel sc;
    private volatile int soTimeoutMs;

    private SocketAdaptor(ModTcpSocketChannel sc) throws SocketException {
        super(new DummySocketImpl());
        this.sc = sc;
    }

    static SocketAdaptor create(ModTcpSocketChannel sc) {
        try {
            return new SocketAdaptor(sc);
        } catch (SocketException e) {
            throw new InternalError(e);
        }
    }

    @Override
    public SocketChannel getChannel() {
        return sc;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        try {
            if (!sc.isBlockingMode()) {
                throw new IllegalBlockingModeException();
            }
            sc.connect(remote, ModTcpSocketChannel.millisToNanos(timeout));
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        try {
            sc.bind(local);
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = sc.remoteAddressOrNull();
        return r == null ? null : r.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        if (sc.isOpen()) {
            InetSocketAddress l = sc.localAddressOrNull();
            if (l != null) {
                return l.getAddress();
            }
        }
        return Addresses.toInet(io.modtcp.stack.wire.IpAddr.ANY4);
    }

    @Override
    public int getPort() {
        InetSocketAddress r = sc.remoteAddressOrNull();
        return r == null ? 0 : r.getPort();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = sc.localAddressOrNull();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return sc.remoteAddressOrNull();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return sc.isOpen() ? sc.localAddressOrNull() : null;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new BufferStreams.In() {
            @Override
            int read(ByteBuffer dst) throws IOException {
                // As the JDK's adaptor streams: the channel's exceptions as they are (ClosedByInterruptException,
                // AsynchronousCloseException, ClosedChannelException, IllegalBlockingModeException, ...).
                return sc.blockingRead(dst, TimeUnit.MILLISECONDS.toNanos(soTimeoutMs));
            }

            @Override
            public int available() throws IOException {
                try {
                    return sc.available();
                } catch (Exception e) {
                    throw translate(e);
                }
            }

            @Override
            public void close() throws IOException {
                sc.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new BufferStreams.Out() {
            @Override
            void write(ByteBuffer src) throws IOException {
                sc.blockingWrite(src);
            }

            @Override
            public void close() throws IOException {
                sc.close();
            }
        };
    }

    // ---- options ----

    static SocketException socketException(Exception e) {
        IOException x = translate(e);
        return x instanceof SocketException ? (SocketException) x : new SocketException(x.getMessage());
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        AdaptorOptions.set(sc, StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (on && linger < 0) {
            throw new IllegalArgumentException("Invalid linger value");
        }
        AdaptorOptions.set(sc, StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        // As the JDK's adaptor: sendOutOfBandData, 0 when a non-blocking channel's send buffer is full.
        if (sc.sendOutOfBandData((byte) data) == 0) {
            throw new IOException("Socket buffer full");
        }
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        checkOpen();
        sc.setOobInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        checkOpen();
        return sc.oobInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        soTimeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        checkOpen();
        return soTimeoutMs;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size");
        }
        AdaptorOptions.set(sc, StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        AdaptorOptions.set(sc, StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        AdaptorOptions.set(sc, StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        AdaptorOptions.set(sc, StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        AdaptorOptions.set(sc, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return AdaptorOptions.get(sc, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // Not used, as with the JDK's own sockets.
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        AdaptorOptions.setOption(sc, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return AdaptorOptions.getOption(sc, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return sc.supportedOptions();
    }

    // ---- state ----

    @Override
    public void close() throws IOException {
        sc.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            sc.shutdownInput();
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            sc.shutdownOutput();
        } catch (Exception e) {
            throw translate(e);
        }
    }

    @Override
    public boolean isConnected() {
        return sc.isConnected();
    }

    @Override
    public boolean isBound() {
        return sc.isBound();
    }

    @Override
    public boolean isClosed() {
        return !sc.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return !sc.isOpen() || sc.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return !sc.isOpen() || sc.isOutputShutdown();
    }

    @Override
    public String toString() {
        if (isConnected()) {
            return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        }
        return "Socket[unconnected]";
    }

    private void checkOpen() throws SocketException {
        if (!sc.isOpen()) {
            throw new SocketException("Socket is closed");
        }
    }

    /** The JDK's channel-to-socket exception translation ({@code sun.nio.ch.Net#translateToSocketException}). */
    static IOException translate(Exception x) {
        if (x instanceof SocketException) {
            return (SocketException) x;
        }
        if (x instanceof java.net.SocketTimeoutException) {
            return (IOException) x;
        }
        if (x instanceof java.nio.channels.ClosedByInterruptException) {
            return new SocketException("Closed by interrupt");
        }
        if (x instanceof ClosedChannelException) {
            return new SocketException("Socket is closed");
        }
        if (x instanceof NotYetConnectedException) {
            return new SocketException("Socket is not connected");
        }
        if (x instanceof AlreadyBoundException) {
            return new SocketException("Already bound");
        }
        if (x instanceof NotYetBoundException) {
            return new SocketException("Socket is not bound yet");
        }
        if (x instanceof AlreadyConnectedException) {
            return new SocketException("Already connected");
        }
        if (x instanceof ConnectionPendingException) {
            return new SocketException("Connection pending");
        }
        if (x instanceof UnsupportedAddressTypeException) {
            return new SocketException("Unsupported address type");
        }
        if (x instanceof UnresolvedAddressException) {
            return new java.net.UnknownHostException("Unresolved address");
        }
        if (x instanceof IOException) {
            return (IOException) x;
        }
        if (x instanceof RuntimeException) {
            throw (RuntimeException) x;
        }
        return new SocketException(x.toString());
    }
}

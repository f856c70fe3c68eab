package io.modtcp.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/** The {@code socket()} adaptor of a {@link ModTcpServerSocketChannel}: a real, cached {@link ServerSocket}. */
final class ServerSocketAdaptor extends ServerSocket {
    private final ModTcpServerSocketChannel ssc;
    private volatile int soTimeoutMs;

    private ServerSocketAdaptor(ModTcpServerSocketChannel ssc) {
        super(new DummySocketImpl());
        this.ssc = ssc;
    }

    static ServerSocketAdaptor create(ModTcpServerSocketChannel ssc) {
        return new ServerSocketAdaptor(ssc);
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ssc;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        if (local == null) {
            local = new InetSocketAddress(0);
        }
        try {
            ssc.bind(local, backlog);
        } catch (Exception e) {
            throw SocketAdaptor.translate(e);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress l = ssc.localAddressOrNull();
        return l == null || !ssc.isOpen() ? null : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = ssc.localAddressOrNull();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ssc.isOpen() ? ssc.localAddressOrNull() : null;
    }

    @Override
    public Socket accept() throws IOException {
        try {
            SocketChannel sc;
            if (soTimeoutMs > 0) {
                sc = ssc.blockingAccept(ModTcpSocketChannel.millisToNanos(soTimeoutMs)); // non-blocking: IBME
            } else {
                // As the JDK's ServerSocketAdaptor: without a timeout a non-blocking channel still accepts a waiting
                // connection ("to preserve long standing behavior"), and throws only when none is waiting.
                sc = ssc.accept();
                if (sc == null) {
                    throw new IllegalBlockingModeException();
                }
            }
            return sc.socket();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (Exception e) {
            throw SocketAdaptor.translate(e);
        }
    }

    @Override
    public void close() throws IOException {
        ssc.close();
    }

    @Override
    public boolean isBound() {
        return ssc.isBound();
    }

    @Override
    public boolean isClosed() {
        return !ssc.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (!ssc.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (!ssc.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return soTimeoutMs;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        AdaptorOptions.set(ssc, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return AdaptorOptions.get(ssc, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("size cannot be 0 or negative");
        }
        AdaptorOptions.set(ssc, StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return AdaptorOptions.get(ssc, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // Not used, as with the JDK's own sockets.
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        AdaptorOptions.setOption(ssc, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return AdaptorOptions.getOption(ssc, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ssc.supportedOptions();
    }

    @Override
    public String toString() {
        if (!isBound()) {
            return "ServerSocket[unbound]";
        }
        return "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]";
    }
}

package io.modtcp.provider;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SocketImpl} on a modtcp {@link TcpSocket}, for {@code java.net.Socket} and {@code ServerSocket} (installed
 * by {@link ModTcpSocketImplFactory}). Implements both option APIs: the legacy integer {@link SocketOptions} one that
 * {@code Socket.setTcpNoDelay} and friends use, and, as a custom impl must since JDK 14, the
 * {@link SocketOption}-typed {@code setOption/getOption/supportedOptions}.
 */
final class ModTcpSocketImpl extends SocketImpl {
    private static final Set<SocketOption<?>> CLIENT_OPTIONS = ModTcpSocketChannel.OPTIONS;
    private static final Set<SocketOption<?>> SERVER_OPTIONS = ModTcpServerSocketChannel.OPTIONS;

    private final ModTcpRuntime runtime;
    private final boolean server;
    private TcpSocket socket;
    private volatile boolean closed;
    private volatile int soTimeoutMs;
    private boolean reuseAddress;
    private int trafficClass;
    /** Set when the destination is routed to the kernel ({@code modtcp.kernel}): streams and options go to it. */
    private volatile java.net.Socket kernelSocket;

    private InputStream in;
    private OutputStream out;

    ModTcpSocketImpl(ModTcpRuntime runtime, boolean server) {
        this.runtime = runtime;
        this.server = server;
        this.reuseAddress = server;
    }

    /** As the JDK's NioSocketImpl: options of a closed socket throw {@code SocketException("Socket closed")}. */
    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private TcpSocket socket() throws SocketException {
        if (socket == null) {
            throw new SocketException("Socket is not created");
        }
        return socket;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new IOException("modtcp: datagram sockets are not supported");
        }
        if (socket == null) {
            socket = runtime.openSocket();
            socket.setReuseAddress(reuseAddress);
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(InetAddress.getByName(host), port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress remote, int timeoutMs) throws IOException {
        Objects.requireNonNull(remote);
        if (!(remote instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        InetSocketAddress isa = (InetSocketAddress) remote;
        java.net.Proxy socks = socksProxy(isa);
        if (socks != null) {
            connectKernel(isa, timeoutMs, socket(), socks);
            return;
        }
        if (isa.isUnresolved()) {
            throw new UnknownHostException(isa.getHostName());
        }
        try {
            ExceptionText.checkSocketFamily(isa.getAddress());
        } catch (SocketException e) {
            throw ExceptionText.withAddress(e, isa); // as NioSocketImpl.connect: its failures name the address
        }
        TcpSocket s = socket();
        IpAddr dst = Addresses.forConnect(isa.getAddress());
        if (runtime.routesToKernel(dst, isa.getPort())) {
            connectKernel(isa, timeoutMs, s, null);
            return;
        }
        try {
            s.connect(dst, isa.getPort(), timeoutMs > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMs) : TcpSocket.FOREVER);
        } catch (IOException e) {
            s.abort();
            throw ExceptionText.withAddress(e, isa);
        }
        this.address = isa.getAddress();
        this.port = isa.getPort();
        this.localport = s.localPort();
    }

    /**
     * The SOCKS proxy that the default {@link java.net.ProxySelector} chooses for a {@code socket://host:port} URI, as
     * the JDK's own {@code SocksSocketImpl} asks it ({@code socksProxyHost}, {@code socksProxyPort}, or an application's
     * selector), or null for a direct connection.
     */
    private static java.net.Proxy socksProxy(InetSocketAddress isa) {
        java.net.ProxySelector selector = Privileged.run(java.net.ProxySelector::getDefault); // as SocksSocketImpl
        if (selector == null) {
            return null;
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI("socket", null, isa.getHostString(), isa.getPort(), null, null, null);
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        java.util.List<java.net.Proxy> proxies = selector.select(uri);
        if (proxies != null) {
            for (java.net.Proxy p : proxies) {
                if (p.type() == java.net.Proxy.Type.SOCKS) {
                    return p;
                }
                if (p.type() == java.net.Proxy.Type.DIRECT) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * The connection goes through the platform stack: a {@code modtcp.kernel} or host-loopback route (proxy null), or
     * a SOCKS proxy, which the JDK's own SOCKS client (a platform {@code Socket(Proxy)}) talks to.
     */
    private void connectKernel(InetSocketAddress isa, int timeoutMs, TcpSocket s, java.net.Proxy socks)
            throws IOException {
        java.net.Socket ks = socks != null
                ? new java.net.Socket(socks)
                : PlatformProvider.get().openSocketChannel().socket();
        try {
            ks.setTcpNoDelay(s.noDelay());
            ks.setKeepAlive(s.keepAlive());
            ks.setSoLinger(s.linger() >= 0, Math.max(0, s.linger()));
            ks.setSoTimeout(soTimeoutMs);
            ks.setOOBInline(s.oobInline());
            ks.connect(isa, timeoutMs);
        } catch (IOException | RuntimeException e) {
            ks.close();
            throw e;
        }
        kernelSocket = ks;
        s.close();
        this.address = isa.getAddress();
        this.port = isa.getPort();
        this.localport = ks.getLocalPort();
    }

    @Override
    protected void bind(InetAddress host, int lport) throws IOException {
        ExceptionText.checkSocketFamily(host);
        TcpSocket s = socket();
        s.bind(Addresses.forBind(host), lport);
        this.localport = s.localPort();
        if (server) {
            this.address = host;
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        socket().listen(backlog < 1 ? 50 : backlog);
        runtime.listening(socket, true);
    }

    @Override
    protected void accept(SocketImpl si) throws IOException {
        if (!(si instanceof ModTcpSocketImpl)) {
            throw new SocketException(
                    "modtcp: cannot accept into " + si.getClass().getName());
        }
        TcpSocket child =
                socket().accept(ModTcpSocketChannel.timeoutOrForever(ModTcpSocketChannel.millisToNanos(soTimeoutMs)));
        ModTcpSocketImpl impl = (ModTcpSocketImpl) si;
        impl.socket = child;
        impl.address = Addresses.toInet(child.remoteAddress());
        impl.port = child.remotePort();
        impl.localport = child.localPort();
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        if (kernelSocket != null) {
            return kernelSocket.getInputStream();
        }
        TcpSocket s = socket();
        if (in == null) {
            in = new BufferStreams.In() {
                @Override
                int read(ByteBuffer dst) throws IOException {
                    return s.read(
                            dst, ModTcpSocketChannel.timeoutOrForever(ModTcpSocketChannel.millisToNanos(soTimeoutMs)));
                }

                @Override
                public int available() throws IOException {
                    return s.available();
                }

                @Override
                public void close() throws IOException {
                    ModTcpSocketImpl.this.close();
                }
            };
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        if (kernelSocket != null) {
            return kernelSocket.getOutputStream();
        }
        TcpSocket s = socket();
        if (out == null) {
            out = new BufferStreams.Out() {
                @Override
                void write(ByteBuffer src) throws IOException {
                    s.write(src, TcpSocket.FOREVER);
                }

                @Override
                public void close() throws IOException {
                    ModTcpSocketImpl.this.close();
                }
            };
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        if (kernelSocket != null) {
            return kernelSocket.getInputStream().available();
        }
        return socket().available();
    }

    @Override
    protected void close() throws IOException {
        closed = true;
        if (socket != null && server) {
            runtime.listening(socket, false);
        }
        if (socket != null) {
            // As the JDK's NioSocketImpl: a connected socket whose SO_LINGER is not 0 shuts its output down first, so
            // the peer reads end of stream even when close then resets the connection for unread data.
            if (socket.isConnected() && socket.linger() != 0) {
                try {
                    socket.shutdownOutput();
                } catch (IOException ignore) {
                    // closed or reset meanwhile: close below decides
                }
            }
            socket.close();
        }
        if (kernelSocket != null) {
            kernelSocket.close();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        if (kernelSocket != null) {
            kernelSocket.shutdownInput();
            return;
        }
        socket().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        if (kernelSocket != null) {
            kernelSocket.shutdownOutput();
            return;
        }
        socket().shutdownOutput();
    }

    /** RFC 9293 §3.8.5 urgent data; the exceptions are NioSocketImpl's on Linux (TcpSocket.sendUrgentData). */
    @Override
    protected void sendUrgentData(int data) throws IOException {
        ensureOpen();
        java.net.Socket ks = kernelSocket;
        if (ks != null) {
            ks.sendUrgentData(data);
            return;
        }
        socket().sendUrgentData(data, TcpSocket.FOREVER);
    }

    @Override
    protected boolean supportsUrgentData() {
        return true;
    }

    // ---- legacy integer options (java.net.Socket's setters use these) ----

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        ensureOpen();
        if (optID == SocketOptions.SO_TIMEOUT) {
            soTimeoutMs = (Integer) value;
            if (kernelSocket != null) {
                kernelSocket.setSoTimeout(soTimeoutMs);
            }
            return;
        }
        if (kernelSocket != null) {
            setKernelOption(kernelSocket, optID, value);
            return;
        }
        TcpSocket s = socket();
        switch (optID) {
            case SocketOptions.TCP_NODELAY:
                s.setNoDelay((Boolean) value);
                break;
            case SocketOptions.SO_KEEPALIVE:
                s.setKeepAlive((Boolean) value);
                break;
            case SocketOptions.SO_LINGER:
                if (value instanceof Boolean) {
                    s.setLinger(-1); // Socket passes Boolean.FALSE to turn it off
                } else {
                    s.setLinger(Math.min((Integer) value, 65535));
                }
                break;
            case SocketOptions.SO_TIMEOUT:
                soTimeoutMs = (Integer) value;
                break;
            case SocketOptions.SO_RCVBUF:
                s.setReceiveBufferSize((Integer) value);
                break;
            case SocketOptions.SO_SNDBUF:
                s.setSendBufferSize((Integer) value);
                break;
            case SocketOptions.SO_REUSEADDR:
                reuseAddress = (Boolean) value;
                s.setReuseAddress(reuseAddress);
                break;
            case SocketOptions.SO_REUSEPORT:
                s.setReusePort((Boolean) value);
                break;
            case SocketOptions.IP_TOS:
                trafficClass = (Integer) value;
                break;
            case SocketOptions.SO_OOBINLINE:
                s.setOobInline((Boolean) value);
                break;
            default:
                throw new SocketException("Unknown option " + optID);
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        ensureOpen();
        if (kernelSocket != null && optID != SocketOptions.SO_TIMEOUT) {
            return kernelOption(kernelSocket, optID);
        }
        TcpSocket s = socket();
        switch (optID) {
            case SocketOptions.TCP_NODELAY:
                return s.noDelay();
            case SocketOptions.SO_KEEPALIVE:
                return s.keepAlive();
            case SocketOptions.SO_LINGER:
                return s.linger() < 0 ? (Object) Boolean.FALSE : (Object) s.linger();
            case SocketOptions.SO_TIMEOUT:
                return soTimeoutMs;
            case SocketOptions.SO_RCVBUF:
                return s.receiveBufferSize();
            case SocketOptions.SO_SNDBUF:
                return s.sendBufferSize();
            case SocketOptions.SO_REUSEADDR:
                return reuseAddress;
            case SocketOptions.SO_REUSEPORT:
                return s.reusePort();
            case SocketOptions.IP_TOS:
                return trafficClass;
            case SocketOptions.SO_OOBINLINE:
                return s.oobInline();
            case SocketOptions.SO_BINDADDR:
                return Addresses.toInet(s.localAddress() == null ? IpAddr.ANY4 : s.localAddress());
            default:
                throw new SocketException("Unknown option " + optID);
        }
    }

    private static void setKernelOption(java.net.Socket ks, int optID, Object value) throws SocketException {
        switch (optID) {
            case SocketOptions.TCP_NODELAY:
                ks.setTcpNoDelay((Boolean) value);
                break;
            case SocketOptions.SO_KEEPALIVE:
                ks.setKeepAlive((Boolean) value);
                break;
            case SocketOptions.SO_LINGER:
                ks.setSoLinger(value instanceof Integer, value instanceof Integer ? (Integer) value : 0);
                break;
            case SocketOptions.SO_RCVBUF:
                ks.setReceiveBufferSize((Integer) value);
                break;
            case SocketOptions.SO_SNDBUF:
                ks.setSendBufferSize((Integer) value);
                break;
            case SocketOptions.SO_REUSEADDR:
                ks.setReuseAddress((Boolean) value);
                break;
            case SocketOptions.IP_TOS:
                ks.setTrafficClass((Integer) value);
                break;
            case SocketOptions.SO_OOBINLINE:
                ks.setOOBInline((Boolean) value);
                break;
            default:
                throw new SocketException("Unknown option " + optID);
        }
    }

    private static Object kernelOption(java.net.Socket ks, int optID) throws SocketException {
        switch (optID) {
            case SocketOptions.TCP_NODELAY:
                return ks.getTcpNoDelay();
            case SocketOptions.SO_KEEPALIVE:
                return ks.getKeepAlive();
            case SocketOptions.SO_LINGER:
                return ks.getSoLinger() < 0 ? (Object) Boolean.FALSE : (Object) ks.getSoLinger();
            case SocketOptions.SO_RCVBUF:
                return ks.getReceiveBufferSize();
            case SocketOptions.SO_SNDBUF:
                return ks.getSendBufferSize();
            case SocketOptions.SO_REUSEADDR:
                return ks.getReuseAddress();
            case SocketOptions.IP_TOS:
                return ks.getTrafficClass();
            case SocketOptions.SO_OOBINLINE:
                return ks.getOOBInline();
            case SocketOptions.SO_BINDADDR:
                return ks.getLocalAddress();
            default:
                throw new SocketException("Unknown option " + optID);
        }
    }

    // ---- typed options (JDK 9+; required of custom impls since JDK 14) ----

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return server ? SERVER_OPTIONS : CLIENT_OPTIONS;
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        io.modtcp.provider.SocketOptions.checkSettable(supportedOptions(), name, value);
        ensureOpen();
        if (kernelSocket != null) {
            kernelSocket.setOption(name, value);
            return;
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
            socket().setReuseAddress(reuseAddress);
        } else if (name == StandardSocketOptions.IP_TOS) {
            trafficClass = (Integer) value;
        } else {
            ModTcpSocketChannel.setSocketOption(socket(), name, value);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        io.modtcp.provider.SocketOptions.checkSupported(supportedOptions(), name);
        ensureOpen();
        if (kernelSocket != null) {
            return kernelSocket.getOption(name);
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            return (T) Boolean.valueOf(reuseAddress);
        }
        if (name == StandardSocketOptions.IP_TOS) {
            return (T) Integer.valueOf(trafficClass);
        }
        return ModTcpSocketChannel.getSocketOption(socket(), name);
    }

    @Override
    public String toString() {
        return "ModTcpSocketImpl["
                + (socket == null
                        ? "uncreated"
                        : socket.localAddress() + ":" + localport + " -> " + address + ":" + port)
                + "]";
    }
}

package io.modtcp.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.UnknownHostException;
import java.util.function.Supplier;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * {@code java.net.Socket} and {@code ServerSocket} on one modtcp runtime without the JVM-wide factories: the sockets
 * are built through the protected {@code Socket(SocketImpl)} and {@code ServerSocket(SocketImpl)} constructors, and a
 * server socket accepts into a socket it builds the same way ({@code implAccept}).
 */
final class ModTcpSocketFactories {
    private ModTcpSocketFactories() {}

    static ModTcpSocketImpl impl(ModTcpRuntime runtime, boolean server) {
        runtime.socketImpls.increment();
        return new ModTcpSocketImpl(runtime, server);
    }

    /** A client socket on a modtcp {@code SocketImpl}. */
    static final class ModTcpSocket extends Socket {
        ModTcpSocket(SocketImpl impl) throws SocketException {
            super(impl);
        }
    }

    /** A server socket on a modtcp {@code SocketImpl} whose accepted sockets are modtcp ones of the same runtime. */
    static final class ModTcpServerSocket extends ServerSocket {
        private final ModTcpRuntime runtime;

        ModTcpServerSocket(ModTcpRuntime runtime) throws IOException {
            super(impl(runtime, true));
            this.runtime = runtime;
        }

        @Override
        public Socket accept() throws IOException {
            // The checks and messages of ServerSocket.accept.
            if (isClosed()) {
                throw new SocketException("Socket is closed");
            }
            if (!isBound()) {
                throw new SocketException("Socket is not bound yet");
            }
            Socket s = new ModTcpSocket(impl(runtime, false));
            implAccept(s);
            return s;
        }
    }

    static final class Sockets extends SocketFactory {
        private final Supplier<ModTcpRuntime> runtime;

        Sockets(Supplier<ModTcpRuntime> runtime) {
            this.runtime = runtime;
        }

        @Override
        public Socket createSocket() throws IOException {
            return new ModTcpSocket(impl(runtime.get(), false));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(resolve(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(resolve(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        private static InetSocketAddress resolve(String host, int port) throws UnknownHostException {
            InetSocketAddress isa = new InetSocketAddress(host, port);
            if (isa.isUnresolved()) {
                throw new UnknownHostException(host);
            }
            return isa;
        }

        private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
            Socket s = createSocket();
            try {
                if (local != null) {
                    s.bind(local);
                }
                s.connect(remote);
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }

    static final class ServerSockets extends ServerSocketFactory {
        private final Supplier<ModTcpRuntime> runtime;

        ServerSockets(Supplier<ModTcpRuntime> runtime) {
            this.runtime = runtime;
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ModTcpServerSocket(runtime.get());
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return createServerSocket(port, 50, null);
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return createServerSocket(port, backlog, null);
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("Port value out of range: " + port);
            }
            ServerSocket ss = createServerSocket();
            try {
                ss.bind(new InetSocketAddress(ifAddress, port), backlog);
                return ss;
            } catch (IOException | RuntimeException e) {
                ss.close();
                throw e;
            }
        }
    }
}

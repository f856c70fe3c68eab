package io.modtcp.provider;

import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/**
 * The one place JDK addresses become stack addresses and back. The stack is IPv4-only for now, so IPv6 is mapped as
 * follows (a documented choice, see the README): the IPv6 wildcard {@code ::} binds the IPv4 wildcard; {@code ::1}
 * means 127.0.0.1; any other IPv6 address fails clearly ({@link ConnectException} on connect, {@link BindException}
 * on bind) with a message saying modtcp has no IPv6 yet.
 */
final class Addresses {
    static final IpAddr LOOPBACK4 = IpAddr.parseV4("127.0.0.1");

    private Addresses() {}

    /** Checks a channel address argument as the JDK does. */
    static InetSocketAddress check(SocketAddress sa) {
        Objects.requireNonNull(sa);
        if (!(sa instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress isa = (InetSocketAddress) sa;
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }

    /** A local address to bind: the wildcard or one of the stack's own. */
    static IpAddr forBind(InetAddress a) throws IOException {
        if (a == null || a.isAnyLocalAddress()) {
            return IpAddr.ANY4;
        }
        if (a instanceof Inet4Address) {
            return IpAddr.v4(v4(a));
        }
        if (a.isLoopbackAddress()) {
            return LOOPBACK4;
        }
        throw new BindException("Cannot assign requested address: " + a.getHostAddress() + " (modtcp has no IPv6 yet)");
    }

    /** A destination: the wildcard means this host (as with the JDK), {@code ::1} means 127.0.0.1. */
    static IpAddr forConnect(InetAddress a) throws IOException {
        if (a.isAnyLocalAddress()) {
            return LOOPBACK4;
        }
        if (a instanceof Inet4Address) {
            return IpAddr.v4(v4(a));
        }
        if (a instanceof Inet6Address && a.isLoopbackAddress()) {
            return LOOPBACK4;
        }
        throw new ConnectException("Network is unreachable: " + a.getHostAddress() + " (modtcp has no IPv6 yet)");
    }

    static InetAddress toInet(IpAddr ip) {
        if (ip == null) {
            return null;
        }
        int v = ip.isV4() ? ip.v4() : 0;
        try {
            return InetAddress.getByAddress(
                    new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress toSocketAddress(IpAddr ip, int port) {
        return ip == null ? null : new InetSocketAddress(toInet(ip), port);
    }

    private static int v4(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }
}

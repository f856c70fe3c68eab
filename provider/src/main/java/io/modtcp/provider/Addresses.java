package io.modtcp.provider;

import io.modtcp.stack.wire.IpAddr;
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
 * The one place JDK addresses become stack addresses and back. As the JDK's sockets on Linux are dual-stack IPv6
 * sockets, a wildcard bind (null, {@code 0.0.0.0} or {@code ::}) binds the IPv6 wildcard, which accepts IPv4 too
 * (unless {@code java.net.preferIPv4Stack} is set); a connect to a wildcard goes to the loopback address of its family.
 * IPv6 scope ids are not used (modtcp has no link-local scopes).
 */
final class Addresses {
    static final IpAddr LOOPBACK4 = IpAddr.parseV4("127.0.0.1");
    private static final boolean PREFER_IPV4_STACK =
            Boolean.parseBoolean(Privileged.property("java.net.preferIPv4Stack"));

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
        if (PREFER_IPV4_STACK && isa.getAddress() instanceof Inet6Address) {
            throw new UnsupportedAddressTypeException(); // as sun.nio.ch.Net.checkAddress with IPv6 unavailable
        }
        return isa;
    }

    /** The wildcard a socket binds when none or a wildcard is given. */
    static IpAddr wildcard() {
        return PREFER_IPV4_STACK ? IpAddr.ANY4 : IpAddr.ANY6;
    }

    /** A local address to bind: the wildcard or one of the stack's own (the stack checks that it is its own). */
    static IpAddr forBind(InetAddress a) {
        if (a == null || a.isAnyLocalAddress()) {
            return wildcard();
        }
        return IpAddr.fromBytes(a.getAddress());
    }

    /** A destination: a wildcard means the loopback address of its family (as with the JDK). */
    static IpAddr forConnect(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return a instanceof Inet4Address ? LOOPBACK4 : IpAddr.LOOPBACK6;
        }
        return IpAddr.fromBytes(a.getAddress());
    }

    /** An {@link java.net.Inet4Address} for IPv4 (IPv4-mapped included), else an {@link java.net.Inet6Address}. */
    static InetAddress toInet(IpAddr ip) {
        if (ip == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(ip.toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress toSocketAddress(IpAddr ip, int port) {
        return ip == null ? null : new InetSocketAddress(toInet(ip), port);
    }
}

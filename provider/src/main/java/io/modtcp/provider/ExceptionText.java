package io.modtcp.provider;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * The system properties that shape the JDK's socket exceptions, read once as the JDK reads them.
 *
 * <ul>
 *   <li>{@code jdk.includeInExceptions} containing {@code hostInfo}: a failed connect's message ends with the address,
 *       e.g. {@code Connection refused: localhost/127.0.0.1:1} (as {@code sun.net.util.SocketExceptions}); a timeout's
 *       message is left alone, as the JDK leaves it.
 *   <li>{@code java.net.preferIPv4Stack=true}: IPv6 addresses are refused as the JDK refuses them (channels: {@code
 *       UnsupportedAddressTypeException}; {@code Socket}: {@code SocketException}, "Protocol family unavailable" on
 *       JDK 17, "IPv6 protocol family unavailable" on later JDKs).
 * </ul>
 */
final class ExceptionText {
    static final boolean HOST_INFO = hostInfo(Privileged.property("jdk.includeInExceptions"));
    static final boolean PREFER_IPV4_STACK = Boolean.parseBoolean(Privileged.property("java.net.preferIPv4Stack"));

    private ExceptionText() {}

    static boolean hostInfo(String value) {
        if (value == null) {
            return false;
        }
        for (String s : value.split(",")) {
            if (s.trim().toLowerCase(Locale.ROOT).equals("hostinfo")) {
                return true;
            }
        }
        return false;
    }

    /** {@code e} with the address appended when {@code hostInfo} is on (same class; {@code e} is its cause). */
    static IOException withAddress(IOException e, InetSocketAddress isa) {
        if (!HOST_INFO || isa == null || e instanceof SocketTimeoutException) {
            return e;
        }
        String text = e.getMessage() + ": " + isa;
        IOException out;
        if (e instanceof ConnectException) {
            out = new ConnectException(text);
        } else if (e instanceof NoRouteToHostException) {
            out = new NoRouteToHostException(text);
        } else if (e instanceof BindException) {
            out = new BindException(text);
        } else if (e.getClass() == SocketException.class) {
            out = new SocketException(text);
        } else {
            return e;
        }
        out.initCause(e);
        return out;
    }

    /** For {@code java.net.Socket}: an IPv6 address under {@code java.net.preferIPv4Stack=true}. */
    static void checkSocketFamily(InetAddress a) throws SocketException {
        if (PREFER_IPV4_STACK && a instanceof Inet6Address) {
            throw new SocketException(
                    Runtime.version().feature() >= 21
                            ? "IPv6 protocol family unavailable"
                            : "Protocol family unavailable");
        }
    }
}

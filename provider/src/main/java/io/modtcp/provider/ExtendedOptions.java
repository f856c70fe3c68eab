package io.modtcp.provider;

import io.modtcp.stack.socket.TcpSocket;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of {@code jdk.net.ExtendedSocketOptions} that the JDK offers for TCP on Linux (the same on JDK 17 and
 * 25): {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL}, {@code TCP_KEEPCOUNT}, {@code TCP_QUICKACK} and the read-only
 * {@code SO_INCOMING_NAPI_ID}. They are read from the {@code jdk.net} module by reflection: a runtime without it
 * ({@code --limit-modules java.base}) has none of them, as the JDK's own sockets then have none.
 */
final class ExtendedOptions {
    static final SocketOption<?> TCP_KEEPIDLE = option("TCP_KEEPIDLE");
    static final SocketOption<?> TCP_KEEPINTERVAL = option("TCP_KEEPINTERVAL");
    static final SocketOption<?> TCP_KEEPCOUNT = option("TCP_KEEPCOUNT");
    static final SocketOption<?> TCP_QUICKACK = option("TCP_QUICKACK");
    static final SocketOption<?> SO_INCOMING_NAPI_ID = option("SO_INCOMING_NAPI_ID");

    /** Those this runtime has. */
    static final Set<SocketOption<?>> ALL;

    static {
        List<SocketOption<?>> all = new ArrayList<>();
        for (SocketOption<?> o :
                new SocketOption<?>[] {TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT, TCP_QUICKACK, SO_INCOMING_NAPI_ID
                }) {
            if (o != null) {
                all.add(o);
            }
        }
        ALL = Set.copyOf(all);
    }

    private ExtendedOptions() {}

    private static SocketOption<?> option(String name) {
        return Privileged.run(() -> lookUp(name));
    }

    private static SocketOption<?> lookUp(String name) {
        try {
            Class<?> c = Class.forName("jdk.net.ExtendedSocketOptions", true, ClassLoader.getSystemClassLoader());
            return (SocketOption<?>) c.getField(name).get(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null; // no jdk.net module (or no such option): not offered
        }
    }

    /** {@code base} plus the extended options. */
    static Set<SocketOption<?>> with(Set<SocketOption<?>> base) {
        Set<SocketOption<?>> s = new HashSet<>(base);
        s.addAll(ALL);
        return Collections.unmodifiableSet(s);
    }

    static boolean isExtended(SocketOption<?> name) {
        return name != null && ALL.contains(name);
    }

    /** Sets an extended option; the value's type was checked. */
    static void set(TcpSocket socket, SocketOption<?> name, Object value) throws SocketException {
        if (name == SO_INCOMING_NAPI_ID) {
            throw new SocketException("Attempt to set read only option " + name.name());
        } else if (name == TCP_KEEPIDLE) {
            socket.setKeepIdle((Integer) value);
        } else if (name == TCP_KEEPINTERVAL) {
            socket.setKeepInterval((Integer) value);
        } else if (name == TCP_KEEPCOUNT) {
            socket.setKeepCount((Integer) value);
        } else if (name == TCP_QUICKACK) {
            socket.setQuickAck((Boolean) value);
        }
    }

    static Object get(TcpSocket socket, SocketOption<?> name) {
        if (name == SO_INCOMING_NAPI_ID) {
            return 0; // no NAPI (driver queue) behind a modtcp socket: 0, as Linux reports for an unset id
        } else if (name == TCP_KEEPIDLE) {
            return socket.keepIdle();
        } else if (name == TCP_KEEPINTERVAL) {
            return socket.keepInterval();
        } else if (name == TCP_KEEPCOUNT) {
            return socket.keepCount();
        } else {
            return socket.quickAck();
        }
    }
}

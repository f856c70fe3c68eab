package io.modtcp.provider;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;

/** The argument checks every channel's getOption/setOption make first, with the JDK's exceptions and messages. */
final class SocketOptions {
    private SocketOptions() {}

    /** NullPointerException for null, UnsupportedOperationException for an option the channel does not have. */
    static void checkSupported(Set<SocketOption<?>> supported, SocketOption<?> name) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /**
     * As {@link #checkSupported}, plus IllegalArgumentException for a value of the wrong type or out of the option's
     * range.
     */
    static void checkSettable(Set<SocketOption<?>> supported, SocketOption<?> name, Object value) {
        checkSupported(supported, name);
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        if (name == StandardSocketOptions.IP_TOS) {
            int tos = (Integer) value;
            if (tos < 0 || tos > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
        }
    }
}

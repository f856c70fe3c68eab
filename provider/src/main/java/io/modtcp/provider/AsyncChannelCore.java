package io.modtcp.provider;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What {@link ModTcpAsynchronousSocketChannel} and {@link ModTcpAsynchronousServerSocketChannel} share over the modtcp
 * channel beneath them: the open flag, the options (the platform's set for the asynchronous kind, checked before the
 * channel is asked), the local address and the shape of {@code toString}. A part each holds rather than a base class,
 * as they extend different JDK classes.
 */
final class AsyncChannelCore {
    private final NetworkChannel ch;
    private final Set<SocketOption<?>> options;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean open = true;

    AsyncChannelCore(NetworkChannel ch, Set<SocketOption<?>> options) {
        this.ch = ch;
        this.options = options;
    }

    /** {@code all} without {@code removed}: an asynchronous channel's options from its synchronous channel's. */
    static Set<SocketOption<?>> optionsWithout(Set<SocketOption<?>> all, SocketOption<?>... removed) {
        Set<SocketOption<?>> s = new HashSet<>(all);
        s.removeAll(List.of(removed));
        return Set.copyOf(s);
    }

    /** For {@link ModTcpAsynchronousChannelGroup.Member#queued()}. */
    AtomicBoolean queued() {
        return queued;
    }

    boolean isOpen() {
        return open;
    }

    /** Called once, by the channel's close, under the lock that claims its pending operations. */
    void markClosed() {
        open = false;
    }

    void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    SocketAddress localAddress() throws IOException {
        ensureOpen();
        return ch.getLocalAddress();
    }

    Set<SocketOption<?>> options() {
        return options;
    }

    <T> void setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.checkSettable(options, name, value);
        ensureOpen();
        ch.setOption(name, value);
    }

    <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOptions.checkSupported(options, name);
        ensureOpen();
        return ch.getOption(name);
    }

    /** {@code api}'s name, then {@code [closed]} or {@code [}what {@code openState} says{@code ]}. */
    String describe(Class<?> api, Supplier<String> openState) {
        return api.getName() + "[" + (open ? openState.get() : "closed") + "]";
    }
}

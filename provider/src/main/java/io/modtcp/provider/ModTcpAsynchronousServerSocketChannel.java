package io.modtcp.provider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link AsynchronousServerSocketChannel} over a non-blocking {@link ModTcpServerSocketChannel}, with the rules of
 * the JDK's {@code UnixAsynchronousServerSocketChannelImpl}: one accept may be pending ({@link
 * AcceptPendingException}); close fails it with {@link AsynchronousCloseException}; the accepted channel is in the
 * same group, and if the group was shut down meanwhile it is closed and the accept fails with {@link
 * ShutdownChannelGroupException}.
 */
final class ModTcpAsynchronousServerSocketChannel extends AsynchronousServerSocketChannel
        implements ModTcpAsynchronousChannelGroup.Member {
    /** The platform's for asynchronous server channels: the server channel's without IP_TOS. */
    static final Set<SocketOption<?>> OPTIONS;

    static {
        OPTIONS = AsyncChannelCore.optionsWithout(ModTcpServerSocketChannel.OPTIONS, StandardSocketOptions.IP_TOS);
    }

    private final ModTcpAsynchronousChannelGroup group;
    private final ModTcpServerSocketChannel ch;
    private final AsyncChannelCore core;
    private final Object stateLock = new Object();
    private final AtomicBoolean accepting = new AtomicBoolean();
    /** Guards {@link #pending} and {@link #closed}. */
    private final Object updateLock = new Object();

    private boolean closed;
    private AsyncOp<AsynchronousSocketChannel, ?> pending;

    ModTcpAsynchronousServerSocketChannel(ModTcpAsynchronousChannelGroup group, ModTcpServerSocketChannel ch)
            throws IOException {
        super(group.modTcpProvider());
        this.group = group;
        this.ch = ch;
        this.core = new AsyncChannelCore(ch, OPTIONS);
        ch.configureBlocking(false);
        group.join(this);
    }

    @Override
    public SelectableChannel selectable() {
        return ch;
    }

    @Override
    public AtomicBoolean queued() {
        return core.queued();
    }

    @Override
    public int interestOps() {
        synchronized (updateLock) {
            return pending != null ? SelectionKey.OP_ACCEPT : 0;
        }
    }

    @Override
    public void ready(int readyOps) {
        AsyncOp<AsynchronousSocketChannel, ?> op;
        synchronized (updateLock) {
            op = pending;
            pending = null;
        }
        if (op == null) {
            return;
        }
        AsynchronousSocketChannel child;
        try {
            child = tryAccept();
        } catch (IOException | RuntimeException e) {
            finish(op, null, e);
            return;
        }
        if (child != null) {
            finish(op, child, null);
            return;
        }
        boolean wasClosed;
        synchronized (updateLock) {
            wasClosed = closed;
            if (!wasClosed && !op.isCancelled()) {
                pending = op;
            }
        }
        if (wasClosed) {
            finish(op, null, new AsynchronousCloseException());
        }
    }

    private void finish(AsyncOp<AsynchronousSocketChannel, ?> op, AsynchronousSocketChannel child, Throwable exc) {
        accepting.set(false);
        op.complete(child, exc instanceof IOException ? closedIsAsync((IOException) exc) : exc);
    }

    private IOException closedIsAsync(IOException e) {
        if (e instanceof ClosedChannelException && !(e instanceof AsynchronousCloseException)) {
            return new AsynchronousCloseException();
        }
        return e;
    }

    /** One non-blocking accept: the new channel in this group, or null. */
    private AsynchronousSocketChannel tryAccept() throws IOException {
        SocketChannel s = ch.accept();
        if (s == null) {
            return null;
        }
        try {
            return new ModTcpAsynchronousSocketChannel(group, (ModTcpSocketChannel) s, true);
        } catch (ShutdownChannelGroupException | IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public <A> void accept(A attachment, CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implAccept(attachment, handler);
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        return implAccept(null, null);
    }

    private <A> Future<AsynchronousSocketChannel> implAccept(
            A att, CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        if (!isOpen()) {
            ClosedChannelException e = new ClosedChannelException();
            if (handler == null) {
                return AsyncOp.completed(null, e);
            }
            new AsyncOp<AsynchronousSocketChannel, A>(group, att, handler, null).completeNow(null, e);
            return null;
        }
        if (!ch.isBound()) {
            throw new NotYetBoundException();
        }
        if (!accepting.compareAndSet(false, true)) {
            throw new AcceptPendingException();
        }
        AsyncOp<AsynchronousSocketChannel, A> op = new AsyncOp<>(group, att, handler, this::onCancel);
        op.closeChannel = this::closeQuietly;
        AsynchronousSocketChannel child;
        try {
            child = tryAccept();
        } catch (IOException | RuntimeException e) {
            accepting.set(false);
            op.completeNow(null, e instanceof IOException ? closedIsAsync((IOException) e) : e);
            return op.future();
        }
        if (child != null) {
            accepting.set(false);
            op.completeNow(child, null);
            return op.future();
        }
        boolean wasClosed;
        synchronized (updateLock) {
            wasClosed = closed;
            if (!wasClosed) {
                pending = op;
            }
        }
        if (wasClosed) {
            accepting.set(false);
            op.completeNow(null, new AsynchronousCloseException());
        } else {
            group.interestChanged(this);
        }
        return op.future();
    }

    private void onCancel(AsyncOp<?, ?> op) {
        synchronized (updateLock) {
            if (pending == op) {
                pending = null;
            }
        }
        accepting.set(false);
        group.interestChanged(this);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public boolean isOpen() {
        return core.isOpen();
    }

    @Override
    public void close() throws IOException {
        AsyncOp<AsynchronousSocketChannel, ?> op;
        synchronized (updateLock) {
            if (closed) {
                return;
            }
            closed = true;
            core.markClosed();
            op = pending;
            pending = null;
        }
        try {
            ch.close();
        } finally {
            if (op != null) {
                finish(op, null, new AsynchronousCloseException());
            }
            group.left(this);
        }
    }

    @Override
    public AsynchronousServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            core.ensureOpen();
            ch.bind(local, backlog);
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return core.localAddress();
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return core.options();
    }

    @Override
    public <T> AsynchronousServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        core.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return core.getOption(name);
    }

    @Override
    public String toString() {
        return core.describe(AsynchronousServerSocketChannel.class, () -> {
            InetSocketAddress l = ch.localAddressOrNull();
            return l == null ? "unbound" : l.toString();
        });
    }
}

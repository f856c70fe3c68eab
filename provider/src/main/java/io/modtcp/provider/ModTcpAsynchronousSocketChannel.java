package io.modtcp.provider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link AsynchronousSocketChannel} over a non-blocking {@link ModTcpSocketChannel}, with the rules of the JDK's
 * {@code sun.nio.ch.AsynchronousSocketChannelImpl} and {@code UnixAsynchronousSocketChannelImpl}:
 *
 * <ul>
 *   <li>an operation is first tried on the initiating thread; if it cannot complete, it is pending and the group's
 *       event loop finishes it when the channel is ready; the handler then runs on the group's pool;
 *   <li>one read and one write may be pending ({@link ReadPendingException}, {@link WritePendingException});
 *   <li>a read or write that times out fails with {@link InterruptedByTimeoutException}, and the channel then refuses
 *       further reads (writes) with {@link IllegalStateException}, as after a cancelled one, because the buffer's
 *       state is unspecified;
 *   <li>close fails the pending operations with {@link AsynchronousCloseException}; a failed connect closes the channel;
 *   <li>a read after {@link #shutdownInput()} completes with -1, a write after {@link #shutdownOutput()} fails with
 *       {@link ClosedChannelException}.
 * </ul>
 * The pending operation is claimed under {@link #updateLock} by whichever of the event loop, the timer or a close comes
 * first, so it completes exactly once.
 *
 * <p>Longer than the ~700 lines STYLE.md aims at, as the JDK's own pair of classes is: read and write each exist as
 * single and vectored operations, each with a handler and a Future form and a timeout, and the claim rule above must
 * see all of them under one lock.
 */
final class ModTcpAsynchronousSocketChannel extends AsynchronousSocketChannel
        implements ModTcpAsynchronousChannelGroup.Member {
    /** The platform's for asynchronous socket channels: the socket channel's without SO_LINGER and IP_TOS. */
    static final Set<SocketOption<?>> OPTIONS;

    static {
        OPTIONS = AsyncChannelCore.optionsWithout(
                ModTcpSocketChannel.OPTIONS, StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS);
    }

    private enum State {
        UNCONNECTED,
        PENDING,
        CONNECTED
    }

    private final ModTcpAsynchronousChannelGroup group;
    private final ModTcpSocketChannel ch;
    private final AsyncChannelCore core;

    private final Object stateLock = new Object();
    private volatile State state = State.UNCONNECTED;

    private final Object readLock = new Object();
    private boolean reading;
    private boolean readKilled;
    private boolean readShutdown;

    private final Object writeLock = new Object();
    private boolean writing;
    private boolean writeKilled;
    private boolean writeShutdown;

    /** Guards the pending operations and {@link #closed}. */
    private final Object updateLock = new Object();

    private boolean closed;
    private Io<?, ?> pendingRead;
    private Io<?, ?> pendingWrite;
    private AsyncOp<Void, ?> pendingConnect;

    ModTcpAsynchronousSocketChannel(ModTcpAsynchronousChannelGroup group, ModTcpSocketChannel ch, boolean connected)
            throws IOException {
        super(group.modTcpProvider());
        this.group = group;
        this.ch = ch;
        this.core = new AsyncChannelCore(ch, OPTIONS);
        ch.configureBlocking(false);
        if (connected) {
            state = State.CONNECTED;
        }
        group.join(this);
    }

    /** A read or a write: its buffers and the operation. */
    private static final class Io<V extends Number, A> {
        final AsyncOp<V, A> op;
        final boolean vector;
        final ByteBuffer buf;
        final ByteBuffer[] bufs;
        final int offset;
        final int length;

        Io(AsyncOp<V, A> op, boolean vector, ByteBuffer buf, ByteBuffer[] bufs, int offset, int length) {
            this.op = op;
            this.vector = vector;
            this.buf = buf;
            this.bufs = bufs;
            this.offset = offset;
            this.length = length;
        }

        /** Room (for a read) or bytes (for a write) left in the buffers. */
        boolean hasRemaining() {
            if (!vector) {
                return buf.hasRemaining();
            }
            for (int i = offset; i < offset + length; i++) {
                if (bufs[i].hasRemaining()) {
                    return true;
                }
            }
            return false;
        }

        @SuppressWarnings("unchecked")
        void complete(long n, Throwable exc, boolean now) {
            V v = exc != null ? null : (V) (vector ? (Number) Long.valueOf(n) : (Number) Integer.valueOf((int) n));
            if (now) {
                op.completeNow(v, exc);
            } else {
                op.complete(v, exc);
            }
        }
    }

    // ---- Member ----

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
            int ops = 0;
            if (pendingRead != null) {
                ops |= SelectionKey.OP_READ;
            }
            if (pendingWrite != null) {
                ops |= SelectionKey.OP_WRITE;
            }
            if (pendingConnect != null) {
                ops |= SelectionKey.OP_CONNECT;
            }
            return ops;
        }
    }

    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
            finishConnect();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            Io<?, ?> io;
            synchronized (updateLock) {
                io = pendingRead;
                pendingRead = null;
            }
            if (io != null) {
                io(io, true);
            }
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            Io<?, ?> io;
            synchronized (updateLock) {
                io = pendingWrite;
                pendingWrite = null;
            }
            if (io != null) {
                io(io, false);
            }
        }
    }

    /** On the loop, a claimed operation: tries it; completes it, or puts it back if nothing moved. */
    private void io(Io<?, ?> io, boolean read) {
        long n;
        try {
            n = read ? doRead(io) : doWrite(io);
        } catch (IOException | RuntimeException e) {
            finish(io, read, 0, asyncClose(e));
            return;
        }
        if (n != 0 || !io.hasRemaining()) {
            finish(io, read, n, null);
            return;
        }
        boolean timedOut = false;
        boolean wasClosed = false;
        synchronized (updateLock) {
            if (closed) {
                wasClosed = true;
            } else if (io.op.deadline != 0 && System.nanoTime() - io.op.deadline >= 0) {
                timedOut = true; // its timer fired while the loop held it
            } else if (io.op.isCancelled()) {
                return;
            } else if (read) {
                pendingRead = io;
            } else {
                pendingWrite = io;
            }
        }
        if (wasClosed) {
            finish(io, read, 0, new AsynchronousCloseException());
        } else if (timedOut) {
            kill(read);
            io.op.complete(null, new InterruptedByTimeoutException());
        }
    }

    private void finish(Io<?, ?> io, boolean read, long n, Throwable exc) {
        enable(read, io.op.isCancelled());
        io.complete(n, exc, false);
    }

    /** An I/O error of a channel that was closed meanwhile is an asynchronous close. */
    private IOException asyncClose(Exception e) {
        if (e instanceof IOException && !(e instanceof ClosedChannelException) && core.isOpen()) {
            return (IOException) e;
        }
        if (e instanceof ClosedChannelException || !core.isOpen()) {
            AsynchronousCloseException ace = new AsynchronousCloseException();
            if (!(e instanceof ClosedChannelException)) {
                ace.addSuppressed(e);
            }
            return ace;
        }
        return new IOException(e);
    }

    private long doRead(Io<?, ?> io) throws IOException {
        if (!io.vector) {
            return ch.read(io.buf);
        }
        return ch.read(io.bufs, io.offset, io.length);
    }

    private long doWrite(Io<?, ?> io) throws IOException {
        if (!io.vector) {
            return ch.write(io.buf);
        }
        return ch.write(io.bufs, io.offset, io.length);
    }

    /** Ends a read (write): another may start; {@code killed}: none may (timeout, cancellation). */
    private void enable(boolean read, boolean killed) {
        if (read) {
            synchronized (readLock) {
                reading = false;
                if (killed) {
                    readKilled = true;
                }
            }
        } else {
            synchronized (writeLock) {
                writing = false;
                if (killed) {
                    writeKilled = true;
                }
            }
        }
    }

    private void kill(boolean read) {
        enable(read, true);
    }

    // ---- connect ----

    @Override
    public <A> void connect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implConnect(remote, attachment, handler);
    }

    @Override
    public Future<Void> connect(SocketAddress remote) {
        return implConnect(remote, null, null);
    }

    private <A> Future<Void> implConnect(SocketAddress remote, A att, CompletionHandler<Void, ? super A> handler) {
        if (!isOpen()) {
            return failNow(handler, att, new ClosedChannelException());
        }
        InetSocketAddress isa = Addresses.check(remote);
        synchronized (stateLock) {
            if (state == State.CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == State.PENDING) {
                throw new ConnectionPendingException();
            }
            state = State.PENDING;
        }
        AsyncOp<Void, A> op = newOp(att, handler, CONNECT);
        boolean connected;
        try {
            connected = ch.connect(isa);
        } catch (IOException | RuntimeException e) {
            Throwable exc = e instanceof IOException ? asyncClose(e) : e;
            // A failed connect closes the channel (as the JDK's).
            closeQuietly(exc);
            op.completeNow(null, exc);
            return op.future();
        }
        if (connected) {
            state = State.CONNECTED;
            op.completeNow(null, null);
            return op.future();
        }
        boolean wasClosed;
        synchronized (updateLock) {
            wasClosed = closed;
            if (!wasClosed) {
                pendingConnect = op;
            }
        }
        if (wasClosed) {
            op.completeNow(null, new AsynchronousCloseException());
        } else {
            group.interestChanged(this);
        }
        return op.future();
    }

    private void finishConnect() {
        AsyncOp<Void, ?> op;
        synchronized (updateLock) {
            op = pendingConnect;
            pendingConnect = null;
        }
        if (op == null) {
            return;
        }
        try {
            if (!ch.finishConnect()) {
                synchronized (updateLock) {
                    if (!closed) {
                        pendingConnect = op;
                        return;
                    }
                }
                op.complete(null, new AsynchronousCloseException());
                return;
            }
        } catch (IOException | RuntimeException e) {
            Throwable exc = e instanceof IOException ? asyncClose(e) : e;
            closeQuietly(exc);
            op.complete(null, exc);
            return;
        }
        state = State.CONNECTED;
        op.complete(null, null);
    }

    private void closeQuietly(Throwable cause) {
        try {
            close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    // ---- read and write ----

    @Override
    public <A> void read(
            ByteBuffer dst, long timeout, TimeUnit unit, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        read(false, dst, null, 0, 0, timeout, unit, attachment, handler);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return read(false, dst, null, 0, 0, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void read(
            ByteBuffer[] dsts,
            int offset,
            int length,
            long timeout,
            TimeUnit unit,
            A attachment,
            CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if ((offset < 0) || (length < 0) || (offset > dsts.length - length)) {
            throw new IndexOutOfBoundsException();
        }
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        read(true, null, dsts, offset, length, timeout, unit, attachment, handler);
    }

    private <V extends Number, A> Future<V> read(
            boolean vector,
            ByteBuffer dst,
            ByteBuffer[] dsts,
            int offset,
            int length,
            long timeout,
            TimeUnit unit,
            A att,
            CompletionHandler<V, ? super A> handler) {
        if (!isOpen()) {
            return failNow(handler, att, new ClosedChannelException());
        }
        if (state != State.CONNECTED) {
            throw new NotYetConnectedException();
        }
        boolean hasSpace = vector || dst.hasRemaining();
        boolean shutdown = false;
        synchronized (readLock) {
            if (readKilled) {
                throw new IllegalStateException("Reading not allowed due to timeout or cancellation");
            }
            if (reading) {
                throw new ReadPendingException();
            }
            if (readShutdown) {
                shutdown = true;
            } else if (hasSpace) {
                reading = true;
            }
        }
        if (shutdown || !hasSpace) {
            long n = shutdown ? -1 : 0;
            @SuppressWarnings("unchecked")
            V v = (V) (vector ? (Number) Long.valueOf(n) : (Number) Integer.valueOf((int) n));
            return completeNow(handler, att, v);
        }
        Io<V, A> io = new Io<>(newOp(att, handler, READ), vector, dst, dsts, offset, length);
        return start(io, true, timeout, unit);
    }

    @Override
    public <A> void write(
            ByteBuffer src, long timeout, TimeUnit unit, A attachment, CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        write(false, src, null, 0, 0, timeout, unit, attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return write(false, src, null, 0, 0, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void write(
            ByteBuffer[] srcs,
            int offset,
            int length,
            long timeout,
            TimeUnit unit,
            A attachment,
            CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if ((offset < 0) || (length < 0) || (offset > srcs.length - length)) {
            throw new IndexOutOfBoundsException();
        }
        write(true, null, srcs, offset, length, timeout, unit, attachment, handler);
    }

    private <V extends Number, A> Future<V> write(
            boolean vector,
            ByteBuffer src,
            ByteBuffer[] srcs,
            int offset,
            int length,
            long timeout,
            TimeUnit unit,
            A att,
            CompletionHandler<V, ? super A> handler) {
        boolean hasData = vector || src.hasRemaining();
        boolean refused = false;
        if (isOpen()) {
            if (state != State.CONNECTED) {
                throw new NotYetConnectedException();
            }
            synchronized (writeLock) {
                if (writeKilled) {
                    throw new IllegalStateException("Writing not allowed due to timeout or cancellation");
                }
                if (writing) {
                    throw new WritePendingException();
                }
                if (writeShutdown) {
                    refused = true;
                } else if (hasData) {
                    writing = true;
                }
            }
        } else {
            refused = true;
        }
        if (refused) {
            return failNow(handler, att, new ClosedChannelException());
        }
        if (!hasData) {
            @SuppressWarnings("unchecked")
            V v = (V) (vector ? (Number) Long.valueOf(0) : (Number) Integer.valueOf(0));
            return completeNow(handler, att, v);
        }
        Io<V, A> io = new Io<>(newOp(att, handler, WRITE), vector, src, srcs, offset, length);
        return start(io, false, timeout, unit);
    }

    /** Tries the operation now; if nothing moved, makes it pending (with its timeout) for the event loop. */
    private <V extends Number, A> Future<V> start(Io<V, A> io, boolean read, long timeout, TimeUnit unit) {
        long n;
        try {
            n = read ? doRead(io) : doWrite(io);
        } catch (IOException | RuntimeException e) {
            enable(read, false);
            io.complete(0, e instanceof IOException ? asyncClose(e) : e, true);
            return io.op.future();
        }
        if (n != 0 || !io.hasRemaining()) {
            // Scattering (gathering) buffers with no room (nothing left) complete with 0, as the JDK's, not pending.
            enable(read, false);
            io.complete(n, null, true);
            return io.op.future();
        }
        boolean wasClosed;
        synchronized (updateLock) {
            wasClosed = closed;
            if (!wasClosed) {
                if (timeout > 0) {
                    io.op.deadline = System.nanoTime() + unit.toNanos(timeout);
                    io.op.timer = group.schedule(() -> timedOut(io, read), timeout, unit);
                }
                if (read) {
                    pendingRead = io;
                } else {
                    pendingWrite = io;
                }
            }
        }
        if (wasClosed) {
            enable(read, false);
            io.complete(0, new AsynchronousCloseException(), true);
        } else {
            group.interestChanged(this);
        }
        return io.op.future();
    }

    private void timedOut(Io<?, ?> io, boolean read) {
        synchronized (updateLock) {
            if (read ? pendingRead != io : pendingWrite != io) {
                return; // completed, cancelled, closed, or being tried by the loop (which then sees the deadline)
            }
            if (read) {
                pendingRead = null;
            } else {
                pendingWrite = null;
            }
        }
        // As the JDK's: further reads (writes) are refused, the buffer's state being unspecified.
        kill(read);
        io.op.complete(null, new InterruptedByTimeoutException());
        group.interestChanged(this);
    }

    /**
     * A Future cancelled: the operation is no longer pending, and (as the JDK's {@code onCancel}) further operations of
     * its kind are refused, whether it was still waiting or the event loop was trying it at that moment.
     */
    private void onCancel(AsyncOp<?, ?> op) {
        synchronized (updateLock) {
            if (pendingRead != null && pendingRead.op == op) {
                pendingRead = null;
            } else if (pendingWrite != null && pendingWrite.op == op) {
                pendingWrite = null;
            } else if (pendingConnect == op) {
                pendingConnect = null;
            }
        }
        if (op.kind == READ) {
            kill(true);
        } else if (op.kind == WRITE) {
            kill(false);
        }
        group.interestChanged(this);
    }

    private static final int CONNECT = 1;
    private static final int READ = 2;
    private static final int WRITE = 3;

    private <V, A> AsyncOp<V, A> newOp(A att, CompletionHandler<V, ? super A> handler, int kind) {
        AsyncOp<V, A> op = new AsyncOp<>(group, att, handler, this::onCancel);
        op.kind = kind;
        op.closeChannel = () -> closeQuietly(new IOException("cancel"));
        return op;
    }

    private <V, A> Future<V> failNow(CompletionHandler<V, ? super A> handler, A att, Throwable exc) {
        if (handler == null) {
            return AsyncOp.completed(null, exc);
        }
        new AsyncOp<V, A>(group, att, handler, null).completeNow(null, exc);
        return null;
    }

    private <V, A> Future<V> completeNow(CompletionHandler<V, ? super A> handler, A att, V value) {
        if (handler == null) {
            return AsyncOp.completed(value, null);
        }
        new AsyncOp<V, A>(group, att, handler, null).completeNow(value, null);
        return null;
    }

    // ---- close and shutdown ----

    @Override
    public boolean isOpen() {
        return core.isOpen();
    }

    @Override
    public void close() throws IOException {
        Io<?, ?> r;
        Io<?, ?> w;
        AsyncOp<Void, ?> c;
        synchronized (updateLock) {
            if (closed) {
                return;
            }
            closed = true;
            core.markClosed();
            r = pendingRead;
            w = pendingWrite;
            c = pendingConnect;
            pendingRead = null;
            pendingWrite = null;
            pendingConnect = null;
        }
        try {
            ch.close();
        } finally {
            if (r != null) {
                finish(r, true, 0, new AsynchronousCloseException());
            }
            if (w != null) {
                finish(w, false, 0, new AsynchronousCloseException());
            }
            if (c != null) {
                c.complete(null, new AsynchronousCloseException());
            }
            group.left(this);
        }
    }

    @Override
    public AsynchronousSocketChannel shutdownInput() throws IOException {
        shutdown(true);
        return this;
    }

    @Override
    public AsynchronousSocketChannel shutdownOutput() throws IOException {
        shutdown(false);
        return this;
    }

    /** Shuts the connected channel's input (its output): a later read completes with -1 (a later write fails). */
    private void shutdown(boolean input) throws IOException {
        synchronized (stateLock) {
            core.ensureOpen();
            if (state != State.CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (input) {
                ch.shutdownInput();
            } else {
                ch.shutdownOutput();
            }
        }
        if (input) {
            synchronized (readLock) {
                readShutdown = true;
            }
        } else {
            synchronized (writeLock) {
                writeShutdown = true;
            }
        }
    }

    // ---- addresses and options ----

    @Override
    public AsynchronousSocketChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            core.ensureOpen();
            if (state == State.PENDING) {
                throw new ConnectionPendingException();
            }
            ch.bind(local);
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return core.localAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        core.ensureOpen();
        return state == State.CONNECTED ? ch.getRemoteAddress() : null;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return core.options();
    }

    @Override
    public <T> AsynchronousSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        core.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return core.getOption(name);
    }

    @Override
    public String toString() {
        return core.describe(AsynchronousSocketChannel.class, () -> {
            State s = state;
            StringBuilder sb = new StringBuilder(
                    s == State.CONNECTED ? "connected" : s == State.PENDING ? "connection-pending" : "unconnected");
            InetSocketAddress l = ch.localAddressOrNull();
            if (l != null) {
                sb.append(" local=").append(l);
            }
            InetSocketAddress r = ch.remoteAddressOrNull();
            if (r != null) {
                sb.append(" remote=").append(r);
            }
            return sb.toString();
        });
    }
}

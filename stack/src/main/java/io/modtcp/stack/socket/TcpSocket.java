package io.modtcp.stack.socket;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.ConnectionHandler;
import io.modtcp.stack.tcp.ListenerHandler;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.TcpEngine;
import io.modtcp.stack.tcp.TcpListener;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithms;
import io.modtcp.stack.tcp.demux.Demux;
import io.modtcp.stack.wire.IpAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.WrappedByteBuf;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP socket of a {@link NetStack}: the stack's own API (the JDK provider builds on it). Thread-safe: any number of
 * application threads may use it; none of them touches protocol state. Bytes move through two bounded buffers shared
 * with the stack thread under this socket's lock: the send buffer (written here, drained by the stack, space freed
 * as the peer acknowledges) and the receive buffer (filled by the stack, read here).
 *
 * <p>Blocking calls take a timeout in nanoseconds: 0 means "do not wait" (the non-blocking form, which returns 0 or
 * null when it would block) and {@link #FOREVER} means no timeout. Errors are JDK exceptions, mapped in one place
 * ({@link #exceptionFor}).
 *
 * <p>Longer than the ~700 lines STYLE.md aims at. It is one class because one JDK socket object lives through every
 * mode: created unbound, it becomes a listener ({@link #listen}) or a stream ({@link #connect}, or made by an accept),
 * and the JDK's {@code Socket}, {@code ServerSocket} and channels keep the same object across that change; the lock,
 * the readiness listener, the options and the close path are shared by all modes (gVisor's {@code tcp.Endpoint} is one
 * type for the same reason). The blocking waits are in {@link Waiters}. Splitting the listener's accept queue and the
 * stream's two buffers into parts owned by this class, as {@code ReliableOrderedDelivery} is split, is the way to
 * shorten it.
 */
public final class TcpSocket {
    /** Wait without a timeout. */
    public static final long FOREVER = Long.MAX_VALUE;

    /** Readiness bits, compatible in spirit with SelectionKey's. */
    public static final int OP_READ = 1;

    public static final int OP_WRITE = 4;
    public static final int OP_CONNECT = 8;
    public static final int OP_ACCEPT = 16;

    private enum Mode {
        FRESH,
        LISTENING,
        CONNECTING,
        CONNECTED,
        CLOSED
    }

    /** Capacity of the compact buffers small received payloads are gathered in. */
    private static final int COALESCE_BYTES = 2048;

    /** {@link #lockOnStack}: busy spins, then yields, then naps of this many ns, until the lock is free. */
    private static final int LOCK_SPINS = 128;

    private static final int LOCK_YIELDS = 64;
    private static final long LOCK_NAP_NS = 20_000;

    private final NetStack stack;
    private final ReentrantLock lock = new ReentrantLock();
    private final Waiters changed = new Waiters(lock);
    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private final StackSide stackSide = new StackSide();

    // ---- guarded by lock (the volatile ones are written under it and read without it by the state getters) ----
    private volatile Mode mode = Mode.FRESH;
    private volatile IpAddr localAddr;
    private volatile int localPort;
    private volatile boolean bound;
    private volatile IpAddr remoteAddr;
    private volatile int remotePort;
    private TcpError error;
    private boolean errorReported;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private boolean peerFin;
    private boolean connectionGone;
    private final ArrayDeque<ByteBuf> receiveQueue = new ArrayDeque<>();
    private int receiveQueued;
    /** What {@link #receiveQueue} holds, by {@link MemoryBudget#heldBytes}, charged to the stack's budget. */
    private long receiveHeld;
    /** The last buffer of the receive queue when it is a compact one of ours that small payloads are appended to. */
    private ByteBuf coalesceTail;
    /**
     * Received buffers the application has read to the end, waiting for the stack thread to release them (see
     * {@link #retireRead}); bounded as the bytes read between two reports to the stack are (a quarter of the receive
     * buffer, or everything queued).
     */
    private ArrayDeque<ByteBuf> readDone = new ArrayDeque<>();
    /**
     * Buffers of earlier writes the stack has released (acknowledged, or copied into its own), given back to the
     * application threads that allocated them ({@link WrittenChunk}); the next write fills one again. Bounded by the
     * send buffer: each was a write's chunk.
     */
    private final ArrayDeque<ByteBuf> writtenDone = new ArrayDeque<>();

    private int consumedUnreported;
    private ArrayDeque<ByteBuf> sendPending = new ArrayDeque<>();
    private int sendInUse;
    private boolean shutdownOutputRequested;
    private boolean abortRequested;
    private final ArrayDeque<TcpSocket> acceptQueue = new ArrayDeque<>();
    private int sendBufferBytes;
    private int receiveBufferBytes;
    private boolean noDelay;
    private boolean keepAlive;
    /** TCP_KEEPIDLE, TCP_KEEPINTERVAL (seconds), TCP_KEEPCOUNT; 0: the stack's default. */
    private int keepIdleSeconds;

    private int keepIntervalSeconds;
    private int keepCount;
    /** TCP_QUICKACK as set; null: never set (ACKs follow the delayed-ACK rule, and it reads true as on Linux). */
    private Boolean quickAck;

    private int lingerSeconds = -1;
    private boolean reusePort;
    private volatile boolean reuseAddress;
    private String congestionControl;
    private boolean receiveBufferSet;
    private volatile boolean interruptible = true;
    private ReadinessListener readinessListener;

    // ---- stack thread only ----
    private ArrayDeque<ByteBuf> sendScratch = new ArrayDeque<>();
    /** Swapped with {@link #readDone} as {@link #sendScratch} is with {@link #sendPending}. */
    private ArrayDeque<ByteBuf> readDoneScratch = new ArrayDeque<>();
    /** The keepalive parameters and TCP_QUICKACK last pushed to the connection. */
    private long appliedKeepIdleNs = -1;

    private long appliedKeepIntervalNs = -1;
    private int appliedKeepCount = -1;
    private Boolean appliedQuickAck;
    /** SO_OOBINLINE (off by default, as on the JDK), and what the connection was last told. */
    private boolean oobInline;

    private boolean appliedOobInline;
    /** The latest urgent octet in {@link #sendPending} (only the latest counts: SND.UP is one pointer). */
    private ByteBuf urgentPending;

    private TcpConnection connection;
    private TcpListener listener;

    /** Told when a socket's readiness may have changed. Runs on whichever thread changed it; must not block. */
    @FunctionalInterface
    public interface ReadinessListener {
        void readinessChanged(TcpSocket socket);
    }

    public TcpSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack);
        this.sendBufferBytes = stack.config().sendBufferBytes();
        this.receiveBufferBytes = stack.config().receiveBufferBytes();
    }

    private TcpSocket(NetStack stack, TcpConnection child, TcpSocket parent) {
        this(stack);
        this.connection = child;
        this.mode = Mode.CONNECTING;
        this.localAddr = child.connection().localAddr();
        this.localPort = child.connection().localPort();
        this.remoteAddr = child.connection().remoteAddr();
        this.remotePort = child.connection().remotePort();
        this.noDelay = parent.noDelay;
        this.congestionControl = parent.congestionControl;
        this.receiveBufferSet = parent.receiveBufferSet;
        this.keepAlive = parent.keepAlive;
        this.keepIdleSeconds = parent.keepIdleSeconds;
        this.keepIntervalSeconds = parent.keepIntervalSeconds;
        this.keepCount = parent.keepCount;
        this.quickAck = parent.quickAck;
        this.reuseAddress = parent.reuseAddress;
        this.receiveBufferBytes = parent.receiveBufferBytes;
        this.sendBufferBytes = parent.sendBufferBytes;
        this.interruptible = parent.interruptible;
    }

    /**
     * Whether an interrupt ends a blocked call with {@link InterruptedIOException} (the default). When false, blocked
     * calls ignore interrupts (the thread's interrupt status is kept) and only end as they would otherwise: data,
     * timeout, close. Accepted sockets inherit the listener's setting.
     */
    public void setInterruptible(boolean on) {
        interruptible = on;
    }

    public boolean interruptible() {
        return interruptible;
    }

    public NetStack stack() {
        return stack;
    }

    // =====================================================================================================
    // Setup: bind, listen, connect, accept
    // =====================================================================================================

    /**
     * Binds to {@code addr:port}; port 0 picks an ephemeral port.
     *
     * @throws BindException if the address is in use or not local
     * @throws SocketException if already bound or closed
     */
    public void bind(IpAddr addr, int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        IpAddr address = addr == null ? IpAddr.ANY4 : addr;
        lock.lock();
        try {
            ensureOpen();
            if (bound) {
                throw new SocketException("Already bound");
            }
        } finally {
            lock.unlock();
        }
        int chosen = stack.call(() -> {
            if (!address.isAnyLocal() && !stack.tcp().ip().isLocal(address)) {
                throw new BindException("Cannot assign requested address");
            }
            Demux.BindResult result = stack.tcp().bind(address, port, reusePort, reuseAddress, this);
            if (result instanceof Demux.BindResult.Bound) {
                return ((Demux.BindResult.Bound) result).port();
            }
            if (result instanceof Demux.BindResult.InUse) {
                throw new BindException("Address already in use");
            }
            throw new BindException("No ephemeral port available");
        });
        lock.lock();
        try {
            localAddr = address;
            localPort = chosen;
            bound = true;
        } finally {
            lock.unlock();
        }
    }

    /** Starts listening; binds to an ephemeral port on the wildcard address first if not bound. */
    public void listen(int backlog) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (mode == Mode.LISTENING) {
                return;
            }
            if (mode != Mode.FRESH) {
                throw new SocketException("Socket is connected");
            }
        } finally {
            lock.unlock();
        }
        if (!isBound()) {
            bind(IpAddr.ANY4, 0);
        }
        int effectiveBacklog = backlog < 1 ? 50 : backlog;
        stack.call(() -> {
            listener = stack.tcp().listen(localAddr, localPort, effectiveBacklog, stackSide, congestionFactory());
            return null;
        });
        lock.lock();
        try {
            mode = Mode.LISTENING;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts connecting to {@code remote:port} and waits up to {@code timeoutNs} for the handshake (0: do not wait;
     * then {@link #finishConnect} completes it).
     *
     * @return true if connected
     * @throws ConnectException on refusal, SocketTimeoutException when the timeout elapses (the attempt is
     *     abandoned), NoRouteToHostException when no interface reaches the address
     */
    public boolean connect(IpAddr remote, int port, long timeoutNs) throws IOException {
        Objects.requireNonNull(remote, "remote");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        lock.lock();
        try {
            ensureOpen();
            if (mode == Mode.CONNECTING) {
                throw new SocketException("Connection already pending");
            }
            if (mode == Mode.CONNECTED) {
                throw new SocketException("Already connected");
            }
            if (mode == Mode.LISTENING) {
                throw new SocketException("Socket is listening");
            }
            if (port == 0) {
                // Nothing listens on port 0 (stacks drop segments to it): refused, as Linux's connect(2) reports it.
                throw new ConnectException("Connection refused");
            }
            mode = Mode.CONNECTING;
            remoteAddr = remote;
            remotePort = port;
        } finally {
            lock.unlock();
        }
        try {
            stack.call(() -> {
                TcpEngine.ConnectResult result = stack.tcp()
                        .connect(
                                bound ? localAddr : null,
                                bound ? localPort : 0,
                                remote,
                                port,
                                receiveBufferBytes,
                                sendBufferBytes,
                                stackSide,
                                congestionFactory(),
                                stack.nowNs());
                if (result instanceof TcpEngine.ConnectResult.NoRoute) {
                    throw new NoRouteToHostException("No route to host " + remote);
                }
                if (result instanceof TcpEngine.ConnectResult.AddressInUse) {
                    throw new BindException(
                            "Address already in use (no free local port for " + remote + ":" + port + ")");
                }
                TcpConnection c = ((TcpEngine.ConnectResult.Started) result).connection();
                if (c.isRemoved()) {
                    return null;
                }
                connection = c;
                applyOptions(c);
                lock.lock();
                try {
                    localAddr = c.connection().localAddr();
                    localPort = c.connection().localPort();
                } finally {
                    lock.unlock();
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                mode = Mode.FRESH;
                remoteAddr = null;
            } finally {
                lock.unlock();
            }
            throw e;
        }
        if (timeoutNs == 0) {
            return isConnected();
        }
        return finishConnect(timeoutNs);
    }

    /**
     * Waits up to {@code timeoutNs} for a pending connect. Returns true once connected, false if still pending after
     * a zero timeout.
     */
    public boolean finishConnect(long timeoutNs) throws IOException {
        long deadline = deadline(timeoutNs);
        lock.lock();
        try {
            while (true) {
                if (mode == Mode.CONNECTED) {
                    return true;
                }
                if (error != null) {
                    mode = Mode.CLOSED;
                    throw exceptionFor(error, true);
                }
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (mode != Mode.CONNECTING) {
                    throw new SocketException("Not connecting");
                }
                if (timeoutNs == 0) {
                    return false;
                }
                if (!await(deadline, false)) {
                    abandonConnect();
                    throw new SocketTimeoutException("Connect timed out");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void abandonConnect() {
        abortRequested = true;
        closed = true;
        mode = Mode.CLOSED;
        requestSync();
    }

    /**
     * Takes a connection from the accept queue, waiting up to {@code timeoutNs} (0: do not wait, null if none).
     *
     * @throws SocketTimeoutException when the timeout elapses
     */
    public TcpSocket accept(long timeoutNs) throws IOException {
        long deadline = deadline(timeoutNs);
        TcpSocket child;
        lock.lock();
        try {
            while (true) {
                ensureOpen();
                if (mode != Mode.LISTENING) {
                    throw new SocketException("Socket is not listening");
                }
                child = acceptQueue.poll();
                if (child != null) {
                    break;
                }
                if (timeoutNs == 0) {
                    return null;
                }
                if (!await(deadline, false)) {
                    throw new SocketTimeoutException("Accept timed out");
                }
            }
        } finally {
            lock.unlock();
        }
        TcpSocket accepted = child;
        stack.execute(() -> {
            if (accepted.connection != null) {
                stack.tcp().accepted(accepted.connection);
            }
        });
        return accepted;
    }

    // =====================================================================================================
    // Data
    // =====================================================================================================

    /**
     * Reads into {@code dst}, waiting up to {@code timeoutNs} for at least one byte (0: do not wait).
     *
     * @return bytes read, 0 if none and not waiting (or {@code dst} is full), -1 at end of stream
     */
    public int read(ByteBuffer dst, long timeoutNs) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long deadline = deadline(timeoutNs);
        int n = 0;
        boolean report;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (inputShutdown) {
                    return -1;
                }
                if (!receiveQueue.isEmpty()) {
                    break;
                }
                // After the peer's FIN, reads see end of stream even if a reset followed (as Linux: the FIN is checked
                // before the pending error); the error is left for the next write.
                if (peerFin) {
                    return -1;
                }
                if (error != null) {
                    throwReadError();
                    return -1;
                }
                if (connectionGone) {
                    return -1;
                }
                if (mode != Mode.CONNECTED && mode != Mode.CONNECTING) {
                    throw new SocketException("Socket is not connected");
                }
                if (timeoutNs == 0) {
                    return 0;
                }
                if (!await(deadline, true)) {
                    throw new SocketTimeoutException("Read timed out");
                }
            }
            while (dst.hasRemaining() && !receiveQueue.isEmpty()) {
                ByteBuf head = receiveQueue.peekFirst();
                int take = Math.min(dst.remaining(), head.readableBytes());
                int limit = dst.limit();
                dst.limit(dst.position() + take);
                head.readBytes(dst);
                dst.limit(limit);
                n += take;
                if (!head.isReadable()) {
                    retireRead(receiveQueue.pollFirst());
                }
            }
            receiveQueued -= n;
            consumedUnreported += n;
            // Tell the stack (which may then open the window) once a quarter of the buffer is free again or
            // everything has been read; not on every small read.
            report = consumedUnreported >= receiveBufferBytes / 4 || receiveQueue.isEmpty();
        } finally {
            lock.unlock();
        }
        if (report) {
            requestSync();
        }
        return n;
    }

    /**
     * A buffer for {@code n} bytes of a write, under the lock: one the stack gave back ({@link #writtenDone}) if it is
     * large enough, else a new one from the pool, wrapped so that the stack's release gives it back.
     */
    private ByteBuf writeChunk(int n) {
        ByteBuf chunk = writtenDone.pollFirst();
        if (chunk != null && chunk.capacity() < n) {
            chunk.release();
            chunk = null;
        }
        if (chunk == null) {
            chunk = stack.alloc().buffer(n);
        } else {
            chunk.clear();
        }
        return new WrittenChunk(chunk);
    }

    /**
     * A write's buffer as the stack holds it. Its last release does not free it but gives it back to this socket
     * ({@link #writtenDone}), where the application thread's next write fills it again or {@link #close} frees it.
     * Freed by the stack thread, a buffer an application thread allocated went back to that thread's pool across
     * threads: the recycler's queue for the thread's buffer objects allocates a new chunk each time it fills, an
     * allocation on the stack thread every 32 writes or so (LoopbackAllocationTest). The wrapper is allocated by the
     * writer, once per write.
     */
    private final class WrittenChunk extends WrappedByteBuf {
        WrittenChunk(ByteBuf chunk) {
            super(chunk);
        }

        @Override
        public boolean release() {
            return release(1);
        }

        @Override
        public boolean release(int decrement) {
            if (refCnt() != decrement) {
                return super.release(decrement);
            }
            giveBack(unwrap());
            return true;
        }
    }

    /**
     * {@link WrittenChunk}'s last release, on whichever thread: kept for the next write unless the socket is closed or
     * its connection gone (then freed here).
     */
    private void giveBack(ByteBuf chunk) {
        boolean keep;
        lockOnStack();
        try {
            keep = !closed && !connectionGone;
            if (keep) {
                writtenDone.addLast(chunk);
            }
        } finally {
            lock.unlock();
        }
        if (!keep) {
            chunk.release();
        }
    }

    /** Reads into {@code b[off..off+len)}; see {@link #read(ByteBuffer, long)}. */
    public int read(byte[] b, int off, int len, long timeoutNs) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(ByteBuffer.wrap(b, off, len), timeoutNs);
    }

    /**
     * Writes from {@code src}: waits up to {@code timeoutNs} for send-buffer space; with 0 writes what fits now. A
     * blocking write ({@code timeoutNs} &gt; 0) returns only once every byte is queued.
     *
     * @return bytes queued (0 if none fit and not waiting)
     */
    public int write(ByteBuffer src, long timeoutNs) throws IOException {
        long deadline = deadline(timeoutNs);
        int total = 0;
        while (src.hasRemaining()) {
            ByteBuf chunk;
            lock.lock();
            try {
                int space;
                while (true) {
                    if (total > 0 && (outputShutdown || closed)) {
                        return total; // shut down or closed by another thread after some bytes were queued
                    }
                    checkWritable();
                    space = sendBufferBytes - sendInUse;
                    if (space > 0) {
                        break;
                    }
                    if (timeoutNs == 0) {
                        return total;
                    }
                    if (!await(deadline, false)) {
                        if (total > 0) {
                            return total;
                        }
                        throw new SocketTimeoutException("Write timed out");
                    }
                }
                int n = Math.min(space, src.remaining());
                chunk = writeChunk(n);
                int limit = src.limit();
                src.limit(src.position() + n);
                chunk.writeBytes(src);
                src.limit(limit);
                sendPending.addLast(chunk);
                sendInUse += n;
                total += n;
            } finally {
                lock.unlock();
            }
            requestSync();
            if (timeoutNs == 0) {
                // Non-blocking: one pass of what fits.
                if (!src.hasRemaining()) {
                    break;
                }
                lock.lock();
                try {
                    if (sendBufferBytes - sendInUse <= 0) {
                        break;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
        return total;
    }

    /**
     * Queues one urgent octet ({@code Socket.sendUrgentData}, RFC 9293 §3.8.5, RFC 6093): it follows everything
     * written before it, and the segments sent before it is acknowledged carry URG and the urgent pointer. Waits for
     * send-buffer space as a blocking write does. The exceptions are the JDK {@code Socket}'s on Linux: "Socket
     * closed", "Not connected", and {@code IOException} "Broken pipe" (EPIPE) after {@link #shutdownOutput}.
     *
     * @return false if {@code timeoutNs} is 0 and the send buffer is full (nothing queued)
     */
    public boolean sendUrgentData(int b, long timeoutNs) throws IOException {
        long deadline = deadline(timeoutNs);
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (error != null) {
                    throw exceptionFor(error, false);
                }
                if (mode != Mode.CONNECTED) {
                    throw new SocketException("Not connected");
                }
                if (outputShutdown || connectionGone) {
                    throw new IOException("Broken pipe");
                }
                if (sendBufferBytes - sendInUse > 0) {
                    break;
                }
                if (timeoutNs == 0) {
                    return false;
                }
                if (!await(deadline, false)) {
                    throw new SocketTimeoutException("Write timed out");
                }
            }
            ByteBuf one = writeChunk(1).writeByte(b);
            sendPending.addLast(one);
            urgentPending = one;
            sendInUse += 1;
        } finally {
            lock.unlock();
        }
        requestSync();
        return true;
    }

    public int write(byte[] b, int off, int len, long timeoutNs) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return write(ByteBuffer.wrap(b, off, len), timeoutNs);
    }

    private void checkWritable() throws IOException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        if (error != null) {
            throw exceptionFor(error, false);
        }
        if (outputShutdown) {
            throw new SocketException("Socket output is shutdown");
        }
        if (connectionGone) {
            throw new SocketException("Broken pipe");
        }
        if (mode != Mode.CONNECTED) {
            throw new SocketException("Socket is not connected");
        }
    }

    /** Bytes that can be read without blocking. */
    public int available() throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            return inputShutdown ? 0 : receiveQueued;
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================================
    // Closing
    // =====================================================================================================

    /** Sends FIN after the queued data; further writes fail. */
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            if (mode != Mode.CONNECTED) {
                throw new SocketException("Socket is not connected");
            }
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            shutdownOutputRequested = true;
            changed.signalAll(); // a writer blocked on a full send buffer fails now, as on the JDK
        } finally {
            lock.unlock();
        }
        requestSync();
        notifyReadiness();
    }

    /** Discards received data; reads return end of stream. */
    public void shutdownInput() throws IOException {
        int dropped;
        lock.lock();
        try {
            ensureOpen();
            if (mode != Mode.CONNECTED) {
                throw new SocketException("Socket is not connected");
            }
            inputShutdown = true;
            dropped = drainReceiveQueue();
            changed.signalAll(); // a blocked read returns end of stream now
        } finally {
            lock.unlock();
        }
        if (dropped > 0) {
            requestSync();
        }
        notifyReadiness();
    }

    /**
     * A buffer of the receive queue read to the end, under the lock: it leaves the queue's accounting now and waits in
     * {@link #readDone} for the stack thread, which allocated it, to release it ({@link #releaseReadDone}). Released
     * here, on the reader's thread, the pool would take it back across threads: Netty's recycler keeps one in eight of
     * the buffer objects a foreign thread returns, so the stack thread would allocate new ones per segment, and the
     * pool's arena lock would be contended by two threads (the stack thread then queues for it, an AQS node each
     * time). Its charge to the stack's memory budget goes when it is released: it is held until then.
     */
    private void retireRead(ByteBuf b) {
        if (b == coalesceTail) {
            coalesceTail = null;
        }
        receiveHeld -= MemoryBudget.heldBytes(b);
        readDone.addLast(b);
    }

    /**
     * Releases the buffers {@link #retireRead} set aside and their charge to the memory budget: on the stack thread
     * from {@link #syncOnStack} (with {@code done} taken from {@link #readDone} under the lock), and from
     * {@link #drainReceiveQueue} under the lock on whichever thread closes the socket or shuts its input down (rare:
     * the cross-thread cost does not matter there, and a stack already closed runs no sync any more).
     */
    private void releaseReadDone(ArrayDeque<ByteBuf> done) {
        for (ByteBuf b = done.poll(); b != null; b = done.poll()) {
            stack.memory().uncharge(MemoryBudget.heldBytes(b));
            b.release();
        }
    }

    /** Frees a buffer of the receive queue and its charge to the stack's memory budget. Under the lock. */
    private void releaseReceived(ByteBuf b) {
        if (b == coalesceTail) {
            coalesceTail = null;
        }
        int held = MemoryBudget.heldBytes(b);
        receiveHeld -= held;
        stack.memory().uncharge(held);
        b.release();
    }

    /**
     * Queues delivered data under the lock, accounting what it holds. A payload that pins a much larger received
     * buffer (a 1-byte segment in a 1,500-byte packet) is copied into a compact buffer, appended to the previous one
     * when it has room (Linux's {@code tcp_try_coalesce} / {@code tcp_collapse}), so a flood of tiny segments holds
     * about what it carries.
     */
    private void enqueueReceived(ByteBuf data) {
        int n = data.readableBytes();
        receiveQueued += n;
        if (!MemoryBudget.isWasteful(data)) {
            receiveQueue.addLast(data);
            coalesceTail = null;
            chargeReceived(data);
            return;
        }
        try {
            ByteBuf tail = coalesceTail;
            if (tail != null && tail == receiveQueue.peekLast() && tail.writableBytes() >= n) {
                tail.writeBytes(data, data.readerIndex(), n);
            } else {
                int capacity = Math.max(n, COALESCE_BYTES);
                ByteBuf compact = stack.alloc().buffer(capacity, capacity);
                compact.writeBytes(data, data.readerIndex(), n);
                receiveQueue.addLast(compact);
                coalesceTail = compact;
                chargeReceived(compact);
            }
            stack.counters().inc(Counter.TCP_RCV_COLLAPSED);
        } finally {
            data.release();
        }
    }

    private void chargeReceived(ByteBuf b) {
        int held = MemoryBudget.heldBytes(b);
        receiveHeld += held;
        stack.memory().charge(held);
    }

    /** Memory the receive queue holds (buffers kept alive plus overhead), as charged to the stack's budget. */
    public long receiveHeldBytes() {
        lock.lock();
        try {
            return receiveHeld;
        } finally {
            lock.unlock();
        }
    }

    private int drainReceiveQueue() {
        int n = receiveQueued;
        for (ByteBuf b = receiveQueue.pollFirst(); b != null; b = receiveQueue.pollFirst()) {
            releaseReceived(b);
        }
        releaseReadDone(readDone);
        receiveQueued = 0;
        consumedUnreported += n;
        return n;
    }

    /**
     * Closes the socket. A connection with unread received data, or with SO_LINGER 0, is reset (RFC 2525 §2.17,
     * RFC 1122 §4.2.2.13); otherwise a FIN follows the queued data and the connection finishes in the background. With
     * SO_LINGER &gt; 0 this waits up to that long for the peer to acknowledge everything.
     */
    public void close() throws IOException {
        boolean lingerWait;
        boolean listening;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            listening = mode == Mode.LISTENING;
            boolean unread = receiveQueued > 0;
            drainReceiveQueue();
            releaseAll(writtenDone);
            if (mode == Mode.CONNECTED || mode == Mode.CONNECTING) {
                if (unread || lingerSeconds == 0 || mode == Mode.CONNECTING) {
                    abortRequested = true;
                } else if (!outputShutdown) {
                    outputShutdown = true;
                    shutdownOutputRequested = true;
                }
            }
            for (TcpSocket child : acceptQueue) {
                child.abortQuietly();
            }
            acceptQueue.clear();
            lingerWait = lingerSeconds > 0 && !abortRequested && mode == Mode.CONNECTED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (listening) {
            // As the kernel's close(2): the listener is out of its stack when close returns. Queued instead, it would
            // still answer a SYN that reaches its stack in the same round (received packets go before commands),
            // and a connect from another stack just after the close would be accepted, not refused.
            try {
                stack.call(() -> {
                    syncOnStack();
                    return null;
                });
            } catch (IllegalStateException e) {
                requestSync(); // the stack refused the command (closed, or its queue full): as for any other socket
            }
        } else {
            requestSync();
        }
        notifyReadiness();
        if (lingerWait) {
            awaitQuiet(TimeUnit.SECONDS.toNanos(lingerSeconds));
        }
    }

    private void abortQuietly() {
        lock.lock();
        try {
            closed = true;
            abortRequested = true;
        } finally {
            lock.unlock();
        }
        requestSync();
    }

    /** Waits until all sent data is acknowledged or the connection is gone (SO_LINGER). */
    private void awaitQuiet(long timeoutNs) throws InterruptedIOException {
        long deadline = deadline(timeoutNs);
        lock.lock();
        try {
            while (sendInUse > 0 && !connectionGone && error == null) {
                if (!await(deadline, false)) {
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Resets the connection at once (RST), discarding queued data. */
    public void abort() {
        lock.lock();
        try {
            closed = true;
            abortRequested = true;
            drainReceiveQueue();
            releaseAll(writtenDone);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        requestSync();
        notifyReadiness();
    }

    // =====================================================================================================
    // State, options, readiness
    // =====================================================================================================

    public boolean isBound() {
        return bound || localPort != 0;
    }

    public boolean isConnected() {
        return mode == Mode.CONNECTED;
    }

    public boolean isConnectionPending() {
        return mode == Mode.CONNECTING;
    }

    public boolean isListening() {
        return mode == Mode.LISTENING;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isInputShutdown() {
        return inputShutdown;
    }

    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    public IpAddr localAddress() {
        return localAddr;
    }

    public int localPort() {
        return localPort;
    }

    public IpAddr remoteAddress() {
        return remoteAddr;
    }

    public int remotePort() {
        return remotePort;
    }

    /** The TCP state as the stack thread last saw it, for diagnostics (reads across threads without locking). */
    public TcpState tcpState() {
        TcpConnection c = connection;
        if (c != null) {
            return c.state();
        }
        return listener != null ? TcpState.LISTEN : TcpState.CLOSED;
    }

    /** Current readiness: a combination of OP_READ, OP_WRITE, OP_CONNECT, OP_ACCEPT. */
    public int readyOps() {
        lock.lock();
        try {
            int ops = 0;
            if (mode == Mode.LISTENING) {
                return !acceptQueue.isEmpty() || closed ? OP_ACCEPT : 0;
            }
            boolean failed = error != null && !errorReported;
            if (!receiveQueue.isEmpty() || peerFin || connectionGone || failed || inputShutdown || closed) {
                ops |= OP_READ;
            }
            if (mode == Mode.CONNECTED && (sendInUse < sendBufferBytes || failed || connectionGone || outputShutdown)) {
                ops |= OP_WRITE;
            }
            if ((mode == Mode.CONNECTED || error != null || closed) && remoteAddr != null && !errorReported) {
                ops |= OP_CONNECT;
            }
            return ops;
        } finally {
            lock.unlock();
        }
    }

    public void setReadinessListener(ReadinessListener listener) {
        lock.lock();
        try {
            readinessListener = listener;
        } finally {
            lock.unlock();
        }
    }

    public void setNoDelay(boolean on) {
        setOption(() -> noDelay = on);
    }

    public boolean noDelay() {
        return get(() -> noDelay);
    }

    public void setKeepAlive(boolean on) {
        setOption(() -> keepAlive = on);
    }

    public boolean keepAlive() {
        return get(() -> keepAlive);
    }

    /**
     * TCP_KEEPIDLE: seconds of idleness before the first keepalive probe (RFC 1122 §4.2.3.6), 1..32767 as on Linux
     * (tcp(7), MAX_TCP_KEEPIDLE); used while SO_KEEPALIVE is on. Accepted connections inherit a listener's.
     *
     * @throws SocketException "Invalid argument" out of range, as setsockopt(2)'s EINVAL through the JDK
     */
    public void setKeepIdle(int seconds) throws SocketException {
        checkRange(seconds, 32767);
        setOption(() -> keepIdleSeconds = seconds);
    }

    public int keepIdle() {
        int v = get(() -> keepIdleSeconds);
        return v > 0 ? v : (int) TimeUnit.NANOSECONDS.toSeconds(stack.config().keepIdleNs());
    }

    /** TCP_KEEPINTERVAL: seconds between unanswered keepalive probes, 1..32767 (MAX_TCP_KEEPINTVL). */
    public void setKeepInterval(int seconds) throws SocketException {
        checkRange(seconds, 32767);
        setOption(() -> keepIntervalSeconds = seconds);
    }

    public int keepInterval() {
        int v = get(() -> keepIntervalSeconds);
        return v > 0 ? v : (int) TimeUnit.NANOSECONDS.toSeconds(stack.config().keepIntervalNs());
    }

    /** TCP_KEEPCOUNT: unanswered probes after which the connection fails ("Connection timed out"), 1..127. */
    public void setKeepCount(int count) throws SocketException {
        checkRange(count, 127);
        setOption(() -> keepCount = count);
    }

    public int keepCount() {
        int v = get(() -> keepCount);
        return v > 0 ? v : stack.config().keepCount();
    }

    private static void checkRange(int v, int max) throws SocketException {
        if (v < 1 || v > max) {
            throw new SocketException("Invalid argument");
        }
    }

    /**
     * TCP_QUICKACK: on, ACKs are sent at once instead of delayed (and one being delayed goes now); off, the
     * delayed-ACK rule. Reads true until set, as Linux's does on a new socket.
     */
    public void setQuickAck(boolean on) {
        setOption(() -> quickAck = on);
    }

    public boolean quickAck() {
        Boolean v = get(() -> quickAck);
        return v == null || v;
    }

    /**
     * SO_OOBINLINE: on, an urgent octet received is read in line, in order; off (the default), it is taken out of
     * the stream, as the JDK's socket on Linux does (Java cannot read it out of band). Applied on the stack thread
     * before this returns, so that it holds for every urgent octet that arrives afterwards. DEVIATION(Linux): Linux
     * decides when the octet is read, so an octet received but not yet read before the change follows the new value;
     * here it followed the old one.
     */
    public void setOobInline(boolean on) {
        lock.lock();
        try {
            oobInline = on;
        } finally {
            lock.unlock();
        }
        stack.callUnchecked(() -> {
            syncOnStack();
            return null;
        });
    }

    public boolean oobInline() {
        return get(() -> oobInline);
    }

    /** SO_LINGER in seconds; -1 turns it off. */
    public void setLinger(int seconds) {
        setOption(() -> lingerSeconds = Math.max(-1, seconds));
    }

    public int linger() {
        return get(() -> lingerSeconds);
    }

    /**
     * SO_REUSEADDR: a bind does not conflict with connections on its port (TIME-WAIT ones included) that set it too;
     * a listener's accepted connections inherit it.
     */
    public void setReuseAddress(boolean on) {
        setOption(() -> reuseAddress = on);
    }

    public boolean reuseAddress() {
        return reuseAddress;
    }

    public void setReusePort(boolean on) {
        setOption(() -> reusePort = on);
    }

    public boolean reusePort() {
        return get(() -> reusePort);
    }

    /**
     * The congestion-control algorithm for this socket's connection ({@code cubic} or {@code newreno}), like Linux's
     * TCP_CONGESTION; takes effect at connect, or for a listener on the connections it accepts.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public void setCongestionControl(String name) {
        CongestionAlgorithms.byName(name);
        setOption(() -> congestionControl = name);
    }

    /** The algorithm set with {@link #setCongestionControl}, or the stack's default's name when none was set. */
    public String congestionControl() {
        String name = get(() -> congestionControl);
        return name != null ? name : CongestionAlgorithms.DEFAULT;
    }

    private CongestionAlgorithm.Factory congestionFactory() {
        String name = get(() -> congestionControl);
        return name == null ? null : CongestionAlgorithms.byName(name);
    }

    /** SO_RCVBUF in bytes; sizes below the stack's minimum (0 included, as on Linux) give the minimum. */
    public void setReceiveBufferSize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("buffer size must not be negative: " + bytes);
        }
        setOption(() -> {
            receiveBufferBytes = Math.max(1024, Math.min(bytes, stack.config().maxReceiveBufferBytes()));
            receiveBufferSet = true;
        });
    }

    public int receiveBufferSize() {
        return get(() -> receiveBufferBytes);
    }

    /** SO_SNDBUF in bytes; sizes below the stack's minimum (0 included, as on Linux) give the minimum. */
    public void setSendBufferSize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("buffer size must not be negative: " + bytes);
        }
        setOption(() -> sendBufferBytes = Math.max(2048, bytes));
    }

    public int sendBufferSize() {
        return get(() -> sendBufferBytes);
    }

    private void setOption(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
        requestSync();
    }

    private <T> T get(java.util.function.Supplier<T> getter) {
        lock.lock();
        try {
            return getter.get();
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================================
    // Exceptions: the one place stack outcomes become JDK exceptions (STYLE.md §7)
    // =====================================================================================================

    static IOException exceptionFor(TcpError error, boolean connecting) {
        switch (error) {
            case REFUSED:
                return new ConnectException("Connection refused");
            case RESET:
                return connecting ? new ConnectException("Connection reset") : new SocketException("Connection reset");
            case TIMED_OUT:
                return connecting
                        ? new ConnectException("Connection timed out")
                        : new SocketException("Connection timed out");
            case ABORTED:
                return new SocketException("Socket closed");
            case UNREACHABLE:
                return new NoRouteToHostException("No route to host");
            default:
                throw new AssertionError(error);
        }
    }

    /**
     * A read reports a failure once the bytes received before it are read. A reset is reported by that read and by
     * every later one, as the JDK's {@code NioSocketImpl} and {@code SocketChannelImpl} do (their {@code
     * connectionReset} flag); another failure (a timeout) once, then reads see end of stream, as Linux's recv(2) does
     * once {@code sk_err} was reported.
     */
    private void throwReadError() throws IOException {
        if (error == TcpError.RESET || !errorReported) {
            errorReported = true;
            throw exceptionFor(error, false);
        }
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private static long deadline(long timeoutNs) {
        if (timeoutNs == FOREVER || timeoutNs <= 0) {
            return FOREVER;
        }
        return System.nanoTime() + timeoutNs;
    }

    /**
     * Waits for a change; false when the deadline passed. Interrupts become InterruptedIOException, unless the socket
     * is not {@link #setInterruptible interruptible}: then an interrupt is an early wake-up and the status is kept.
     * Called with {@link #lock} held once; returns (or throws) with it held once. {@code reader}: a read waits, which
     * an ACK freeing send-buffer space does not wake.
     */
    private boolean await(long deadline, boolean reader) throws InterruptedIOException {
        boolean interrupted = !interruptible && Thread.interrupted();
        try {
            if (interruptible && Thread.interrupted()) {
                interrupted = true;
                throw new InterruptedIOException("interrupted");
            }
            if (deadline == FOREVER) {
                changed.await(Waiters.FOREVER, reader);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(left, reader);
            }
            if (Thread.interrupted()) {
                interrupted = true;
                if (interruptible) {
                    throw new InterruptedIOException("interrupted");
                }
            }
            return true; // the caller checks its condition (and the deadline) and waits again
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * On the stack thread: takes the socket's lock without ever queueing for it. A thread that queues in
     * {@link ReentrantLock#lock} gets an AQS node allocated, and the stack thread allocates nothing per segment
     * (LoopbackAllocationTest). Application threads hold the lock for field reads and writes and for one copy (up to
     * a write's or a read's 64 KiB), so a short spin mostly wins; on a loaded machine the holder may have lost its CPU
     * while holding it, so the stack thread then yields its own CPU (to that holder, if they share it), and past that
     * naps {@value #LOCK_NAP_NS} ns at a time rather than burn a core. It cannot starve: each holder lets go after its
     * copy, and {@code tryLock} barges ahead of queued application threads.
     */
    private void lockOnStack() {
        for (int i = 0; !lock.tryLock(); i++) {
            if (i < LOCK_SPINS) {
                Thread.onSpinWait();
            } else if (i < LOCK_SPINS + LOCK_YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, LOCK_NAP_NS);
            }
        }
    }

    private void notifyReadiness() {
        ReadinessListener l;
        lockOnStack();
        try {
            l = readinessListener;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.readinessChanged(this);
        }
    }

    // =====================================================================================================
    // The stack side
    // =====================================================================================================

    /** Asks the stack thread to pick up this socket's pending work; at most one request is queued at a time. */
    private void requestSync() {
        if (syncQueued.compareAndSet(false, true)) {
            try {
                stack.execute(this::syncOnStack);
            } catch (IllegalStateException e) {
                syncQueued.set(false);
                throw e;
            }
        }
    }

    /** On the stack thread: hand pending data and requests to TCP. */
    private void syncOnStack() {
        syncQueued.set(false);
        long now = stack.nowNs();
        TcpEngine tcp = stack.tcp();
        ArrayDeque<ByteBuf> toSend = null;
        ArrayDeque<ByteBuf> scratch = sendScratch;
        int consumed;
        boolean shutdown;
        boolean abort;
        boolean closedNow;
        boolean nd;
        boolean ka;
        int kIdle;
        int kInterval;
        int kCount;
        Boolean qa;
        int linger;
        int rcvBuf;
        int sndBuf;
        boolean oob;
        ByteBuf urgent;
        ArrayDeque<ByteBuf> readTaken = null;
        lockOnStack();
        try {
            if (!readDone.isEmpty()) {
                readTaken = readDone;
                readDone = readDoneScratch;
                readDoneScratch = readTaken;
            }
            urgent = urgentPending;
            urgentPending = null;
            oob = oobInline;
            if (!sendPending.isEmpty()) {
                // Swap the buffers rather than copy: the stack-thread scratch deque becomes the pending one.
                toSend = sendPending;
                sendPending = scratch;
                sendScratch = toSend;
            }
            consumed = consumedUnreported;
            consumedUnreported = 0;
            shutdown = shutdownOutputRequested;
            shutdownOutputRequested = false;
            abort = abortRequested;
            closedNow = closed;
            nd = noDelay;
            ka = keepAlive;
            kIdle = keepIdleSeconds;
            kInterval = keepIntervalSeconds;
            kCount = keepCount;
            qa = quickAck;
            linger = lingerSeconds;
            rcvBuf = receiveBufferBytes;
            sndBuf = sendBufferBytes;
        } finally {
            lock.unlock();
        }
        if (readTaken != null) {
            releaseReadDone(readTaken);
        }
        if (listener != null) {
            tcp.setListenerCongestion(listener, congestionFactory());
            if (closedNow && !listener.isClosed()) {
                tcp.closeListener(listener, now);
                tcp.unbind(listener.localPort(), this);
            }
            return;
        }
        TcpConnection c = connection;
        if (c == null) {
            if (toSend != null) {
                releaseAll(toSend);
            }
            if (closedNow && bound) {
                tcp.unbind(localPort, this);
            }
            return;
        }
        if (c.isRemoved()) {
            if (toSend != null) {
                releaseAll(toSend);
            }
            return;
        }
        if (abort && !shutdown) {
            if (toSend != null) {
                releaseAll(toSend);
            }
            tcp.abort(c, now);
            return;
        }
        // A shutdown requested before the abort (shutdownOutput, then close with unread data) still sends what it
        // can and the FIN first, as the kernel did at shutdown time; the reset then discards the rest.
        applyOptions(c, nd, ka, kIdle, kInterval, kCount, qa, linger, rcvBuf, sndBuf, oob, now);
        if (toSend != null) {
            // poll, not an iterator: this runs for every write, on the stack thread, which allocates nothing per
            // segment (LoopbackAllocationTest)
            for (ByteBuf b = toSend.poll(); b != null; b = toSend.poll()) {
                if (b == urgent) {
                    tcp.sendUrgent(c, b, now);
                } else {
                    tcp.send(c, b, now);
                }
            }
        }
        if (consumed > 0) {
            tcp.consumed(c, consumed, now);
        }
        if (shutdown) {
            tcp.shutdownOutput(c, now);
        }
        if (abort) {
            tcp.abort(c, now);
        } else if (closedNow) {
            // Nobody will read or write again: the connection finishes as an orphan, within bounds.
            tcp.orphan(c, now);
        }
    }

    private static void releaseAll(ArrayDeque<ByteBuf> buffers) {
        for (ByteBuf b = buffers.poll(); b != null; b = buffers.poll()) {
            b.release();
        }
    }

    private void applyOptions(TcpConnection c) {
        applyOptions(
                c,
                noDelay,
                keepAlive,
                keepIdleSeconds,
                keepIntervalSeconds,
                keepCount,
                quickAck,
                lingerSeconds,
                receiveBufferBytes,
                sendBufferBytes,
                oobInline,
                stack.nowNs());
    }

    private void applyOptions(
            TcpConnection c,
            boolean nd,
            boolean ka,
            int kIdle,
            int kInterval,
            int kCount,
            Boolean qa,
            int linger,
            int rcvBuf,
            int sndBuf,
            boolean oob,
            long now) {
        TcpEngine tcp = stack.tcp();
        if (oob != appliedOobInline) {
            tcp.setUrgentInline(c, oob);
            appliedOobInline = oob;
        }
        tcp.setReuseAddress(c, reuseAddress);
        if (c.connection().noDelay() != nd) {
            tcp.setNoDelay(c, nd, now);
        }
        long idleNs =
                kIdle > 0 ? TimeUnit.SECONDS.toNanos(kIdle) : stack.config().keepIdleNs();
        long intervalNs = kInterval > 0
                ? TimeUnit.SECONDS.toNanos(kInterval)
                : stack.config().keepIntervalNs();
        int count = kCount > 0 ? kCount : stack.config().keepCount();
        if (c.connection().keepAlive() != ka
                || idleNs != appliedKeepIdleNs
                || intervalNs != appliedKeepIntervalNs
                || count != appliedKeepCount) {
            tcp.setKeepAlive(c, ka, idleNs, intervalNs, count, now);
            appliedKeepIdleNs = idleNs;
            appliedKeepIntervalNs = intervalNs;
            appliedKeepCount = count;
        }
        if (qa != null && !qa.equals(appliedQuickAck)) {
            tcp.setQuickAck(c, qa, now);
            appliedQuickAck = qa;
        }
        if (c.connection().lingerSeconds() != linger) {
            tcp.setLinger(c, linger);
        }
        // Only an explicit SO_RCVBUF is pushed down: otherwise the connection auto-tunes its receive buffer.
        int explicitRcvBuf = receiveBufferSet ? rcvBuf : 0;
        boolean rcvBufChanged = receiveBufferSet && (c.receiveBufferBytes() != rcvBuf || c.isReceiveBufferAutotuned());
        if (rcvBufChanged || c.sendBufferBytes() != sndBuf) {
            tcp.setBufferSizes(c, explicitRcvBuf, sndBuf);
        }
    }

    /** The stack thread's callbacks; kept off the public API. */
    private final class StackSide implements ConnectionHandler, ListenerHandler {
        @Override
        public int unreadBytes(TcpConnection c) {
            lockOnStack();
            try {
                return receiveQueued;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onEstablished(TcpConnection c) {
            lockOnStack();
            try {
                if (mode == Mode.CONNECTING) {
                    mode = Mode.CONNECTED;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            notifyReadiness();
        }

        @Override
        public void onData(TcpConnection c, ByteBuf data) {
            boolean discard;
            lockOnStack();
            try {
                discard = closed || inputShutdown;
                if (!discard) {
                    enqueueReceived(data);
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
            if (discard) {
                int n = data.readableBytes();
                data.release();
                if (closedFully()) {
                    // Data for a socket the application closed: Linux answers with a reset (tcp_rcv_state_process).
                    stack.counters().inc(Counter.SOCKET_DATA_AFTER_CLOSE);
                    stack.tcp().abort(c, stack.nowNs());
                } else {
                    stack.tcp().consumed(c, n, stack.nowNs());
                }
                return;
            }
            notifyReadiness();
        }

        private boolean closedFully() {
            lockOnStack();
            try {
                return closed;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onFin(TcpConnection c) {
            lockOnStack();
            try {
                peerFin = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            notifyReadiness();
        }

        @Override
        public void onAcked(TcpConnection c, int bytes) {
            lockOnStack();
            try {
                sendInUse = Math.max(0, sendInUse - bytes);
                changed.signalAllButReaders(); // writers and a lingering close wait for this; a read does not
            } finally {
                lock.unlock();
            }
            notifyReadiness();
        }

        @Override
        public void onClosed(TcpConnection c, TcpError err) {
            boolean unbind;
            lockOnStack();
            try {
                connectionGone = true;
                if (err != null && err != TcpError.ABORTED && error == null) {
                    error = err;
                }
                if (mode == Mode.CONNECTING && err == null) {
                    error = TcpError.RESET;
                }
                for (ByteBuf b : sendPending) {
                    b.release();
                }
                sendPending.clear();
                // No write follows on this connection: what the stack gave back is freed now, and what it gives back
                // from here on at once (giveBack).
                releaseAll(writtenDone);
                sendInUse = 0;
                if (closed || err == TcpError.ABORTED) {
                    // Nobody will read: the application closed, or the stack itself is shutting down.
                    drainReceiveQueue();
                }
                unbind = closed && bound;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (unbind) {
                stack.tcp().unbind(localPort, TcpSocket.this);
            }
            notifyReadiness();
        }

        @Override
        public ConnectionHandler newChild(TcpListener l, TcpConnection child) {
            TcpSocket socket = new TcpSocket(stack, child, TcpSocket.this);
            socket.applyOptions(child);
            return socket.stackSide;
        }

        @Override
        public void onAcceptable(TcpListener l, TcpConnection child) {
            // The child socket became CONNECTED in its own onEstablished; queue it for accept().
            ConnectionHandler h = childHandler(child);
            TcpSocket socket = ((StackSide) h).owner();
            lockOnStack();
            try {
                acceptQueue.addLast(socket);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            notifyReadiness();
        }

        TcpSocket owner() {
            return TcpSocket.this;
        }
    }

    private static ConnectionHandler childHandler(TcpConnection child) {
        return child.handler();
    }
}

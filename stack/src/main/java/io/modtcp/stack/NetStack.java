package io.modtcp.stack;

import io.modtcp.stack.ip.IpLayer;
import io.modtcp.stack.ip.NetInterface;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.TcpEngine;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithm;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithms;
import io.modtcp.stack.wire.IpAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One network stack: its links, IP, TCP and the sockets on top. All protocol state belongs to one thread, the
 * stack thread, which calls {@link #poll}; other threads talk to it through {@link #execute} (a bounded MPSC queue
 * of commands) and through the sockets' own buffers.
 *
 * <p>Who is the stack thread is up to the caller: {@link io.modtcp.stack.runtime.StackThread} runs a real one with
 * the system clock; a deterministic test makes its own thread the stack thread ({@link #bindToCurrentThread}) and
 * drives {@link #poll} with a {@link ManualClock}.
 */
public final class NetStack implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NetStack.class.getName());
    /** Packets taken from a link between two flushes of pending output (ACKs for a burst are coalesced). */
    private static final int RX_BATCH = 64;
    /** Packets taken from one link in one round, at most: a link fed faster than that cannot starve the others. */
    private static final int RX_BUDGET = 1024;

    private static final int COMMAND_BATCH = 1024;
    private static final int MAX_ROUNDS = 64;
    /** The bound of the command queue (commands waiting for the stack thread). */
    public static final int MAX_PENDING_COMMANDS = 65536;

    private final Clock clock;
    private final Counters counters = new Counters();
    private final MemoryBudget memory;
    private final ByteBufAllocator alloc;
    private final IpLayer ip;
    private final TcpEngine tcp;
    private final TcpConfig config;
    private final List<Link> links = new ArrayList<>();
    /** One input sink per link, reused for every packet (its time is set before each batch). */
    private final List<LinkInput> inputs = new ArrayList<>();

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCommands = new AtomicInteger();
    private volatile Thread owner;
    private volatile Runnable wakeup = () -> {};
    private volatile boolean closed;
    private long pollNowNs;
    private boolean inPoll;
    /** Whether the last {@link #poll} took packets or ran commands. Stack thread only. */
    private boolean lastPollDidWork;

    private long uncaught;

    private NetStack(Builder b) {
        this.clock = b.clock;
        this.alloc = b.alloc;
        this.config = b.config;
        this.memory = new MemoryBudget(b.memoryBudgetBytes, counters);
        this.ip = new IpLayer(counters, alloc, memory);
        Link loopback = null;
        boolean ownAddresses = false;
        for (NetInterface netif : b.interfaces) {
            addInterface(netif);
            if (netif.address().isLoopback()) {
                loopback = netif.link();
                inputs.get(links.indexOf(loopback)).selfFed = true;
            } else {
                ownAddresses = true;
            }
        }
        if (ownAddresses) {
            // Packets to our own addresses on other links loop back inside the stack (on the loopback link if there
            // is one, else on a link of their own that no interface uses).
            if (loopback == null) {
                loopback = LoopbackLink.inJvm();
                links.add(loopback);
                LinkInput input = new LinkInput(loopback);
                input.selfFed = true;
                inputs.add(input);
                loopback.setWakeup(this::wake);
            }
            ip.setLocalDelivery(loopback);
        }
        this.tcp = new TcpEngine(ip, b.config, counters, new SplittableRandom(b.seed), clock, b.congestionFactory);
    }

    static {
        // Before Netty's first use (the Builder's allocator): the stack needs only java.base.
        io.modtcp.stack.runtime.NettyLogging.ensureJavaBaseOnly();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void addInterface(NetInterface netif) {
        ip.addInterface(netif);
        if (!links.contains(netif.link())) {
            links.add(netif.link());
            inputs.add(new LinkInput(netif.link()));
            netif.link().setWakeup(this::wake);
        }
    }

    public Clock clock() {
        return clock;
    }

    public Counters counters() {
        return counters;
    }

    public TcpEngine tcp() {
        return tcp;
    }

    /** The budget of received data the stack holds (out-of-order queues, unread data in sockets). */
    public MemoryBudget memory() {
        return memory;
    }

    public TcpConfig config() {
        return config;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    public List<NetInterface> interfaces() {
        return ip.interfaces();
    }

    /** A new unconnected, unbound TCP socket. */
    public TcpSocket openSocket() {
        return new TcpSocket(this);
    }

    // ---- the stack thread ----

    /** Makes the calling thread the stack thread (a deterministic test, or {@code StackThread} itself). */
    public void bindToCurrentThread() {
        owner = Thread.currentThread();
    }

    /** True once {@code thread} has made itself the stack thread. */
    public boolean isStackThreadAlive(Thread thread) {
        return owner == thread;
    }

    public boolean isStackThread() {
        return Thread.currentThread() == owner;
    }

    /** Sets what wakes the stack thread when a command or a packet arrives. */
    public void setWakeup(Runnable wakeup) {
        this.wakeup = Objects.requireNonNull(wakeup);
    }

    private void wake() {
        wakeup.run();
    }

    /**
     * Rounds of the stack thread until quiet (at most {@value #MAX_ROUNDS}): received packets, commands, due timers.
     * Never throws for bad input or a failing command; those are counted and logged.
     *
     * <p>Time: {@code nowNs} is the time of the first round; every later round, and every timer check, reads the
     * clock again and moves on by the time that has passed since (STYLE §5: a poll can last long in a cold JVM, and
     * a stale clock stamps old send times and TSvals, RFC 7323 §5.4, and fires timers late). Under a
     * {@link ManualClock} no time passes inside a poll, so a deterministic test sees {@code nowNs} throughout.
     *
     * @return the earliest time at which there is more to do, {@link Long#MIN_VALUE} for "at once", or {@link
     *     Long#MAX_VALUE}
     */
    public long poll(long nowNs) {
        inPoll = true;
        try {
            return pollRounds(nowNs, clock.nanoTime());
        } finally {
            inPoll = false;
        }
    }

    /**
     * The time for work done on the stack thread now: inside {@link #poll} the current round's time, so that every
     * segment of one round carries the same clock and no later one an earlier clock (TSval must not go backwards,
     * RFC 7323 §5.4); otherwise the clock.
     */
    public long nowNs() {
        return inPoll && isStackThread() ? pollNowNs : clock.nanoTime();
    }

    /** {@code nowNs} moved on by the clock's progress since {@code clockStartNs}; never backwards. */
    private long roundTime(long nowNs, long clockStartNs) {
        long t = nowNs + (clock.nanoTime() - clockStartNs);
        return t - pollNowNs > 0 ? t : pollNowNs;
    }

    private long pollRounds(long nowNs, long clockStartNs) {
        pollNowNs = nowNs;
        // Rounds until quiet: handling a packet or a command can put new packets on a link that delivers to
        // this very stack (loopback), and nothing else would wake us for those.
        int work = 0;
        lastPollDidWork = false;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            long now = roundTime(nowNs, clockStartNs);
            pollNowNs = now;
            // Received packets first: an ACK that has arrived is processed before a timer may fire for the data
            // it covers (RFC 6298 §5: the timer is for silence, not for our own backlog).
            boolean drained = true;
            work = 0;
            for (int i = 0; i < links.size(); i++) {
                int n = receiveLink(inputs.get(i), now);
                work += n;
                if (n >= RX_BUDGET) {
                    drained = false;
                }
            }
            work += runCommands();
            // Timers run once every link is drained; under a flood that never drains, in the last round anyway.
            if (drained || round == MAX_ROUNDS - 1) {
                long timerNow = roundTime(nowNs, clockStartNs);
                pollNowNs = timerNow;
                try {
                    tcp.runTimers(timerNow);
                } catch (Throwable e) {
                    uncaught(e);
                }
            } else {
                try {
                    tcp.flushPendingOutput(now);
                } catch (Throwable e) {
                    uncaught(e);
                }
            }
            if (work == 0) {
                break;
            }
            lastPollDidWork = true;
        }
        return work == 0 ? nextEventNs() : Long.MIN_VALUE;
    }

    /**
     * Takes up to {@link #RX_BUDGET} packets from one link, flushing pending output after each batch, until the link
     * is empty: for a loopback, until a receive finds nothing, so that the ACKs a batch flushes back onto it are
     * taken in the same pass, before any timer; for another link, until a batch comes back short.
     */
    private int receiveLink(LinkInput input, long now) {
        input.nowNs = now;
        int total = 0;
        while (total < RX_BUDGET) {
            int n;
            try {
                n = input.link.receive(input, Math.min(RX_BATCH, RX_BUDGET - total), now);
                tcp.flushPendingOutput(now);
            } catch (Throwable e) {
                // The link itself failed (a packet's own failure is caught in LinkInput): count it and go on with
                // the other links; the link is asked again next round.
                uncaught(e);
                break;
            }
            total += n;
            if (n == 0 || (n < RX_BATCH && !input.selfFed)) {
                break;
            }
        }
        return total;
    }

    /** Whether the last {@link #poll} took packets from a link or ran commands (timers alone do not count). */
    public boolean lastPollDidWork() {
        return lastPollDidWork;
    }

    /** The earliest timer or link event; {@code nowNs}-independent. */
    public long nextEventNs() {
        long next = tcp.nextDeadlineNs();
        for (int i = 0; i < links.size(); i++) {
            next = Math.min(next, links.get(i).nextEventNs());
        }
        if (!commands.isEmpty()) {
            return Long.MIN_VALUE;
        }
        return next;
    }

    /** True if a link has packets ready now or commands are queued (the stack thread should not sleep). */
    public boolean hasPendingWork() {
        return !commands.isEmpty();
    }

    private int runCommands() {
        for (int i = 0; i < COMMAND_BATCH; i++) {
            Runnable r = commands.poll();
            if (r == null) {
                return i;
            }
            pendingCommands.decrementAndGet();
            try {
                r.run();
            } catch (Throwable e) {
                uncaught(e);
            }
        }
        return COMMAND_BATCH;
    }

    /**
     * One packet, command, link or timer failed with {@code e}, whatever it is (an {@link OutOfMemoryError} from
     * direct memory, a {@link StackOverflowError}, a bug): the stack counts it and keeps serving every other
     * connection. The packet was released by IP's own {@code finally}; the command is gone. Logged for the first ten
     * only, and never allowed to throw itself (logging can fail under the same memory pressure).
     */
    /** For the thread that drives the stack: something outside {@link #poll}'s own guards threw; counted alike. */
    public void onUncaught(Throwable e) {
        uncaught(e);
    }

    private void uncaught(Throwable e) {
        uncaught++;
        counters.inc(Counter.STACK_UNCAUGHT_ERRORS);
        if (e instanceof Error) {
            counters.inc(Counter.STACK_UNCAUGHT_JVM_ERRORS);
        }
        if (uncaught <= 10) {
            try {
                LOG.log(System.Logger.Level.ERROR, "stack thread caught an error and goes on", e);
            } catch (Throwable ignored) {
                // Counted above; nothing more can be done.
            }
        }
    }

    /**
     * Runs {@code command} on the stack thread: at once when called from it, else queued (FIFO) and the stack woken.
     *
     * @throws IllegalStateException when the stack is closed or the command queue is at its bound
     */
    public void execute(Runnable command) {
        if (isStackThread()) {
            command.run();
            return;
        }
        if (closed) {
            throw new IllegalStateException("stack closed");
        }
        if (pendingCommands.incrementAndGet() > MAX_PENDING_COMMANDS) {
            pendingCommands.decrementAndGet();
            throw new IllegalStateException("stack command queue full (" + MAX_PENDING_COMMANDS + ")");
        }
        commands.add(command);
        wake();
    }

    /** Runs {@code task} on the stack thread and waits for its result; IOExceptions pass through. */
    public <T> T call(IoSupplier<T> task) throws IOException {
        if (isStackThread()) {
            return task.get();
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        execute(() -> {
            try {
                future.complete(task.get());
            } catch (Throwable e) {
                // Every failure reaches the caller (an Error too: the caller must not wait forever for a result).
                future.completeExceptionally(e);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    // The command is already queued and will run; finish waiting, then restore the interrupt.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IOException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A copy of every connection's figures, taken on the stack thread, for a thread of any kind (JMX, a JFR periodic
     * hook): it waits at most {@code timeoutMs} for the stack thread, so a stuck or overloaded stack does not hang
     * the caller.
     *
     * @throws TimeoutException if the stack thread did not answer in time
     * @throws IllegalStateException if the stack is closed or its command queue is full
     */
    public List<io.modtcp.stack.tcp.ConnectionInfo> connectionInfos(long timeoutMs)
            throws TimeoutException, InterruptedException {
        if (isStackThread()) {
            return tcp.connectionInfos();
        }
        if (closed) {
            throw new IllegalStateException("stack closed");
        }
        CompletableFuture<List<io.modtcp.stack.tcp.ConnectionInfo>> future = new CompletableFuture<>();
        execute(() -> {
            try {
                future.complete(tcp.connectionInfos());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("connection table snapshot failed", e.getCause());
        }
    }

    /**
     * Installs the observer of connections' lives and of drops (null: none), on the stack thread (queued when called
     * from another).
     */
    public void setObserver(io.modtcp.stack.tcp.TcpObserver observer, Counters.DropListener drops) {
        execute(() -> {
            tcp.setObserver(observer);
            counters.setDropListener(drops);
        });
    }

    /** A supplier that may throw IOException. */
    @FunctionalInterface
    public interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Like {@link #call} for code that throws no checked exception. */
    public <T> T callUnchecked(Supplier<T> task) {
        try {
            return call(task::get);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes the stack: every connection is reset and its buffers freed, then the links close. Stop the thread that
     * drives the stack ({@code StackThread.close()}) first, or call this from it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Thread previous = owner;
        owner = Thread.currentThread();
        try {
            runCommands();
            tcp.closeAll(clock.nanoTime());
        } catch (Throwable e) {
            uncaught(e);
        } finally {
            owner = previous;
        }
        closed = true;
        for (Link link : links) {
            link.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Hands one link's received packets to IP. */
    private final class LinkInput implements Link.PacketSink {
        final Link link;
        /** A loopback: what the stack sends while handling its packets comes back on it. */
        boolean selfFed;

        long nowNs;

        LinkInput(Link link) {
            this.link = link;
        }

        /** One packet: whatever it throws stays with it (IP releases the packet in its own {@code finally}). */
        @Override
        public void accept(ByteBuf packet) {
            accept(packet, 0);
        }

        /** One packet with the link's offload receive hints: whatever it throws stays with it (as above). */
        @Override
        public void accept(ByteBuf packet, int rxOffload) {
            try {
                ip.input(link, packet, rxOffload, nowNs);
            } catch (Throwable e) {
                uncaught(e);
            }
        }
    }

    /** Builds a {@link NetStack}. */
    public static final class Builder {
        private Clock clock = Clock.SYSTEM;
        private ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        private TcpConfig config = TcpConfig.DEFAULT;
        private long seed = new SplittableRandom().nextLong();
        private CongestionAlgorithm.Factory congestionFactory =
                CongestionAlgorithms.byName(CongestionAlgorithms.DEFAULT);
        private final List<NetInterface> interfaces = new ArrayList<>();
        private long memoryBudgetBytes = MemoryBudget.defaultLimit();

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Builder allocator(ByteBufAllocator alloc) {
            this.alloc = Objects.requireNonNull(alloc);
            return this;
        }

        public Builder config(TcpConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /** The seed of every secret and random choice (ISS keys, ephemeral ports): fixed for reproducible runs. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The stack-wide budget of received data held, in bytes (default {@link MemoryBudget#defaultLimit()}).
         *
         * @throws IllegalArgumentException below {@link MemoryBudget#MIN_LIMIT}
         */
        public Builder memoryBudgetBytes(long bytes) {
            if (bytes < MemoryBudget.MIN_LIMIT) {
                throw new IllegalArgumentException(
                        "memory budget " + bytes + " below the minimum of " + MemoryBudget.MIN_LIMIT + " bytes");
            }
            this.memoryBudgetBytes = bytes;
            return this;
        }

        public Builder congestion(CongestionAlgorithm.Factory factory) {
            this.congestionFactory = Objects.requireNonNull(factory);
            return this;
        }

        /** Adds {@code address/prefixLength} on {@code link}, with an optional gateway (may be null). */
        public Builder addInterface(Link link, IpAddr address, int prefixLength, IpAddr gateway) {
            interfaces.add(new NetInterface(link, address, prefixLength, gateway));
            return this;
        }

        /** Adds the loopback link with 127.0.0.1/8 and ::1/128. */
        public Builder loopback() {
            LoopbackLink lo = LoopbackLink.inJvm();
            addInterface(lo, IpAddr.parseV4("127.0.0.1"), 8, null);
            return addInterface(lo, IpAddr.LOOPBACK6, 128, null);
        }

        public NetStack build() {
            return new NetStack(this);
        }
    }
}

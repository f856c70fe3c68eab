package io.modtcp.provider;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link AsynchronousChannelGroup} of modtcp asynchronous channels, built as the JDK's Unix one
 * ({@code sun.nio.ch.UnixAsynchronousSocketChannelImpl} over a {@code Port}): one event loop thread runs a modtcp
 * {@link Selector} over the group's non-blocking channels and performs the I/O of pending operations when their
 * channels are ready; completion handlers run on the group's thread pool (never on the event loop, never on the thread
 * that initiated the operation); timeouts run on a timer thread made on first use.
 *
 * <p>Termination as the JDK's: after {@link #shutdown()}, no channel can be opened in the group, and once its last
 * channel is closed the event loop ends and the pool is shut down (the tasks already submitted, such as the handlers of
 * operations failed by the closes, still run). {@link #shutdownNow()} closes every channel first.
 */
final class ModTcpAsynchronousChannelGroup extends AsynchronousChannelGroup {
    private static final System.Logger LOG = System.getLogger("io.modtcp.provider");
    private static final AtomicInteger GROUPS = new AtomicInteger();

    /** A channel of this group, as the event loop sees it. */
    interface Member {
        /** The non-blocking modtcp channel registered with the loop's selector. */
        SelectableChannel selectable();

        /** The operations the pending asynchronous operations wait for (0: none). */
        int interestOps();

        /** On the event loop: the selectable channel is ready for {@code readyOps}. */
        void ready(int readyOps);

        /** Set while the member is queued for an interest update. */
        AtomicBoolean queued();

        void close() throws IOException;
    }

    private final ModTcpAsynchronousChannelProvider provider;
    private final ExecutorService executor;
    private final boolean isDefault;
    private final Selector selector;
    private final Thread loop;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private final ConcurrentLinkedQueue<Member> updates = new ConcurrentLinkedQueue<>();
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private volatile boolean shutdown;
    private volatile boolean terminating;
    private ScheduledThreadPoolExecutor timer; // guarded by lock

    ModTcpAsynchronousChannelGroup(
            ModTcpAsynchronousChannelProvider provider, ExecutorService executor, boolean isDefault)
            throws IOException {
        super(provider);
        this.provider = provider;
        this.executor = executor;
        this.isDefault = isDefault;
        this.selector = provider.selectorProvider().openSelector();
        int id = GROUPS.incrementAndGet();
        this.loop = new Thread(this::runLoop, "modtcp-async-loop-" + id);
        loop.setDaemon(true);
        loop.start();
    }

    ModTcpAsynchronousChannelProvider modTcpProvider() {
        return provider;
    }

    // ---- members ----

    /** Adds a new channel; {@link ShutdownChannelGroupException} once the group is shut down (as the JDK's). */
    void join(Member m) {
        synchronized (lock) {
            if (shutdown) {
                throw new ShutdownChannelGroupException();
            }
            members.add(m);
        }
    }

    /** A member closed (after it failed its pending operations): the last one of a shut-down group terminates it. */
    void left(Member m) {
        members.remove(m);
        maybeTerminate();
    }

    /** The member's interest may have changed: the event loop updates its key. */
    void interestChanged(Member m) {
        if (Thread.currentThread() == loop) {
            update(m);
            return;
        }
        if (m.queued().compareAndSet(false, true)) {
            updates.add(m);
            selector.wakeup();
        }
    }

    /** Runs a completion on the pool; {@link ShutdownChannelGroupException} if the pool takes no more tasks. */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            ShutdownChannelGroupException s = new ShutdownChannelGroupException();
            s.initCause(e);
            throw s;
        }
    }

    /** As {@link #execute}, from the event loop or a timer, where nobody could take the exception: logged. */
    void executeQuietly(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "modtcp async: the group's thread pool refused a completion handler",
                    e);
        }
    }

    /** Schedules a timeout; the timer thread is made on first use. */
    ScheduledFuture<?> schedule(Runnable task, long timeout, TimeUnit unit) {
        ScheduledThreadPoolExecutor t;
        synchronized (lock) {
            t = timer;
            if (t == null) {
                ThreadFactory f = r -> {
                    Thread th = new Thread(r, loop.getName().replace("loop", "timer"));
                    th.setDaemon(true);
                    return th;
                };
                t = new ScheduledThreadPoolExecutor(1, f);
                t.setRemoveOnCancelPolicy(true);
                timer = t;
            }
        }
        try {
            return t.schedule(task, timeout, unit);
        } catch (RejectedExecutionException e) {
            ShutdownChannelGroupException s = new ShutdownChannelGroupException();
            s.initCause(e);
            throw s;
        }
    }

    // ---- the event loop ----

    private void runLoop() {
        try {
            while (!terminating) {
                Member m;
                while ((m = updates.poll()) != null) {
                    m.queued().set(false);
                    update(m);
                }
                selector.select(this::dispatch);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "modtcp async: the event loop of " + loop.getName() + " failed", t);
        } finally {
            try {
                selector.close();
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
            loopDone.countDown();
        }
    }

    private void dispatch(SelectionKey k) {
        Member m = (Member) k.attachment();
        int ops;
        try {
            ops = k.readyOps();
        } catch (java.nio.channels.CancelledKeyException e) {
            return; // closed meanwhile: its close failed its pending operations
        }
        try {
            m.ready(ops);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "modtcp async: completing an operation failed", e);
        }
        update(m);
    }

    /** On the loop: the member's key gets the interest of its pending operations. */
    private void update(Member m) {
        SelectableChannel ch = m.selectable();
        if (!ch.isOpen()) {
            return;
        }
        int ops = m.interestOps();
        try {
            SelectionKey k = ch.keyFor(selector);
            if (k == null) {
                if (ops != 0) {
                    ch.register(selector, ops, m);
                }
            } else if (k.isValid() && k.interestOps() != ops) {
                k.interestOps(ops);
            }
        } catch (ClosedChannelException | java.nio.channels.CancelledKeyException e) {
            // closed meanwhile: its close failed its pending operations
        }
    }

    // ---- shutdown ----

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminating && loopDone.getCount() == 0 && executor.isTerminated();
    }

    @Override
    public void shutdown() {
        if (isDefault) {
            // The JDK's default group cannot be shut down (it is never handed out); neither can this one.
            throw new UnsupportedOperationException("the default group cannot be shut down");
        }
        synchronized (lock) {
            shutdown = true;
        }
        maybeTerminate();
    }

    @Override
    public void shutdownNow() throws IOException {
        shutdown();
        for (Member m : members) {
            try {
                m.close();
            } catch (IOException | RuntimeException e) {
                // as the JDK's: closing every channel, whatever one of them says
            }
        }
        maybeTerminate();
    }

    private void maybeTerminate() {
        ScheduledThreadPoolExecutor t;
        synchronized (lock) {
            if (!shutdown || terminating || !members.isEmpty()) {
                return;
            }
            terminating = true;
            t = timer;
        }
        selector.wakeup();
        if (t != null) {
            t.shutdownNow();
        }
        executor.shutdown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!loopDone.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        return terminating
                && executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}

package io.modtcp.provider;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The modtcp {@link AsynchronousChannelProvider}: {@code AsynchronousSocketChannel} and {@code
 * AsynchronousServerSocketChannel} on modtcp (docs/async-channels.md). Each group runs one event loop thread over a
 * modtcp selector ({@link ModTcpAsynchronousChannelGroup}); the channels under the asynchronous ones are those of a
 * {@link ModTcpSelectorProvider}, so what the configuration routes to the kernel ({@code modtcp.kernel}, {@code
 * hostloopback}) goes to the platform's channels as for the synchronous ones.
 *
 * <p>Install it system-wide with {@code
 * -Djava.nio.channels.spi.AsynchronousChannelProvider=io.modtcp.provider.ModTcpAsynchronousChannelProvider} (the agent
 * sets it), or use an instance. The default group, made on first use, has a cached pool of daemon threads; as the
 * JDK's, its thread factory may be named by {@code java.nio.channels.DefaultThreadPool.threadFactory}.
 */
public class ModTcpAsynchronousChannelProvider extends AsynchronousChannelProvider {
    private static final AtomicInteger DEFAULT_THREADS = new AtomicInteger();
    private static volatile AsynchronousChannelProvider platform;

    private final ModTcpSelectorProvider selectors;
    private volatile ModTcpAsynchronousChannelGroup defaultGroup;

    /** Public for the JDK's property loader: the process-wide modtcp runtime. Validates the configuration, boots nothing. */
    public ModTcpAsynchronousChannelProvider() {
        this(new ModTcpSelectorProvider());
    }

    /** Asynchronous channels on the channels of {@code selectors} (and so on its runtime). */
    public ModTcpAsynchronousChannelProvider(ModTcpSelectorProvider selectors) {
        this.selectors = Objects.requireNonNull(selectors);
    }

    /** The provider of the channels under the asynchronous ones. */
    public ModTcpSelectorProvider selectorProvider() {
        return selectors;
    }

    /**
     * The platform's own asynchronous channel provider (a new one on each call to the JDK's factory: this caches it),
     * or null when {@code sun.nio.ch} is not reachable.
     */
    public static AsynchronousChannelProvider platformProvider() {
        AsynchronousChannelProvider p = platform;
        if (p != null) {
            return p;
        }
        p = Privileged.run(() -> {
            try {
                Class<?> c = Class.forName("sun.nio.ch.DefaultAsynchronousChannelProvider");
                Method m = c.getMethod("create");
                return (AsynchronousChannelProvider) m.invoke(null);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // not exported to us
            }
        });
        platform = p;
        return p;
    }

    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(int nThreads, ThreadFactory threadFactory)
            throws IOException {
        if (nThreads <= 0) {
            throw new IllegalArgumentException("'nThreads' must be > 0");
        }
        Objects.requireNonNull(threadFactory, "'threadFactory' is null");
        ExecutorService pool = new ThreadPoolExecutor(
                nThreads, nThreads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory);
        return new ModTcpAsynchronousChannelGroup(this, pool, false);
    }

    /** {@code initialSize} is a hint the JDK uses to start threads for its own I/O; this provider needs none. */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(ExecutorService executor, int initialSize)
            throws IOException {
        Objects.requireNonNull(executor, "'executor' is null");
        return new ModTcpAsynchronousChannelGroup(this, executor, false);
    }

    @Override
    public AsynchronousServerSocketChannel openAsynchronousServerSocketChannel(AsynchronousChannelGroup group)
            throws IOException {
        ModTcpAsynchronousChannelGroup g = toGroup(group);
        ModTcpServerSocketChannel ch = (ModTcpServerSocketChannel) selectors.openServerSocketChannel();
        try {
            return new ModTcpAsynchronousServerSocketChannel(g, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public AsynchronousSocketChannel openAsynchronousSocketChannel(AsynchronousChannelGroup group) throws IOException {
        ModTcpAsynchronousChannelGroup g = toGroup(group);
        ModTcpSocketChannel ch = (ModTcpSocketChannel) selectors.openSocketChannel();
        try {
            return new ModTcpAsynchronousSocketChannel(g, ch, false);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** As the JDK's {@code toPort}: null is the default group; another provider's group is illegal. */
    private ModTcpAsynchronousChannelGroup toGroup(AsynchronousChannelGroup group) throws IOException {
        if (group == null) {
            return defaultGroup();
        }
        if (!(group instanceof ModTcpAsynchronousChannelGroup) || group.provider() != this) {
            throw new IllegalChannelGroupException();
        }
        return (ModTcpAsynchronousChannelGroup) group;
    }

    private ModTcpAsynchronousChannelGroup defaultGroup() throws IOException {
        ModTcpAsynchronousChannelGroup g = defaultGroup;
        if (g != null) {
            return g;
        }
        synchronized (this) {
            if (defaultGroup == null) {
                defaultGroup = new ModTcpAsynchronousChannelGroup(
                        this, Executors.newCachedThreadPool(defaultThreadFactory()), true);
            }
            return defaultGroup;
        }
    }

    /** {@code java.nio.channels.DefaultThreadPool.threadFactory} if set (as the JDK's), else daemon threads. */
    private static ThreadFactory defaultThreadFactory() {
        String name = Privileged.property("java.nio.channels.DefaultThreadPool.threadFactory");
        if (name != null) {
            try {
                Class<?> c = Class.forName(name, true, ClassLoader.getSystemClassLoader());
                return (ThreadFactory) c.getConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new Error(e); // as sun.nio.ch.ThreadPool.getDefaultThreadPoolThreadFactory
            }
        }
        return r -> {
            Thread t = new Thread(r, "modtcp-async-" + DEFAULT_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

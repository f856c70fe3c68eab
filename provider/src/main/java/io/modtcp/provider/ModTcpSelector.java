package io.modtcp.provider;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A selector over modtcp channels. Readiness is level-triggered and comes from the sockets themselves: a socket's
 * readiness listener queues its keys here and unparks the selecting thread, so a selection operation looks only at
 * keys that may be ready (those queued since the last one, and those ready last time), never at every key.
 *
 * <p>{@link #wakeup()} is a volatile write and, only when a thread is selecting, one unpark: no system call, no pipe.
 * Selection operations synchronize on the selector and then on its selected-key set, as the JDK's do; the ready-set
 * rules are the JDK's ({@code sun.nio.ch.SelectorImpl#processReadyEvents}): a key already in the selected-key set
 * accumulates ready operations and counts only if they grew; a key not in it gets its ready set replaced.
 */
final class ModTcpSelector extends AbstractSelector {
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new UngrowableSet(selected);
    private final ConcurrentLinkedQueue<ModTcpSelectionKey> queue = new ConcurrentLinkedQueue<>();
    private final ArrayList<ModTcpSelectionKey> batch = new ArrayList<>();

    private final List<ModTcpSelectionKey> bridged = new ArrayList<>();
    private volatile Selector inner;
    private volatile Thread waiter;
    /** True while a selection operation runs (guarded by this selector's monitor). */
    private boolean inSelect;

    private volatile boolean signalled;
    private volatile boolean wakeupPending;

    ModTcpSelector(SelectorProvider provider) {
        super(provider);
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(null, timeout == 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeout));
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(
                java.util.Objects.requireNonNull(action), timeout == 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeout));
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(java.util.Objects.requireNonNull(action), 0);
    }

    /** @param timeoutNs -1: no timeout; 0: do not wait */
    private int doSelect(Consumer<SelectionKey> action, long timeoutNs) throws IOException {
        synchronized (this) {
            ensureOpen();
            // As sun.nio.ch.SelectorImpl.lockAndDoSelect: the monitors are reentrant, so a selection operation called
            // from inside a select(Consumer) action would otherwise run nested on the same thread.
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                return doSelectLocked(action, timeoutNs);
            } finally {
                inSelect = false;
            }
        }
    }

    /** Under this selector's monitor, {@link #inSelect} set. */
    private int doSelectLocked(Consumer<SelectionKey> action, long timeoutNs) throws IOException {
        synchronized (publicSelected) {
            processCancelled();
            int n;
            boolean blocking = timeoutNs != 0;
            long deadline = timeoutNs > 0 ? System.nanoTime() + timeoutNs : 0;
            if (blocking) {
                begin();
            }
            try {
                waiter = Thread.currentThread();
                while (true) {
                    signalled = false;
                    n = collect(action);
                    if (n != 0
                            || !blocking
                            || wakeupPending
                            || Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    if (n == 0 && lastAnyReady) {
                        // The JDK returns 0 when ready keys are already selected with the same ready ops.
                        break;
                    }
                    Selector in = hasBridged() ? inner : null;
                    if (timeoutNs < 0) {
                        if (!signalled && !wakeupPending) {
                            if (in != null) {
                                in.select();
                            } else {
                                LockSupport.park(this);
                            }
                        }
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        if (!signalled && !wakeupPending) {
                            if (in != null) {
                                in.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                            } else {
                                LockSupport.parkNanos(this, left);
                            }
                        }
                    }
                }
            } finally {
                waiter = null;
                if (blocking) {
                    end();
                }
            }
            processCancelled();
            wakeupPending = false;
            return n;
        }
    }

    private boolean lastAnyReady;

    /** Looks at every queued key; keys still ready go back in the queue (level-triggered). */
    private int collect(Consumer<SelectionKey> action) throws IOException {
        lastAnyReady = false;
        pollBridged();
        ModTcpSelectionKey k;
        while ((k = queue.poll()) != null) {
            batch.add(k);
        }
        int n = 0;
        int i = 0;
        try {
            for (; i < batch.size(); i++) {
                k = batch.get(i);
                k.queued.set(false);
                if (!k.isValid()) {
                    continue;
                }
                int ready = k.translateReadyOps();
                if (ready == 0) {
                    continue;
                }
                enqueue(k);
                lastAnyReady = true;
                if (action != null) {
                    k.setReadyOps(ready);
                    action.accept(k);
                    ensureOpen();
                    n++;
                } else if (selected.contains(k)) {
                    int old = k.readyOpsRaw();
                    if ((ready & ~old) != 0) {
                        k.setReadyOps(old | ready);
                        n++;
                    }
                } else {
                    k.setReadyOps(ready);
                    selected.add(k);
                    n++;
                }
            }
        } finally {
            // An action that threw leaves the rest of the batch unexamined: keep those keys for the next selection.
            for (int j = i + 1; j < batch.size(); j++) {
                ModTcpSelectionKey rest = batch.get(j);
                rest.queued.set(false);
                enqueue(rest);
            }
            batch.clear();
        }
        return n;
    }

    private void enqueue(ModTcpSelectionKey k) {
        if (k.queued.compareAndSet(false, true)) {
            queue.add(k);
        }
    }

    /** A key's readiness or interest may have changed: look at it in the next (or current) selection. */
    void readinessChanged(ModTcpSelectionKey k) {
        enqueue(k);
        signalled = true;
        wakeWaiter();
    }

    /** Wakes the thread in a selection, if any, and the inner selector it may be blocked in. */
    private void wakeWaiter() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
            Selector in = inner;
            if (in != null) {
                in.wakeup();
            }
        }
    }

    private void processCancelled() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            for (SelectionKey key : cancelled) {
                ModTcpSelectionKey k = (ModTcpSelectionKey) key;
                keys.remove(k);
                selected.remove(k);
                unlink(k);
                deregister(k);
            }
            cancelled.clear();
        }
    }

    private void unlink(ModTcpSelectionKey k) {
        if (k.channel != null) {
            k.channel.registrations().remove(k);
        }
        SelectionKey ik = k.inner;
        if (ik != null) {
            ik.cancel();
            try {
                inner.selectNow(); // deregisters it, so the channel may go back to blocking mode
            } catch (IOException e) {
                // the internal selector is closing with this one
            }
            synchronized (bridged) {
                bridged.remove(k);
            }
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        ensureOpen();
        ModTcpSelectionKey k = new ModTcpSelectionKey(ch, this);
        k.attach(att);
        if (ch instanceof ModTcpChannel) {
            ((ModTcpChannel) ch).registrations().add(k);
            if (ch instanceof ModTcpSocketChannel) {
                java.nio.channels.SocketChannel kernel = ((ModTcpSocketChannel) ch).kernel();
                if (kernel != null) {
                    bridge(kernel, k);
                }
            }
        } else {
            bridge(ch, k);
        }
        keys.add(k);
        k.interestOps(ops);
        return k;
    }

    /**
     * A platform channel (delegated: datagram, pipe, UNIX-domain) joins this selector through an internal platform
     * selector. While any is registered, a selection polls the internal selector and waits in it instead of parking
     * (so modtcp readiness and wakeups then also wake the internal selector).
     */
    private void bridge(java.nio.channels.SelectableChannel ch, ModTcpSelectionKey k) {
        if (ch.provider() instanceof ModTcpSelectorProvider) {
            throw new IllegalSelectorException();
        }
        try {
            synchronized (bridged) {
                if (inner == null) {
                    inner = ch.provider().openSelector();
                }
                k.inner = ch.register(inner, k.interestOpsRaw(), k);
                bridged.add(k);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        inner.wakeup();
    }

    /** A registered modtcp channel has just been routed to the kernel: its key now follows the platform channel. */
    void bridgeKernel(ModTcpSelectionKey k, java.nio.channels.SocketChannel kernel) {
        if (k.isValid() && isOpen()) {
            bridge(kernel, k);
            readinessChanged(k);
        }
    }

    /** Polls the internal platform selector: the bridged keys' ready sets, and the ready ones queued. */
    private void pollBridged() throws IOException {
        Selector in = inner;
        if (in == null) {
            return;
        }
        synchronized (bridged) {
            for (ModTcpSelectionKey k : bridged) {
                k.bridgedReady = 0;
            }
        }
        in.selectedKeys().clear();
        in.selectNow();
        for (SelectionKey ik : in.selectedKeys()) {
            ModTcpSelectionKey k = (ModTcpSelectionKey) ik.attachment();
            k.bridgedReady = ik.readyOps();
            enqueue(k);
        }
        in.selectedKeys().clear();
    }

    private boolean hasBridged() {
        synchronized (bridged) {
            return !bridged.isEmpty();
        }
    }

    @Override
    public ModTcpSelector wakeup() {
        if (!wakeupPending) {
            wakeupPending = true;
        }
        wakeWaiter();
        return this;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelected) {
                processCancelled();
                for (SelectionKey key : keys) {
                    ModTcpSelectionKey k = (ModTcpSelectionKey) key;
                    unlink(k);
                    deregister(k);
                }
                keys.clear();
                selected.clear();
                queue.clear();
                Selector in = inner;
                if (in != null) {
                    in.close();
                }
            }
        }
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    /** The selected-key set: removal allowed, addition not (as the JDK's). */
    private static final class UngrowableSet extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> set;

        UngrowableSet(Set<SelectionKey> set) {
            this.set = set;
        }

        @Override
        public int size() {
            return set.size();
        }

        @Override
        public boolean isEmpty() {
            return set.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return set.contains(o);
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return set.iterator();
        }

        @Override
        public boolean remove(Object o) {
            return set.remove(o);
        }

        @Override
        public void clear() {
            set.clear();
        }

        @Override
        public boolean add(SelectionKey k) {
            throw new UnsupportedOperationException();
        }
    }
}

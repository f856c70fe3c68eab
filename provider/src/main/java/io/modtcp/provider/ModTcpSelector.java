package io.modtcp.provider;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
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

    private volatile Thread waiter;
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
                        if (timeoutNs < 0) {
                            if (!signalled && !wakeupPending) {
                                LockSupport.park(this);
                            }
                        } else {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) {
                                break;
                            }
                            if (!signalled && !wakeupPending) {
                                LockSupport.parkNanos(this, left);
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
    }

    private boolean lastAnyReady;

    /** Looks at every queued key; keys still ready go back in the queue (level-triggered). */
    private int collect(Consumer<SelectionKey> action) {
        lastAnyReady = false;
        ModTcpSelectionKey k;
        while ((k = queue.poll()) != null) {
            batch.add(k);
        }
        int n = 0;
        try {
            for (int i = 0; i < batch.size(); i++) {
                k = batch.get(i);
                k.queued.set(false);
                if (!k.isValid()) {
                    continue;
                }
                int ready = k.channel.translateReadyOps(k.interestOpsRaw());
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
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
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
                k.channel.registrations().remove(k);
                deregister(k);
            }
            cancelled.clear();
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof ModTcpChannel)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        ModTcpChannel channel = (ModTcpChannel) ch;
        ModTcpSelectionKey k = new ModTcpSelectionKey(channel, this);
        k.attach(att);
        keys.add(k);
        channel.registrations().add(k);
        k.interestOps(ops);
        return k;
    }

    @Override
    public ModTcpSelector wakeup() {
        if (!wakeupPending) {
            wakeupPending = true;
        }
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
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
                    k.channel.registrations().remove(k);
                    deregister(k);
                }
                keys.clear();
                selected.clear();
                queue.clear();
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

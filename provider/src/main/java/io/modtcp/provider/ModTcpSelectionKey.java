package io.modtcp.provider;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;
import java.util.concurrent.atomic.AtomicBoolean;

/** A registration of a modtcp channel with a {@link ModTcpSelector}. */
final class ModTcpSelectionKey extends AbstractSelectionKey {
    /** The modtcp channel, or null for a bridged platform channel. A modtcp channel routed to the kernel is bridged too. */
    final ModTcpChannel channel;

    final SelectableChannel selectable;
    final ModTcpSelector selector;
    /** For a bridged platform channel: its key with the selector's internal platform selector. */
    volatile SelectionKey inner;
    /** For a bridged platform channel: its ready ops at the last poll of the internal selector. */
    volatile int bridgedReady;
    /** True while this key sits in its selector's queue of keys to look at. */
    final AtomicBoolean queued = new AtomicBoolean();

    private volatile int interestOps;
    private volatile int readyOps;

    ModTcpSelectionKey(SelectableChannel selectable, ModTcpSelector selector) {
        this.selectable = selectable;
        this.channel = selectable instanceof ModTcpChannel ? (ModTcpChannel) selectable : null;
        this.selector = selector;
    }

    @Override
    public SelectableChannel channel() {
        return selectable;
    }

    /** The ready operations among the interest set, now. */
    int translateReadyOps() {
        int interest = interestOps;
        return inner != null ? bridgedReady & interest : channel.translateReadyOps(interest);
    }

    private void interestChanged(int ops) {
        SelectionKey k = inner;
        if (k != null && k.isValid()) {
            k.interestOps(ops);
        }
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel().validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        synchronized (this) {
            interestOps = ops;
            interestChanged(ops);
        }
        readinessChanged();
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        if ((ops & ~channel().validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        int old;
        synchronized (this) {
            old = interestOps;
            interestOps = old | ops;
            interestChanged(old | ops);
        }
        readinessChanged();
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old;
        synchronized (this) {
            old = interestOps;
            interestOps = old & ops;
            interestChanged(old & ops);
        }
        return old;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** Interest ops without the validity check (selector side). */
    int interestOpsRaw() {
        return interestOps;
    }

    int readyOpsRaw() {
        return readyOps;
    }

    void setReadyOps(int ops) {
        readyOps = ops;
    }

    void readinessChanged() {
        selector.readinessChanged(this);
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "ModTcpSelectionKey[channel=" + channel + ", interestOps=" + interestOps + ", readyOps=" + readyOps
                + (isValid() ? "" : ", cancelled") + "]";
    }
}

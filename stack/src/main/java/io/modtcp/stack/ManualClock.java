package io.modtcp.stack;

/** A clock that moves only when told to: deterministic tests and simulations. */
public final class ManualClock implements Clock {
    private volatile long nowNs;

    public ManualClock(long startNs) {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime() {
        return nowNs;
    }

    public void set(long nowNs) {
        this.nowNs = nowNs;
    }

    public void advance(long deltaNs) {
        this.nowNs += deltaNs;
    }
}

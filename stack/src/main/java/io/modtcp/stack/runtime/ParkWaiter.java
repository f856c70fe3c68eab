package io.modtcp.stack.runtime;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The default {@link Waiter}: {@link LockSupport#parkNanos} and {@link LockSupport#unpark}. */
public final class ParkWaiter implements Waiter {
    private volatile Thread thread;
    private volatile boolean parked;

    @Override
    public void bind(Thread stackThread) {
        this.thread = stackThread;
    }

    @Override
    public void await(long timeoutNs, BooleanSupplier idle) {
        parked = true;
        try {
            if (idle.getAsBoolean()) {
                LockSupport.parkNanos(this, timeoutNs);
            }
        } finally {
            parked = false;
        }
    }

    @Override
    public void wake() {
        Thread t = thread;
        // parked is published before the idle check: a waker that reads false here queued its work before that
        // check, which then sees it. An unpark before the park makes the park return at once.
        if (t != null && parked) {
            LockSupport.unpark(t);
        }
    }
}

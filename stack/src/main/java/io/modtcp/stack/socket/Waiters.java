package io.modtcp.stack.socket;

import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads blocked on one socket's state, woken together: what a {@code Condition} of the socket's lock would do,
 * done with {@link LockSupport#park} so that an asynchronous exception ({@code Thread.stop}, JDK 17 only; it throws
 * {@code UnsupportedOperationException} from JDK 20) thrown at a parked waiter leaves nothing behind. A
 * {@code ReentrantLock} condition keeps such a waiter's node in its queue; the next {@code signalAll} moves it to the
 * lock's queue, where it stands before every later locker for good (the next {@code accept} hangs).
 */
final class Waiters {
    /** {@link #await}'s timeout that means none. */
    static final long FOREVER = Long.MAX_VALUE;

    private final ReentrantLock lock;
    /** Guarded by {@link #lock}. */
    private final ArrayList<Thread> threads = new ArrayList<>(2);

    Waiters(ReentrantLock lock) {
        this.lock = lock;
    }

    /** Wakes every waiting thread; the caller holds the lock. */
    void signalAll() {
        for (int i = 0; i < threads.size(); i++) {
            LockSupport.unpark(threads.get(i));
        }
    }

    /**
     * Releases the lock (held once by the caller), parks until {@link #signalAll}, an interrupt, the timeout or a
     * spurious wake-up, and takes the lock back before returning or throwing. The caller checks what it waits for
     * and the thread's interrupt status (which this leaves as it is).
     */
    void await(long timeoutNs) {
        Thread me = Thread.currentThread();
        try {
            threads.add(me);
            lock.unlock();
            if (timeoutNs == FOREVER) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, timeoutNs);
            }
        } finally {
            if (!lock.isHeldByCurrentThread()) {
                lock.lock();
            }
            threads.remove(me);
        }
    }
}

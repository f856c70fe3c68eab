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
    /** Threads waiting for anything but data to read. Guarded by {@link #lock}. */
    private final ArrayList<Thread> threads = new ArrayList<>(2);
    /** Threads waiting in a read: for data, end of stream or an error. Guarded by {@link #lock}. */
    private final ArrayList<Thread> readers = new ArrayList<>(1);

    Waiters(ReentrantLock lock) {
        this.lock = lock;
    }

    /** Wakes every waiting thread; the caller holds the lock. */
    void signalAll() {
        signalAllButReaders();
        for (int i = 0; i < readers.size(); i++) {
            LockSupport.unpark(readers.get(i));
        }
    }

    /**
     * Wakes every waiting thread but those in a read: for a change a read does not wait for (send-buffer space freed
     * by an ACK). A reader woken for nothing costs a round trip two context switches. The caller holds the lock.
     */
    void signalAllButReaders() {
        for (int i = 0; i < threads.size(); i++) {
            LockSupport.unpark(threads.get(i));
        }
    }

    /**
     * Releases the lock (held once by the caller), parks until {@link #signalAll} (or, unless {@code reader},
     * {@link #signalAllButReaders}), an interrupt, the timeout or a
     * spurious wake-up, and takes the lock back before returning or throwing. The caller checks what it waits for
     * and the thread's interrupt status (which this leaves as it is).
     */
    void await(long timeoutNs, boolean reader) {
        Thread me = Thread.currentThread();
        ArrayList<Thread> list = reader ? readers : threads;
        try {
            list.add(me);
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
            list.remove(me);
        }
    }
}

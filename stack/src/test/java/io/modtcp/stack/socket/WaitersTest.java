package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A socket's waiters: {@code signalAll} wakes readers and the others; {@code signalAllButReaders} (an ACK freeing
 * send-buffer space) wakes the others and leaves a reader parked.
 */
@Timeout(30)
class WaitersTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final Waiters waiters = new Waiters(lock);

    /** A thread that waits once (forever) and counts down when it is back. */
    private Thread waiter(boolean reader, CountDownLatch back) {
        Thread t = new Thread(() -> {
            lock.lock();
            try {
                waiters.await(Waiters.FOREVER, reader);
            } finally {
                lock.unlock();
            }
            back.countDown();
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void shouldWakeTheOthersButNotAReaderOnSignalAllButReaders() throws Exception {
        CountDownLatch readerBack = new CountDownLatch(1);
        CountDownLatch writerBack = new CountDownLatch(1);
        Thread reader = waiter(true, readerBack);
        Thread writer = waiter(false, writerBack);
        awaitParked(reader);
        awaitParked(writer);

        locked(waiters::signalAllButReaders);
        assertTrue(writerBack.await(10, TimeUnit.SECONDS), "the writer is woken");
        // The reader stays parked (it was never unparked: only a spurious wake-up could return it).
        assertFalse(readerBack.await(100, TimeUnit.MILLISECONDS), "the reader is not woken");
        assertEquals(Thread.State.WAITING, reader.getState());

        locked(waiters::signalAll);
        assertTrue(readerBack.await(10, TimeUnit.SECONDS), "signalAll wakes the reader");
    }

    @Test
    void shouldWakeEveryoneOnSignalAll() throws Exception {
        CountDownLatch back = new CountDownLatch(2);
        Thread reader = waiter(true, back);
        Thread writer = waiter(false, back);
        awaitParked(reader);
        awaitParked(writer);
        locked(waiters::signalAll);
        assertTrue(back.await(10, TimeUnit.SECONDS));
        // Both left their lists: a later signal has nobody to wake and the lock is free.
        assertFalse(lock.isLocked());
    }
}

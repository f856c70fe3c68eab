package io.modtcp.stack.runtime;

import io.modtcp.stack.NetStack;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The real-time driver of a {@link NetStack}: one daemon thread that reads the clock once per round, polls the stack
 * and parks until the next deadline or a wake-up (a command queued, a packet arrived). It never dies of an error in
 * a command or a packet: the stack counts and logs those.
 */
public final class StackThread implements AutoCloseable {
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NetStack stack;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean parked;

    public StackThread(NetStack stack, String name) {
        this.stack = stack;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        stack.setWakeup(this::wake);
    }

    /** Starts the thread and returns once it owns the stack. */
    public StackThread start() {
        thread.start();
        while (!stack.isStackThreadAlive(thread)) {
            Thread.onSpinWait();
        }
        return this;
    }

    private void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        stack.bindToCurrentThread();
        while (running) {
            long now = stack.clock().nanoTime();
            long next = stack.poll(now);
            if (next == Long.MIN_VALUE || stack.hasPendingWork()) {
                continue;
            }
            long wait = next == Long.MAX_VALUE
                    ? MAX_PARK_NS
                    : Math.min(MAX_PARK_NS, next - stack.clock().nanoTime());
            if (wait > 0) {
                parked = true;
                if (!stack.hasPendingWork()) {
                    LockSupport.parkNanos(this, wait);
                }
                parked = false;
            }
        }
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

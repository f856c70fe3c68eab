package io.modtcp.stack.runtime;

import io.modtcp.stack.NetStack;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The real-time driver of a {@link NetStack}: one daemon thread that reads the clock once per round, polls the stack
 * and waits (through its {@link Waiter}) until the next deadline or a wake-up (a command queued, a packet arrived). It never dies of an error in
 * a command or a packet: the stack counts and logs those. With an {@link IdleSpin} it first keeps polling for a
 * short while after a round that did work, so that the answer to what it just delivered needs no wake-up.
 */
public final class StackThread implements AutoCloseable {
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NetStack stack;
    private final Thread thread;
    private final Waiter waiter;
    private final IdleSpin spin;
    private volatile boolean running = true;
    /** Asked by the waiter after it has published that it waits: one object, not a lambda per round. */
    private final BooleanSupplier idle = this::isIdle;

    public StackThread(NetStack stack, String name) {
        this(stack, name, new ParkWaiter());
    }

    /**
     * A stack thread that does not spin.
     *
     * @param waiter how the thread sleeps between rounds and is woken (e.g. {@code poll(2)} on a TUN device); this
     *     thread closes it
     */
    public StackThread(NetStack stack, String name, Waiter waiter) {
        this(stack, name, waiter, 0);
    }

    /**
     * @param waiter how the thread sleeps between rounds and is woken (e.g. {@code poll(2)} on a TUN device); this
     *     thread closes it
     * @param spinNs how long the thread keeps polling after a round that did work before it waits ({@link IdleSpin});
     *     0 for never
     */
    public StackThread(NetStack stack, String name, Waiter waiter, long spinNs) {
        this.stack = stack;
        this.waiter = waiter;
        this.spin = new IdleSpin(spinNs);
        // A FastThreadLocalThread: Netty's recycler keeps the buffer objects this thread allocates and releases itself
        // in a plain per-thread array for such threads only; for a plain thread every recycled object goes through a
        // chunked MPSC queue that allocates a new chunk each time it fills (LoopbackAllocationTest).
        this.thread = new FastThreadLocalThread(this::run, name);
        this.thread.setDaemon(true);
        waiter.bind(thread);
        stack.setWakeup(waiter::wake);
    }

    /** Starts the thread and returns once it owns the stack. */
    public StackThread start() {
        FlightRecorderSupport.initNettyPoolEvents();
        thread.start();
        while (!stack.isStackThreadAlive(thread)) {
            Thread.onSpinWait();
        }
        return this;
    }

    private void run() {
        stack.bindToCurrentThread();
        while (running) {
            try {
                round();
            } catch (Throwable e) {
                // poll() catches per packet and per command; this is the last line for anything else (the waiter,
                // the clock). The thread must not die: every connection of the JVM depends on it.
                stack.onUncaught(e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // not the waiter: it may be what failed
            }
        }
    }

    private void round() {
        long now = stack.clock().nanoTime();
        long next = stack.poll(now);
        if (next == Long.MIN_VALUE || stack.hasPendingWork()) {
            return;
        }
        if (spin.pollAgain(stack.lastPollDidWork(), stack.clock().nanoTime())) {
            // Not onSpinWait: on a machine with few CPUs the thread that should answer may be waiting for this one.
            Thread.yield();
            return;
        }
        long wait = next == Long.MAX_VALUE
                ? MAX_PARK_NS
                : Math.min(MAX_PARK_NS, next - stack.clock().nanoTime());
        if (wait > 0) {
            waiter.await(wait, idle);
        }
    }

    private boolean isIdle() {
        return running && !stack.hasPendingWork();
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        running = false;
        waiter.wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            waiter.close();
        }
    }
}

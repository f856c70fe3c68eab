package io.modtcp.stack.runtime;

import java.util.function.BooleanSupplier;

/**
 * How the {@link StackThread} sleeps between rounds and how other threads wake it. The default,
 * {@link ParkWaiter}, parks the thread; a link backed by a file descriptor (a TUN device, a UNIX socket) plugs in a
 * waiter that blocks in {@code poll(2)} on its descriptors plus a wake-up descriptor, so a packet arriving wakes the
 * stack thread directly, with no thread hand-off per packet.
 *
 * <p>{@link #await} is called by the stack thread only; {@link #wake} from any thread, any number of times. No wake-up
 * may be lost: an implementation first publishes that it is about to wait, then asks {@code idle} whether there is
 * still nothing to do, and only then blocks; {@link #wake} may skip its work (a syscall) while nobody waits.
 */
public interface Waiter extends AutoCloseable {
    /**
     * Waits until {@code timeoutNs} has passed, {@link #wake} is called, or (for I/O waiters) a watched descriptor is
     * ready; returns at once if {@code idle}, asked after the waiter has published that it waits, is false. May
     * return early for no reason.
     */
    void await(long timeoutNs, BooleanSupplier idle);

    /** Makes a current or imminent {@link #await} return. Safe from any thread. */
    void wake();

    /** Binds the waiter to the thread that will call {@link #await}; called once by the stack thread at start. */
    default void bind(Thread stackThread) {}

    /** Releases what the waiter holds (descriptors); the default holds nothing. */
    @Override
    default void close() {}
}

package io.modtcp.stack.timer;

/**
 * Called by {@link TimerWheel#poll} for each timer that expires.
 *
 * @param <T> the owner type attached to each timer
 */
@FunctionalInterface
public interface TimerHandler<T> {
    /**
     * One timer expired. The timer is already removed: {@code handle} can no longer be cancelled. The handler may
     * schedule and cancel other timers on the same wheel (but not poll it). A timer it schedules for a tick the poll
     * has already reached fires on a later poll, not this one, so a handler that re-arms itself at {@code nowNs}
     * cannot spin; one scheduled for a later tick that is still due by {@code nowNs} fires in this poll, in tick
     * order.
     *
     * @param owner the owner given to {@link TimerWheel#schedule}
     * @param handle the handle {@link TimerWheel#schedule} returned
     * @param nowNs the time given to {@link TimerWheel#poll}
     */
    void onExpiry(T owner, long handle, long nowNs);
}

/**
 * Timers for the stack thread: {@link io.modtcp.stack.timer.TimerWheel}, a hashed timing wheel with O(1) schedule
 * and cancel and an exact next deadline.
 *
 * <p>Owns: the pending timers (deadline, owner, generation) of one stack. Not thread-safe: one stack thread owns a
 * wheel. Time is a parameter ({@code nowNs}); nothing here reads a clock.
 *
 * <p>Read before touching: Varghese and Lauck, "Hashed and Hierarchical Timing Wheels" (SOSP 1987); Agrona's
 * {@code DeadlineTimerWheel}, whose handle and poll shape this follows.
 */
package io.modtcp.stack.timer;

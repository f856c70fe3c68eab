package io.modtcp.stack;

/** The stack's only source of time. Production uses {@link #SYSTEM}; tests use a {@link ManualClock}. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanoTime();
}

package io.modtcp.stack.runtime;

/**
 * Whether the {@link StackThread} polls again at once instead of sleeping: for {@code spinNs} after a round that did
 * work (took packets or ran commands), it keeps polling (yielding the CPU between rounds) before it blocks. A request
 * answered by an application thread comes back as a command a few microseconds after the stack thread delivered it;
 * caught while the stack thread still polls, it costs no {@code eventfd} write and no wake-up of a sleeping thread
 * (on these machines a wake-up on the other vCPU costs 15–20 µs, more than a kernel round trip). The price is CPU:
 * up to {@code spinNs} of polling after each burst of work. 0 turns it off.
 *
 * <p>Pure: the time is passed in, so a test steps it (IdleSpinTest). Used by the stack thread only.
 */
public final class IdleSpin {
    /** The longest spin accepted: longer is a busy loop, not a spin. */
    public static final long MAX_SPIN_NS = 1_000_000;

    private final long spinNs;
    /** Polling goes on until this time; meaningful while {@link #spinning}. */
    private long spinUntilNs;

    private boolean spinning;

    /**
     * @param spinNs how long to keep polling after the last round that did work, 0..{@value #MAX_SPIN_NS} ns
     * @throws IllegalArgumentException out of that range
     */
    public IdleSpin(long spinNs) {
        if (spinNs < 0 || spinNs > MAX_SPIN_NS) {
            throw new IllegalArgumentException("spin of " + spinNs + " ns out of range 0.." + MAX_SPIN_NS);
        }
        this.spinNs = spinNs;
    }

    public long spinNs() {
        return spinNs;
    }

    /**
     * After a poll: true if the stack thread should poll again now rather than wait. A round that did work (re)starts
     * the spin; a quiet round continues it until {@code spinNs} after the last work, then ends it.
     *
     * @param didWork whether the poll took packets or ran commands
     * @param nowNs the time after the poll
     */
    public boolean pollAgain(boolean didWork, long nowNs) {
        if (spinNs == 0) {
            return false;
        }
        if (didWork) {
            spinning = true;
            spinUntilNs = nowNs + spinNs;
            return true;
        }
        if (spinning && spinUntilNs - nowNs > 0) {
            return true;
        }
        spinning = false;
        return false;
    }
}

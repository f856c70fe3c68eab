package io.modtcp.provider;

import java.nio.channels.spi.SelectorProvider;

/**
 * Faults of the process-wide modtcp stack (the one the agent installs) set and cleared while the program runs, e.g.
 * per test: {@code ModTcpFaults.set("loss=2%,seed=42")}, the test's traffic, {@code ModTcpFaults.counters()}, {@code
 * ModTcpFaults.clear()}. The keys are the agent's ({@link FaultSpec}); docs/faults.md. Safe from any thread: each call
 * hands the change to the stack thread and returns once it is in effect for the next packet sent.
 */
public final class ModTcpFaults {
    private ModTcpFaults() {}

    /**
     * True when this JVM's TCP runs on modtcp: the system-wide {@link SelectorProvider} is modtcp's (the agent, or the
     * {@code java.nio.channels.spi.SelectorProvider} property). Boots nothing.
     */
    public static boolean active() {
        return SelectorProvider.provider() instanceof ModTcpSelectorProvider;
    }

    /**
     * Applies {@code spec} to every link of the process-wide stack; the counters start from zero.
     *
     * @throws IllegalStateException when modtcp is not active in this JVM ({@link #active()})
     */
    public static void set(FaultSpec spec) {
        runtime().setFaults(spec);
    }

    /**
     * Parses and applies {@code spec}, e.g. {@code loss=2%,delay=10ms,seed=42}.
     *
     * @throws IllegalArgumentException naming the key for a bad value
     * @throws IllegalStateException when modtcp is not active in this JVM
     */
    public static void set(String spec) {
        set(FaultSpec.parse(spec));
    }

    /** Removes every fault (packets already held for delay still leave on time); the counters start from zero. */
    public static void clear() {
        set(FaultSpec.NONE);
    }

    /** The faults in effect, with the seed of their draws. */
    public static FaultSpec current() {
        return runtime().faults();
    }

    /** What the faults did since they were last set or cleared, and the retransmissions since. */
    public static FaultCounters counters() {
        return runtime().faultCounters();
    }

    private static ModTcpRuntime runtime() {
        if (!active()) {
            throw new IllegalStateException("modtcp is not active in this JVM (the SelectorProvider is "
                    + SelectorProvider.provider().getClass().getName()
                    + "): run it with -javaagent:modtcp-agent.jar (for a test: surefire's argLine)");
        }
        return ModTcpRuntime.get();
    }
}

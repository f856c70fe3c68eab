package io.modtcp.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test under network faults on modtcp, the user-space TCP stack the test JVM runs on ({@code
 * -javaagent:modtcp-agent.jar} in surefire's {@code argLine}): every TCP packet the JVM sends, over the in-JVM loopback
 * or a TUN device, meets the faults. On a test method, or on a class for each of its tests (a method's own annotation
 * wins); the faults are set before each test ({@code @BeforeEach} methods included) and cleared after it, and the
 * counters start from zero for each test. A test (or a lifecycle method) may take a {@link ModTcpFaultCounters}
 * parameter to assert on them.
 *
 * <pre>{@code
 * @Test
 * @ModTcpFaults(loss = 0.02, seed = 42)
 * void survivesTwoPercentLoss(ModTcpFaultCounters faults) throws Exception {
 *     ... the application's own traffic ...
 *     assertTrue(faults.lostFirstSends() > 0);
 * }
 * }</pre>
 *
 * The values are the agent keys' (docs/faults.md), checked the same way: a bad one fails the test with a message that
 * names the key. Without the agent the test fails, saying so.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ModTcpFaultsExtension.class)
public @interface ModTcpFaults {
    /** The seed value that means "the stack's seed" (the agent's {@code seed} key, else one chosen at boot). */
    long STACK_SEED = Long.MIN_VALUE;

    /**
     * More keys in the agent's form, applied after the attributes below, e.g. {@code "loss=2%,delay=10ms"} (the
     * attributes set to their defaults are not applied).
     */
    String value() default "";

    /** Probability a packet is lost, 0..1 (key {@code loss}). */
    double loss() default 0;

    /** Probability a packet is delivered twice, 0..1 (key {@code duplicate}). */
    double duplicate() default 0;

    /** Probability a packet leaves FIFO order and waits {@link #reorderDelay()} more, 0..1 (key {@code reorder}). */
    double reorder() default 0;

    /** Probability one bit of a packet is flipped, 0..1 (key {@code corrupt}). */
    double corrupt() default 0;

    /** One-way delay of every packet, e.g. {@code "10ms"} (key {@code delay}). */
    String delay() default "";

    /** Extra delay, uniform in [0, jitter], e.g. {@code "2ms"} (key {@code jitter}). */
    String jitter() default "";

    /** The extra delay of a reordered packet, e.g. {@code "5ms"} (key {@code reorder_delay}, default 1ms). */
    String reorderDelay() default "";

    /** Link rate, e.g. {@code "100mbit"} (key {@code rate}). */
    String rate() default "";

    /** Whether loss and the other rates also hit pure ACKs (key {@code fault_acks}). */
    boolean faultAcks() default false;

    /** The seed of the fault draws; {@link #STACK_SEED} for the stack's. */
    long seed() default STACK_SEED;
}

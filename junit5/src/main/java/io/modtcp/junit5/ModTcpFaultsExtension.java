package io.modtcp.junit5;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import java.util.StringJoiner;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link ModTcpFaults}: sets the faults before each test, clears them after, and resolves
 * {@link ModTcpFaultCounters} parameters. Registered by the annotation; usable with {@code @ExtendWith} alone for the
 * counters (no faults are then set).
 */
public final class ModTcpFaultsExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ModTcpFaultsExtension.class);
    private static final String SET = "set";

    /** The message when the test JVM does not run on modtcp. */
    static final String NOT_ACTIVE = "@ModTcpFaults needs the test JVM to run on modtcp: add"
            + " -javaagent:/path/to/modtcp-agent.jar to the test JVM's arguments (Maven: surefire's argLine;"
            + " Gradle: test { jvmArgs }); docs/faults.md";

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<ModTcpFaults> annotation = find(context);
        if (annotation.isEmpty()) {
            return;
        }
        String spec = spec(annotation.get());
        checkActive();
        try {
            AgentBridge.set(spec);
        } catch (IllegalArgumentException e) {
            // A bad value: the message starts with modtcp.KEY, as at the agent's start-up.
            throw new ExtensionConfigurationException("@ModTcpFaults: " + e.getMessage(), e);
        }
        context.getStore(NS).put(SET, Boolean.TRUE);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getStore(NS).remove(SET) != null) {
            AgentBridge.clear();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ModTcpFaultCounters.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        checkActive();
        return new LiveCounters();
    }

    /** The method's annotation, else the nearest class's (enclosing classes of a {@code @Nested} test included). */
    private static Optional<ModTcpFaults> find(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        Optional<ModTcpFaults> found = element.flatMap(e -> AnnotationSupport.findAnnotation(e, ModTcpFaults.class));
        Optional<ExtensionContext> c = context.getParent();
        while (found.isEmpty() && c.isPresent()) {
            found = c.get().getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, ModTcpFaults.class));
            c = c.get().getParent();
        }
        return found;
    }

    /** The annotation in the agent's key form; attributes at their defaults are left out. */
    static String spec(ModTcpFaults a) {
        StringJoiner j = new StringJoiner(",");
        if (a.loss() != 0) {
            j.add("loss=" + plain(a.loss()));
        }
        if (a.duplicate() != 0) {
            j.add("duplicate=" + plain(a.duplicate()));
        }
        if (a.reorder() != 0) {
            j.add("reorder=" + plain(a.reorder()));
        }
        if (a.corrupt() != 0) {
            j.add("corrupt=" + plain(a.corrupt()));
        }
        if (!a.delay().isEmpty()) {
            j.add("delay=" + a.delay());
        }
        if (!a.jitter().isEmpty()) {
            j.add("jitter=" + a.jitter());
        }
        if (!a.reorderDelay().isEmpty()) {
            j.add("reorder_delay=" + a.reorderDelay());
        }
        if (!a.rate().isEmpty()) {
            j.add("rate=" + a.rate());
        }
        if (a.faultAcks()) {
            j.add("fault_acks=on");
        }
        if (a.seed() != ModTcpFaults.STACK_SEED) {
            j.add("seed=" + a.seed());
        }
        if (!a.value().isBlank()) {
            j.add(a.value());
        }
        return j.toString();
    }

    /** A double without an exponent (the keys take {@code 0.0001}, not {@code 1.0E-4}). */
    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).toPlainString();
    }

    private static void checkActive() {
        boolean active;
        try {
            active = AgentBridge.active();
        } catch (LinkageError e) {
            throw new ExtensionConfigurationException(
                    NOT_ACTIVE + " (modtcp's classes are not in this JVM: " + e + ")");
        }
        if (!active) {
            throw new ExtensionConfigurationException(NOT_ACTIVE + " (the SelectorProvider is not modtcp's)");
        }
    }

    /** Reads the current counters on each call. */
    private static final class LiveCounters implements ModTcpFaultCounters {
        private static long get(int i) {
            return AgentBridge.counters()[i];
        }

        @Override
        public long sent() {
            return get(0);
        }

        @Override
        public long lost() {
            return get(1);
        }

        @Override
        public long lostFirstSends() {
            return get(2);
        }

        @Override
        public long lostFingerprint() {
            return get(3);
        }

        @Override
        public long duplicated() {
            return get(4);
        }

        @Override
        public long reordered() {
            return get(5);
        }

        @Override
        public long corrupted() {
            return get(6);
        }

        @Override
        public long queueDrops() {
            return get(7);
        }

        @Override
        public long retransmits() {
            return get(8);
        }

        @Override
        public String faults() {
            return AgentBridge.current();
        }

        @Override
        public String toString() {
            long[] c = AgentBridge.counters();
            return "ModTcpFaultCounters[faults=" + faults() + ", sent=" + c[0] + ", lost=" + c[1] + ", lostFirstSends="
                    + c[2] + ", lostFingerprint=" + c[3] + ", duplicated=" + c[4] + ", reordered=" + c[5]
                    + ", corrupted=" + c[6] + ", queueDrops=" + c[7] + ", retransmits=" + c[8] + "]";
        }
    }
}

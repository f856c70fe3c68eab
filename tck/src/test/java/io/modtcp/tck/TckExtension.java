package io.modtcp.tck;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * Runs each {@link Behaviour} once per selected implementation ({@code -Dtck.impls=a,b}, default all), hands it a
 * {@link Tck}, records each outcome in the {@link Matrix}, and closes the implementations and writes the matrix when
 * the whole run ends.
 *
 * <p>With {@code -Dtck.threads=virtual} (JDK 21 and later) each behaviour's own thread is a virtual thread, so the kit
 * checks blocking, timeouts and interrupts as virtual-thread programs see them (against the platform on virtual
 * threads as the reference).
 *
 * <p>An implementation that cannot run here (modtcp-tun without root) skips its behaviours with the reason; under
 * {@code CI=true} that is a failure instead, never a silent skip.
 */
public final class TckExtension implements TestTemplateInvocationContextProvider, TestWatcher, InvocationInterceptor {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TckExtension.class);
    private static final boolean CI = "true".equals(System.getenv("CI"));
    /** An {@link Implementation}, or the exception that made it unavailable; guarded by the class. */
    private static final Map<String, Object> IMPLEMENTATIONS = new LinkedHashMap<>();

    static List<String> selected() {
        String p = System.getProperty("tck.impls", String.join(",", Implementation.NAMES));
        List<String> names = new ArrayList<>();
        for (String n : p.split(",")) {
            if (!n.isBlank()) {
                if (!Implementation.NAMES.contains(n.trim())) {
                    throw new IllegalArgumentException(
                            "tck.impls: unknown implementation " + n + " (known: " + Implementation.NAMES + ")");
                }
                names.add(n.trim());
            }
        }
        return names;
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod()
                .map(m -> m.isAnnotationPresent(Behaviour.class))
                .orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        // The run-wide state: closed (implementations, then the matrix written) when the whole run ends.
        context.getRoot().getStore(NS).getOrComputeIfAbsent(RunEnd.class, k -> new RunEnd(), RunEnd.class);
        return selected().stream().map(ImplInvocation::new);
    }

    private static Implementation implementation(String name) {
        synchronized (TckExtension.class) {
            Object o = IMPLEMENTATIONS.get(name);
            if (o == null) {
                try {
                    o = Implementation.create(name);
                } catch (Exception | Error e) {
                    o = e;
                }
                IMPLEMENTATIONS.put(name, o);
            }
            if (o instanceof Implementation impl) {
                return impl;
            }
            Throwable why = (Throwable) o;
            String reason = name + " is unavailable here: " + why;
            if (CI) {
                throw new AssertionError(reason + " (CI=true: a missing capability is a failure)", why);
            }
            throw new TestAbortedException(reason);
        }
    }

    /** One implementation's run of a behaviour. */
    private static final class ImplInvocation implements TestTemplateInvocationContext {
        private final String impl;

        ImplInvocation(String impl) {
            this.impl = impl;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return impl;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new Resolver(impl));
        }
    }

    /** Makes the invocation's {@link Tck} (before each, so an unavailable implementation skips) and closes it after. */
    private static final class Resolver implements ParameterResolver, BeforeEachCallback {
        private final String impl;

        Resolver(String impl) {
            this.impl = impl;
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            Tck tck = new Tck(implementation(impl));
            context.getStore(NS).put(Tck.class, tck); // closed with the invocation (an AutoCloseable in the store)
        }

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
            return p.getParameter().getType() == Tck.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext context) {
            return context.getStore(NS).get(Tck.class, Tck.class);
        }
    }

    // --- the thread a behaviour runs on ---

    static boolean virtualThreads() {
        return "virtual".equals(System.getProperty("tck.threads", "platform"));
    }

    @Override
    public void interceptTestTemplateMethod(
            Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext)
            throws Throwable {
        if (!virtualThreads()) {
            invocation.proceed();
            return;
        }
        Throwable[] failure = new Throwable[1];
        Runnable body = () -> {
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure[0] = t;
            }
        };
        Thread vt = startVirtualThread(body);
        vt.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** {@code Thread.startVirtualThread(body)}, looked up at run time: the kit compiles for Java 17. */
    private static Thread startVirtualThread(Runnable body) {
        try {
            return (Thread)
                    Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, body);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "tck.threads=virtual needs JDK 21 or later (this is " + Runtime.version() + ")", e);
        }
    }

    // --- the matrix ---

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, Matrix.Outcome.PASS, null);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, Matrix.Outcome.FAIL, cause);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, Matrix.Outcome.SKIP, cause);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        // Disabled behaviours are not part of the kit.
    }

    private static void record(ExtensionContext context, Matrix.Outcome outcome, Throwable cause) {
        Method m = context.getRequiredTestMethod();
        Class<?> c = context.getRequiredTestClass();
        Matrix.INSTANCE.record(Matrix.group(c), Matrix.behaviour(m), context.getDisplayName(), outcome, cause);
    }

    /** Closes the implementations and writes the matrix when the run ends. */
    private static final class RunEnd implements AutoCloseable {
        @Override
        public void close() {
            synchronized (TckExtension.class) {
                for (Object o : IMPLEMENTATIONS.values()) {
                    if (o instanceof Implementation impl) {
                        try {
                            impl.close();
                        } catch (RuntimeException e) {
                            System.err.println("TCK: closing " + impl + ": " + e);
                        }
                    }
                }
                IMPLEMENTATIONS.clear();
            }
            Matrix.INSTANCE.write(selected());
        }
    }
}

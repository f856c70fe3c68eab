package io.modtcp.provider;

import java.lang.reflect.Method;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JDK's own selector provider, for what modtcp delegates (datagram channels, pipes, UNIX-domain channels). It
 * lives in the non-exported {@code sun.nio.ch}: reachable when the agent has opened that package to us
 * ({@code Instrumentation.redefineModule}) or the JVM runs with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED};
 * otherwise, when modtcp is not the system-wide provider, {@link SelectorProvider#provider()} is the platform's.
 * Never called from the provider's constructor (there {@code SelectorProvider.provider()} is still being initialised).
 */
final class PlatformProvider {
    private static volatile SelectorProvider cached;

    private PlatformProvider() {}

    /** The platform provider, or null if it cannot be reached. */
    static SelectorProvider find() {
        SelectorProvider p = cached;
        if (p != null) {
            return p;
        }
        p = Privileged.run(PlatformProvider::viaDefaultSelectorProvider);
        if (p == null) {
            SelectorProvider system = SelectorProvider.provider();
            if (system != null && !(system instanceof ModTcpSelectorProvider)) {
                p = system;
            }
        }
        cached = p;
        return p;
    }

    /** The platform provider, or an exception saying how to make it reachable. */
    static SelectorProvider get() {
        SelectorProvider p = find();
        if (p == null) {
            throw new UnsupportedOperationException("modtcp delegates this channel to the platform provider, which is"
                    + " not reachable: use the -javaagent or add --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return p;
    }

    private static SelectorProvider viaDefaultSelectorProvider() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            for (String name : new String[] {"get", "create"}) {
                try {
                    Method m = c.getMethod(name);
                    Object o = m.invoke(null);
                    if (o instanceof SelectorProvider) {
                        return (SelectorProvider) o;
                    }
                } catch (NoSuchMethodException e) {
                    // try the next name (JDK 11 had create())
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not exported to us
        }
        return null;
    }
}

package io.modtcp.stack.runtime;

import io.modtcp.stack.NetStack;

/**
 * The indirection in front of the JFR events ({@code io.modtcp.stack.jfr}): the stack needs only {@code java.base},
 * and {@code jdk.jfr} is a module of its own that a runtime may leave out ({@code --limit-modules java.base}, a
 * jlinked image). The event classes are loaded by name, and only when that module is in the boot layer.
 */
public final class FlightRecorderSupport {
    private static final String OBSERVER = "io.modtcp.stack.jfr.JfrObserver";

    private FlightRecorderSupport() {}

    /** True when the {@code jdk.jfr} module is present, so the events can be installed. */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /**
     * True when a flight recorder is already running in this JVM ({@code -XX:StartFlightRecording}, a recording
     * started earlier): then {@link #install} attaches at once and should run before the first connection.
     */
    public static boolean recorderInitialized() {
        if (!available()) {
            return false;
        }
        try {
            return (Boolean) Class.forName("jdk.jfr.FlightRecorder")
                    .getMethod("isInitialized")
                    .invoke(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Installs the {@code io.modtcp.*} JFR events on {@code stack} (they cost an enabled check each while no recording
     * wants them). Returns what takes them off again, or null when {@code jdk.jfr} is absent or JFR refused.
     */
    public static AutoCloseable install(NetStack stack) {
        if (!available()) {
            return null;
        }
        try {
            return (AutoCloseable) Class.forName(OBSERVER, true, FlightRecorderSupport.class.getClassLoader())
                    .getMethod("install", NetStack.class)
                    .invoke(null, stack);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            System.getLogger("io.modtcp.stack")
                    .log(System.Logger.Level.WARNING, "modtcp: JFR events not installed: " + e, e);
            return null;
        }
    }
}

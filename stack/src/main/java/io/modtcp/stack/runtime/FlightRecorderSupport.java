package io.modtcp.stack.runtime;

import io.modtcp.stack.NetStack;

/**
 * The indirection in front of the JFR events ({@code io.modtcp.stack.jfr}): the stack needs only {@code java.base},
 * and {@code jdk.jfr} is a module of its own that a runtime may leave out ({@code --limit-modules java.base}, a
 * jlinked image). The event classes are loaded by name, and only when that module is in the boot layer.
 */
public final class FlightRecorderSupport {
    private static final String OBSERVER = "io.modtcp.stack.jfr.JfrObserver";
    /** Netty's pool events (netty-buffer 4.2): each registers itself with JFR when its class is initialized. */
    private static final String[] NETTY_POOL_EVENTS = {
        "io.netty.buffer.AllocateChunkEvent",
        "io.netty.buffer.FreeChunkEvent",
        "io.netty.buffer.ReturnChunkEvent",
        "io.netty.buffer.AllocateBufferEvent",
        "io.netty.buffer.FreeBufferEvent",
        "io.netty.buffer.ReallocateBufferEvent"
    };

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
     * Initializes Netty's pool JFR event classes on the calling thread. Netty initializes each the first time its pool
     * allocates or frees a chunk, whatever thread that is; the first registration also builds JFR's metadata (hundreds
     * of KiB and about 150 ms here). Done before the stack thread starts, that cost is not paid by the stack thread in
     * the middle of traffic. Nothing happens without {@code jdk.jfr}, or with a Netty that has no such class.
     */
    public static void initNettyPoolEvents() {
        if (!available()) {
            return;
        }
        ClassLoader loader = io.netty.buffer.ByteBuf.class.getClassLoader();
        for (String name : NETTY_POOL_EVENTS) {
            try {
                Class.forName(name, true, loader);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // Another Netty version, or JFR refused: the stack thread pays it later, as before.
            }
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

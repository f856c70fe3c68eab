package io.modtcp.stack.runtime;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Keeps the stack on {@code java.base} alone. Netty picks its logging back end on first use and, with neither SLF4J
 * nor Log4J on the class path, takes {@code java.util.logging}, which a runtime started with {@code --limit-modules
 * java.base} does not have ({@code NoClassDefFoundError: java/util/logging/Logger} from the first buffer allocator).
 * When {@code java.logging} is absent, Netty's default logger factory becomes one that logs through {@link
 * System.Logger} (in {@code java.base}); otherwise Netty's own choice is left alone.
 */
public final class NettyLogging {
    private static final boolean JUL_PRESENT =
            ModuleLayer.boot().findModule("java.logging").isPresent();

    private static boolean done;

    private NettyLogging() {}

    /**
     * Call before the first use of Netty; idempotent. (Netty's {@code getDefaultFactory()} cannot be asked first:
     * without a factory set it makes the default one, which is what fails.)
     */
    public static synchronized void ensureJavaBaseOnly() {
        if (!JUL_PRESENT && !done) {
            InternalLoggerFactory.setDefaultFactory(new SystemLoggerFactory());
        }
        done = true;
    }

    /** True when Netty logs through {@link System.Logger} (no {@code java.logging} module). */
    public static boolean usesSystemLogger() {
        return InternalLoggerFactory.getDefaultFactory() instanceof SystemLoggerFactory;
    }

    static final class SystemLoggerFactory extends InternalLoggerFactory {
        @Override
        protected InternalLogger newInstance(String name) {
            return new SystemLoggerAdapter(name);
        }
    }

    /** Netty's logger API on {@link System.Logger}; {@code {}} placeholders are filled in order. */
    static final class SystemLoggerAdapter extends AbstractInternalLogger {
        private static final long serialVersionUID = 1L;
        private final transient System.Logger logger;

        SystemLoggerAdapter(String name) {
            super(name);
            this.logger = System.getLogger(name);
        }

        private boolean on(System.Logger.Level level) {
            return logger.isLoggable(level);
        }

        private void log(System.Logger.Level level, String msg, Throwable t) {
            if (logger.isLoggable(level)) {
                if (t == null) {
                    logger.log(level, msg);
                } else {
                    logger.log(level, msg, t);
                }
            }
        }

        private void format(System.Logger.Level level, String format, Object... args) {
            if (!logger.isLoggable(level)) {
                return;
            }
            StringBuilder sb = new StringBuilder();
            int from = 0;
            int used = 0;
            for (int at = format.indexOf("{}"); at >= 0 && used < args.length; at = format.indexOf("{}", from)) {
                sb.append(format, from, at).append(args[used++]);
                from = at + 2;
            }
            sb.append(format.substring(from));
            Throwable t = used < args.length && args[args.length - 1] instanceof Throwable
                    ? (Throwable) args[args.length - 1]
                    : null;
            log(level, sb.toString(), t);
        }

        @Override
        public boolean isTraceEnabled() {
            return on(System.Logger.Level.TRACE);
        }

        @Override
        public void trace(String msg) {
            log(System.Logger.Level.TRACE, msg, null);
        }

        @Override
        public void trace(String format, Object arg) {
            format(System.Logger.Level.TRACE, format, arg);
        }

        @Override
        public void trace(String format, Object argA, Object argB) {
            format(System.Logger.Level.TRACE, format, argA, argB);
        }

        @Override
        public void trace(String format, Object... arguments) {
            format(System.Logger.Level.TRACE, format, arguments);
        }

        @Override
        public void trace(String msg, Throwable t) {
            log(System.Logger.Level.TRACE, msg, t);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(System.Logger.Level.DEBUG);
        }

        @Override
        public void debug(String msg) {
            log(System.Logger.Level.DEBUG, msg, null);
        }

        @Override
        public void debug(String format, Object arg) {
            format(System.Logger.Level.DEBUG, format, arg);
        }

        @Override
        public void debug(String format, Object argA, Object argB) {
            format(System.Logger.Level.DEBUG, format, argA, argB);
        }

        @Override
        public void debug(String format, Object... arguments) {
            format(System.Logger.Level.DEBUG, format, arguments);
        }

        @Override
        public void debug(String msg, Throwable t) {
            log(System.Logger.Level.DEBUG, msg, t);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(System.Logger.Level.INFO);
        }

        @Override
        public void info(String msg) {
            log(System.Logger.Level.INFO, msg, null);
        }

        @Override
        public void info(String format, Object arg) {
            format(System.Logger.Level.INFO, format, arg);
        }

        @Override
        public void info(String format, Object argA, Object argB) {
            format(System.Logger.Level.INFO, format, argA, argB);
        }

        @Override
        public void info(String format, Object... arguments) {
            format(System.Logger.Level.INFO, format, arguments);
        }

        @Override
        public void info(String msg, Throwable t) {
            log(System.Logger.Level.INFO, msg, t);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(System.Logger.Level.WARNING);
        }

        @Override
        public void warn(String msg) {
            log(System.Logger.Level.WARNING, msg, null);
        }

        @Override
        public void warn(String format, Object arg) {
            format(System.Logger.Level.WARNING, format, arg);
        }

        @Override
        public void warn(String format, Object argA, Object argB) {
            format(System.Logger.Level.WARNING, format, argA, argB);
        }

        @Override
        public void warn(String format, Object... arguments) {
            format(System.Logger.Level.WARNING, format, arguments);
        }

        @Override
        public void warn(String msg, Throwable t) {
            log(System.Logger.Level.WARNING, msg, t);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(System.Logger.Level.ERROR);
        }

        @Override
        public void error(String msg) {
            log(System.Logger.Level.ERROR, msg, null);
        }

        @Override
        public void error(String format, Object arg) {
            format(System.Logger.Level.ERROR, format, arg);
        }

        @Override
        public void error(String format, Object argA, Object argB) {
            format(System.Logger.Level.ERROR, format, argA, argB);
        }

        @Override
        public void error(String format, Object... arguments) {
            format(System.Logger.Level.ERROR, format, arguments);
        }

        @Override
        public void error(String msg, Throwable t) {
            log(System.Logger.Level.ERROR, msg, t);
        }
    }
}

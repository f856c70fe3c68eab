package io.modtcp.tun;

import java.io.IOException;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Entry to libc through JNR, and the one place native failures become exceptions: each message names the syscall,
 * its argument, the errno (symbol and text) and, where one is known, the fix.
 */
public final class Native {
    public static final int O_RDONLY = 0x0;
    public static final int O_RDWR = 0x2;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final Throwable LOAD_ERROR;

    static {
        LibC libc = null;
        Throwable error = null;
        try {
            libc = LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            error = e;
        }
        LIBC = libc;
        LOAD_ERROR = error;
        RUNTIME = libc == null ? null : Runtime.getRuntime(libc);
    }

    private Native() {}

    /** libc, or an exception saying why JNR could not load it. */
    public static LibC libc() throws IOException {
        if (LIBC == null) {
            throw new IOException(
                    "cannot load libc through JNR-FFI (" + LOAD_ERROR + "): modtcp's TUN backend needs Linux with"
                            + " glibc or musl and jnr-ffi's native stub (jffi) for this CPU on the class path",
                    LOAD_ERROR);
        }
        return LIBC;
    }

    static Runtime runtime() {
        return RUNTIME;
    }

    /** The errno saved by the last call on this thread. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** {@code ENOENT}-style symbol of an errno value, or {@code errno N}. */
    public static String errnoName(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    /**
     * An exception for a failed call: {@code "<call> failed: <ERRNO> (<text>)[: <fix>]"}.
     *
     * @param call the syscall and what it was given, e.g. {@code open("/dev/net/tun")}
     * @param fix what to do about it, or null
     */
    public static IOException error(String call, int errno, String fix) {
        String text = LIBC == null ? "" : " (" + LIBC.strerror(errno) + ")";
        return new NativeException(
                call + " failed: " + errnoName(errno) + text + (fix == null ? "" : ": " + fix), call, errno);
    }

    /** An {@link IOException} that keeps the syscall and errno for callers that decide on them. */
    public static final class NativeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String call;
        private final int errno;

        NativeException(String message, String call, int errno) {
            super(message);
            this.call = call;
            this.errno = errno;
        }

        public String call() {
            return call;
        }

        public int errno() {
            return errno;
        }
    }
}

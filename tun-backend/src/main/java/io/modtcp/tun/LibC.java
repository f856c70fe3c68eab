package io.modtcp.tun;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the TUN and UNIX-socket links need, bound through JNR-FFI. Buffers are passed as raw addresses
 * ({@code long}) of direct memory, so a read or write allocates nothing. Every call saves {@code errno}; read it with
 * {@link Native#errno()} right after a call that returned -1.
 */
public interface LibC {
    @SaveError
    int open(String path, int flags, int mode);

    @SaveError
    int close(int fd);

    @SaveError
    int ioctl(int fd, long request, Pointer arg);

    @SaveError
    @ssize_t
    long read(int fd, long buf, @size_t long count);

    @SaveError
    @ssize_t
    long write(int fd, long buf, @size_t long count);

    /** {@code ioctl} with an integer argument passed by value (e.g. TUNSETOFFLOAD). */
    @SaveError
    int ioctl(int fd, long request, long arg);

    /** Gathers {@code iovcnt} {@code struct iovec} at address {@code iov} into one write (one packet on TUN). */
    @SaveError
    @ssize_t
    long writev(int fd, long iov, int iovcnt);

    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMs);

    @SaveError
    int eventfd(int initval, int flags);

    @SaveError
    int socket(int domain, int type, int protocol);

    /** Moves the calling thread into the namespace open at {@code fd} ({@code nstype}: e.g. CLONE_NEWNET). */
    @SaveError
    int setns(int fd, int nstype);

    String strerror(int errnum);
}

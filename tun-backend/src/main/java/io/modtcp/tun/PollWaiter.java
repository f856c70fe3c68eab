package io.modtcp.tun;

import io.modtcp.stack.runtime.Waiter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BooleanSupplier;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A {@link Waiter} that blocks the stack thread in {@code poll(2)} on its links' descriptors plus an {@code eventfd}
 * for wake-ups: a packet arriving on a TUN device or UNIX socket wakes the stack thread itself, with no thread
 * hand-off. {@link #wake} writes the eventfd only while the stack thread waits (or is about to), so commands queued
 * while it runs cost no syscall.
 *
 * <p>A descriptor that reports {@code POLLERR}, {@code POLLHUP} or {@code POLLNVAL} (its device was deleted, its peer
 * closed) is dropped from the set, so a dead link cannot make the stack thread spin.
 */
public final class PollWaiter implements Waiter {
    private static final System.Logger LOG = System.getLogger(PollWaiter.class.getName());
    private static final int POLLFD_SIZE = 8;
    private static final short POLLNVAL = 0x20;

    private final LibC libc;
    private final int eventFd;
    private final int nfds;
    private final Pointer pollfds;
    private final Pointer one;
    private final Pointer drain;
    private volatile boolean waiting;
    private volatile boolean closed;

    /** A waiter over the descriptors of {@code links}. */
    public static PollWaiter forLinks(List<? extends FdLink> links) throws IOException {
        int[] fds = new int[links.size()];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = links.get(i).fd();
        }
        return new PollWaiter(fds);
    }

    /** A waiter over {@code fds} (each watched for {@code POLLIN}). */
    public PollWaiter(int... fds) throws IOException {
        this.libc = Native.libc();
        int efd = libc.eventfd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (efd < 0) {
            throw Native.error("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", Native.errno(), null);
        }
        this.eventFd = efd;
        this.nfds = fds.length + 1;
        this.pollfds = Memory.allocateDirect(Native.runtime(), nfds * POLLFD_SIZE, true);
        putPollFd(0, efd);
        for (int i = 0; i < fds.length; i++) {
            putPollFd(i + 1, fds[i]);
        }
        this.one = Memory.allocateDirect(Native.runtime(), 8, true);
        one.putLong(0, 1L);
        this.drain = Memory.allocateDirect(Native.runtime(), 8, true);
    }

    private void putPollFd(int i, int fd) {
        pollfds.putInt((long) i * POLLFD_SIZE, fd);
        pollfds.putShort((long) i * POLLFD_SIZE + 4, Native.POLLIN);
        pollfds.putShort((long) i * POLLFD_SIZE + 6, (short) 0);
    }

    @Override
    public void await(long timeoutNs, BooleanSupplier idle) {
        waiting = true;
        try {
            if (!idle.getAsBoolean() || closed) {
                return;
            }
            // Round up: a deadline 0.3 ms away must not become a busy poll(…, 0).
            long ms = (timeoutNs + 999_999) / 1_000_000;
            int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(0, ms));
            int n = libc.poll(pollfds, nfds, timeoutMs);
            if (n < 0) {
                int errno = Native.errno();
                if (errno != Native.EINTR) {
                    throw new UncheckedIOException(Native.error("poll", errno, null));
                }
                return;
            }
            if (n == 0) {
                return;
            }
            for (int i = 0; i < nfds; i++) {
                long off = (long) i * POLLFD_SIZE;
                short revents = pollfds.getShort(off + 6);
                if (revents == 0) {
                    continue;
                }
                pollfds.putShort(off + 6, (short) 0);
                if (i == 0) {
                    libc.read(eventFd, drain.address(), 8);
                } else if ((revents & (Native.POLLERR | Native.POLLHUP | POLLNVAL)) != 0
                        && (revents & Native.POLLIN) == 0) {
                    int fd = pollfds.getInt(off);
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "descriptor {0} reported poll events 0x{1}; no longer"
                                    + " watched (device deleted or peer gone?)",
                            fd,
                            Integer.toHexString(revents & 0xffff));
                    pollfds.putInt(off, -1);
                }
            }
        } finally {
            waiting = false;
        }
    }

    @Override
    public void wake() {
        // waiting is published before the idle check in await: a waker that reads false queued its work before
        // that check, which sees it. An eventfd written before poll makes poll return at once.
        if (waiting && !closed) {
            libc.write(eventFd, one.address(), 8);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(eventFd);
        }
    }
}

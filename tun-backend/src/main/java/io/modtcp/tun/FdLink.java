package io.modtcp.tun;

import io.modtcp.stack.link.Link;

/**
 * A {@link Link} backed by one non-blocking file descriptor that {@code poll(2)} can watch for input. The stack
 * thread of a stack with such links waits in a {@link PollWaiter} over their descriptors, so the links need no
 * thread of their own and no wake-up callback.
 */
public interface FdLink extends Link {
    /** The descriptor to watch for {@code POLLIN}; -1 once closed. */
    int fd();
}

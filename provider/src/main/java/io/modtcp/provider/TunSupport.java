package io.modtcp.provider;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.tun.PollWaiter;
import io.modtcp.tun.TunLink;
import java.io.IOException;
import java.util.List;

/**
 * The provider's use of tun-backend for {@code modtcp.tun}: the TUN link and the stack thread that waits in poll(2)
 * on its descriptor. Only a configured {@code modtcp.tun} touches this class, and its signatures name only stack
 * types, so {@link ModTcpRuntime} loads, verifies and runs (in-JVM loopback only) when an application leaves
 * tun-backend off its class path; {@link #present()} tells which.
 */
final class TunSupport {
    private TunSupport() {}

    /** True when tun-backend's classes can be loaded. */
    static boolean present() {
        try {
            return TunLink.class != null;
        } catch (NoClassDefFoundError e) {
            return false;
        }
    }

    /**
     * Attaches to (or, with CAP_NET_ADMIN, creates) TUN device {@code device}, with the virtio-net header, checksum
     * offload and TSO when {@code offload} (docs/tun.md). Fails naming the key.
     */
    static Link open(String device, int mtu, boolean offload) {
        try {
            return TunLink.open(device, mtu, offload);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("modtcp.tun=" + device + ": cannot open: " + e.getMessage(), e);
        }
    }

    /**
     * A stack thread that waits in poll(2) on the TUN device and an eventfd, so a packet wakes the stack thread itself
     * with no thread hand-off. {@code tun} is the link {@link #open} returned; {@code spinNs} as {@code
     * modtcp.spin_us} says. Fails naming the key.
     */
    static StackThread stackThread(NetStack stack, Link tun, String device, long spinNs) {
        PollWaiter waiter;
        try {
            waiter = PollWaiter.forLinks(List.of((TunLink) tun));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "modtcp.tun=" + device + ": cannot wait on the device: " + e.getMessage(), e);
        }
        return new StackThread(stack, "modtcp-stack", waiter, spinNs);
    }
}

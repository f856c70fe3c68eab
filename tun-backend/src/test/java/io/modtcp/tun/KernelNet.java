package io.modtcp.tun;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.PcapWriter;
import io.modtcp.stack.link.TappedLink;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: a private network namespace with the Linux kernel on one side of a TUN device and a modtcp stack
 * on the other. The JVM creates the TUN device (in its own namespace), the fixture moves it into the new namespace
 * and configures the kernel side there ({@value #KERNEL_ADDR}/24 on the device, MTU, IPv6 off); modtcp is
 * {@value #MODTCP_ADDR}/24. Kernel peers run with {@link #exec}. Everything is deleted in {@code afterAll}, by a
 * shutdown hook if the JVM exits first, and stale namespaces of dead test JVMs are removed at the next start.
 *
 * <p>Network rule: traffic goes only to addresses inside the namespace (192.0.2.0/24, TEST-NET-1); nothing is
 * routed toward a real interface.
 *
 * <p>Missing capabilities (not root, no {@code /dev/net/tun}, no {@code ip}/{@code tc}/{@code python3}) make the test
 * class FAIL when the environment variable {@code CI} is {@code true}, and skip it (with the reason) otherwise.
 *
 * <pre>{@code
 * @RegisterExtension static final KernelNet NET = KernelNet.builder().mtu(9000).build();
 * }</pre>
 */
public final class KernelNet implements BeforeAllCallback, AfterAllCallback {
    public static final String KERNEL_ADDR = "192.0.2.1";
    public static final String MODTCP_ADDR = "192.0.2.2";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final int mtu;
    private final UnaryOperator<Link> decorator;
    private final Path pcap;
    private final TcpConfig config;
    private final boolean offload;
    private final boolean reopened;
    private final long memoryBudget;

    private Netns netns;
    private String ns;
    private String dev;
    private TunLink tun;
    private PcapWriter pcapWriter;
    private NetStack stack;
    private StackThread thread;
    private Thread hook;

    private KernelNet(Builder b) {
        this.mtu = b.mtu;
        this.decorator = b.decorator;
        this.pcap = b.pcap;
        this.config = b.config;
        this.offload = b.offload;
        this.reopened = b.reopened;
        this.memoryBudget = b.memoryBudget;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fails (under CI=true) or skips (otherwise) unless this machine can run kernel interop tests. */
    public static void requireCapabilities() {
        List<String> missing = Netns.missingCapabilities("tc", "python3");
        if (!missing.isEmpty()) {
            String msg =
                    "kernel interop tests need: " + String.join("; ", missing) + " (apt-get install iproute2 python3)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg + " (CI=true: missing capabilities fail, never skip)");
            }
            Assumptions.abort(msg);
        }
    }

    /** Fails (CI=true) or skips unless {@code tool} is on PATH. */
    public static void requireTool(String tool, String install) {
        if (which(tool) == null) {
            String msg = "no `" + tool + "` on PATH (" + install + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg + " (CI=true: missing tools fail, never skip)");
            }
            Assumptions.abort(msg);
        }
    }

    static boolean isRoot() {
        return Netns.isRoot();
    }

    static Path which(String tool) {
        return Netns.which(tool);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        requireCapabilities();
        netns = Netns.create();
        ns = netns.name();
        long pid = ProcessHandle.current().pid();
        dev = "mt" + (pid % 1_000_000) + "x" + SEQ.incrementAndGet();
        hook = new Thread(this::cleanup, "kernelnet-cleanup-" + ns);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            setUp();
        } catch (Exception | Error e) {
            cleanup();
            throw e;
        }
    }

    private void setUp() throws IOException {
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        if (reopened) {
            // A persistent device that a previous user opened with offloads (the agent restarted with offload=off).
            run("ip", "tuntap", "add", "dev", dev, "mode", "tun");
            TunLink.open(dev, mtu, true).close();
        }
        tun = TunLink.open(dev, mtu, offload);
        // Attach first, then move: the device never gets an address or comes up in the root namespace.
        run("ip", "link", "set", dev, "netns", ns);
        run("ip", "-n", ns, "link", "set", dev, "mtu", Integer.toString(mtu));
        run("ip", "-n", ns, "addr", "add", KERNEL_ADDR + "/24", "dev", dev);
        run("ip", "-n", ns, "link", "set", dev, "up");
        Link link = decorator.apply(tun);
        if (pcap != null) {
            pcapWriter = new PcapWriter(pcap);
            link = new TappedLink(link, pcapWriter);
        }
        NetStack.Builder sb = NetStack.builder()
                .addInterface(link, IpAddr.parseV4(MODTCP_ADDR), 24, IpAddr.parseV4(KERNEL_ADDR))
                .seed(7)
                .config(config);
        if (memoryBudget > 0) {
            sb.memoryBudgetBytes(memoryBudget);
        }
        stack = sb.build();
        thread = new StackThread(stack, "modtcp-" + dev, new PollWaiter(tun.fd())).start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        cleanup();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs anyway
            }
        }
    }

    private synchronized void cleanup() {
        if (thread != null) {
            thread.close();
            thread = null;
        }
        if (stack != null) {
            stack.close(); // closes the links, so the TUN device goes away
            stack = null;
        }
        if (tun != null) {
            tun.close();
            tun = null;
        }
        if (pcapWriter != null) {
            try {
                pcapWriter.close();
            } catch (RuntimeException e) {
                // best effort
            }
            pcapWriter = null;
        }
        if (netns != null) {
            netns.close(); // stops the peers, deletes the namespace
            netns = null;
            ns = null;
        }
    }

    /**
     * Whether this kernel has the netem qdisc (CONFIG_NET_SCH_NETEM), tried on the loopback device of a scratch
     * namespace. False when not root.
     */
    public static boolean kernelHasNetem() {
        if (!isRoot() || which("tc") == null) {
            return false;
        }
        try (Netns scratch = Netns.create()) {
            run("tc", "-n", scratch.name(), "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Flushes the pcap file, if one is written. */
    public void flushPcap() {
        if (pcapWriter != null) {
            pcapWriter.flush();
        }
    }

    public NetStack stack() {
        return stack;
    }

    public TunLink tun() {
        return tun;
    }

    public String namespace() {
        return ns;
    }

    public String device() {
        return dev;
    }

    public static IpAddr modtcpAddr() {
        return IpAddr.parseV4(MODTCP_ADDR);
    }

    public static IpAddr kernelAddr() {
        return IpAddr.parseV4(KERNEL_ADDR);
    }

    /** Starts {@code cmd} inside the namespace; the fixture kills it at the end if it still runs. */
    public Process exec(String... cmd) throws IOException {
        return netns.start(netns.processBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /** Runs {@code cmd} inside the namespace and returns its standard output; fails on a non-zero exit. */
    public String execOutput(String... cmd) throws IOException {
        return netns.run(COMMAND_TIMEOUT, cmd);
    }

    /** Replaces the kernel side's root qdisc by {@code netem ARGS} (e.g. {@code loss 1% delay 5ms}). */
    public void netem(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "netem"));
        cmd.addAll(List.of(args));
        run(cmd.toArray(String[]::new));
    }

    /** Removes netem from the kernel side. */
    public void clearNetem() throws IOException {
        try {
            run("tc", "-n", ns, "qdisc", "del", "dev", dev, "root");
        } catch (IOException e) {
            // no qdisc installed
        }
    }

    static void run(String... cmd) throws IOException {
        runOutput(cmd);
    }

    static String runOutput(String... cmd) throws IOException {
        return runOutput(true, cmd);
    }

    /** Runs {@code cmd}, returns its standard output (and standard error too if {@code withStderr}). */
    static String runOutput(boolean withStderr, String... cmd) throws IOException {
        return Netns.runOutput(withStderr, COMMAND_TIMEOUT, cmd);
    }

    public static final class Builder {
        private int mtu = 1500;
        private UnaryOperator<Link> decorator = l -> l;
        private Path pcap;
        private TcpConfig config = TcpConfig.DEFAULT;
        private boolean offload = true;
        private boolean reopened;
        private long memoryBudget;

        /**
         * Creates the device persistent and opens and closes it once with offloads before opening it as configured
         * (the namespace's deletion deletes it).
         */
        public Builder reopenedAfterOffload() {
            this.reopened = true;
            return this;
        }

        /** The stack's budget of received data held ({@link NetStack.Builder#memoryBudgetBytes}; default its default). */
        public Builder memoryBudget(long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        /** MTU of the TUN device on both sides (default 1500). */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /**
         * Wraps the TUN link before the stack gets it (e.g. a lossy link). Turns offloads off: a decorator models a
         * wire, which carries no partial checksums or super-segments (and its sink drops the receive hints).
         */
        public Builder decorate(UnaryOperator<Link> decorator) {
            this.decorator = decorator;
            this.offload = false;
            return this;
        }

        /** Opens the TUN device with the virtio-net header, checksum offload and TSO (default true). */
        public Builder offload(boolean offload) {
            this.offload = offload;
            return this;
        }

        /** Records modtcp's side of the session to {@code file} (LINKTYPE_RAW). */
        public Builder pcap(Path file) {
            this.pcap = file;
            return this;
        }

        public Builder config(TcpConfig config) {
            this.config = config;
            return this;
        }

        public KernelNet build() {
            return new KernelNet(this);
        }
    }
}

package io.modtcp.tun;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.PcapWriter;
import io.modtcp.stack.link.TappedLink;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern OUR_NS = Pattern.compile("mtns-(\\d+)-(\\d+)");
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final int mtu;
    private final UnaryOperator<Link> decorator;
    private final Path pcap;
    private final TcpConfig config;

    private String ns;
    private String dev;
    private TunLink tun;
    private PcapWriter pcapWriter;
    private NetStack stack;
    private StackThread thread;
    private Thread hook;
    private final List<Process> processes = new ArrayList<>();

    private KernelNet(Builder b) {
        this.mtu = b.mtu;
        this.decorator = b.decorator;
        this.pcap = b.pcap;
        this.config = b.config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fails (under CI=true) or skips (otherwise) unless this machine can run kernel interop tests. */
    public static void requireCapabilities() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("not root (need CAP_NET_ADMIN to create namespaces and TUN devices)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("no /dev/net/tun (modprobe tun)");
        }
        for (String tool : new String[] {"ip", "tc", "python3"}) {
            if (which(tool) == null) {
                missing.add("no `" + tool + "` on PATH (apt-get install iproute2 python3)");
            }
        }
        if (!missing.isEmpty()) {
            String msg = "kernel interop tests need: " + String.join("; ", missing);
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
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        requireCapabilities();
        removeStaleNamespaces();
        long pid = ProcessHandle.current().pid();
        int n = SEQ.incrementAndGet();
        ns = "mtns-" + pid + "-" + n;
        dev = "mt" + (pid % 1_000_000) + "x" + n;
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
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        tun = TunLink.open(dev, mtu);
        // Attach first, then move: the device never gets an address or comes up in the root namespace.
        run("ip", "link", "set", dev, "netns", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "link", "set", dev, "mtu", Integer.toString(mtu));
        run("ip", "-n", ns, "addr", "add", KERNEL_ADDR + "/24", "dev", dev);
        run("ip", "-n", ns, "link", "set", dev, "up");
        Link link = decorator.apply(tun);
        if (pcap != null) {
            pcapWriter = new PcapWriter(pcap);
            link = new TappedLink(link, pcapWriter);
        }
        stack = NetStack.builder()
                .addInterface(link, IpAddr.parseV4(MODTCP_ADDR), 24, IpAddr.parseV4(KERNEL_ADDR))
                .seed(7)
                .config(config)
                .build();
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
        for (Process p : processes) {
            p.destroyForcibly();
        }
        processes.clear();
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
        if (ns != null) {
            try {
                run("ip", "netns", "delete", ns);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("KernelNet: could not delete namespace " + ns + ": " + e.getMessage());
            }
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
        String scratch = "mtns-" + ProcessHandle.current().pid() + "-" + (8000 + SEQ.incrementAndGet());
        try {
            run("ip", "netns", "add", scratch);
            try {
                run("tc", "-n", scratch, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms");
                return true;
            } catch (IOException e) {
                return false;
            } finally {
                run("ip", "netns", "delete", scratch);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes namespaces named by this fixture for JVMs that no longer run (a killed test run). */
    static void removeStaleNamespaces() {
        try {
            for (String line : runOutput("ip", "netns", "list").split("\n")) {
                String name = line.trim().split("\\s+")[0];
                Matcher m = OUR_NS.matcher(name);
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    run("ip", "netns", "delete", name);
                }
            }
        } catch (IOException e) {
            // nothing to clean, or no ip: requireCapabilities reports that
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
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        synchronized (this) {
            processes.add(p);
        }
        return p;
    }

    /** Runs {@code cmd} inside the namespace and returns its standard output; fails on a non-zero exit. */
    public String execOutput(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return runOutput(full.toArray(String[]::new));
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
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (withStderr) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text.trim());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    public static final class Builder {
        private int mtu = 1500;
        private UnaryOperator<Link> decorator = l -> l;
        private Path pcap;
        private TcpConfig config = TcpConfig.DEFAULT;

        /** MTU of the TUN device on both sides (default 1500). */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** Wraps the TUN link before the stack gets it (e.g. a lossy link). */
        public Builder decorate(UnaryOperator<Link> decorator) {
            this.decorator = decorator;
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

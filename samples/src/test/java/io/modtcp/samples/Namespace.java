package io.modtcp.samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A private network namespace holding a persistent TUN device, the kernel's side of it, and the processes run inside
 * ({@code ip netns exec NAME cmd...}, which execs the command, so each {@link Process} is the command itself). A modtcp
 * JVM started inside with {@code -javaagent:modtcp-agent.jar=tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1} attaches
 * to the device; kernel peers ({@code curl}, {@code wrk}, {@code python3}) run inside too, so all traffic stays in the
 * namespace. {@link #close} stops the processes it started and deletes the namespace (a shutdown hook does it if the
 * JVM exits first; namespaces of dead JVMs are deleted at the next {@link #create}).
 *
 * <p>The same operations as tun-backend's {@code io.modtcp.tun.Netns}, with plain {@code ip} commands.
 */
final class Namespace implements AutoCloseable {
    static final String KERNEL = "192.0.2.1";
    static final String MODTCP = "192.0.2.2";
    static final String DEVICE = "mt0";
    static final int MTU = 1500;
    /** The agent arguments that put a JVM started inside on the namespace's TUN device. */
    static final String AGENT_ARGS = "tun=" + DEVICE + ",address=" + MODTCP + "/24,gateway=" + KERNEL + ",mtu=" + MTU;

    private static final String PREFIX = "mtns-";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)");
    private static final AtomicInteger SEQ = new AtomicInteger(1000);
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private Namespace(String name) {
        this.name = name;
        this.hook = new Thread(this::delete, "netns-cleanup-" + name);
    }

    /**
     * Fails under {@code CI=true}, skips otherwise (with the reason), unless this machine can run a JVM on a TUN device
     * in a namespace: root, {@code /dev/net/tun}, {@code ip} and {@code tools}, and an agent jar that carries the TUN
     * backend.
     */
    static void requireCapabilities(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("not root (need CAP_NET_ADMIN and CAP_SYS_ADMIN for namespaces and TUN devices)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("no /dev/net/tun (modprobe tun)");
        }
        List<String> all = new ArrayList<>(List.of("ip"));
        all.addAll(List.of(tools));
        for (String tool : all) {
            if (which(tool) == null) {
                missing.add("no `" + tool + "` on PATH (.ci/run installs it)");
            }
        }
        if (!agentHasTun()) {
            missing.add("the agent jar " + SampleJvm.agent() + " has no io.modtcp.tun.TunLink (TUN backend)");
        }
        if (!missing.isEmpty()) {
            String msg = "TUN application tests need: " + String.join("; ", missing);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg + " (CI=true: a missing capability fails, never skips)");
            }
            Assumptions.abort(msg);
        }
    }

    private static boolean agentHasTun() {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(SampleJvm.agent())) {
            return jar.getEntry("io/modtcp/tun/TunLink.class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates the namespace with its loopback up and the TUN device {@value #DEVICE}, kernel side {@value #KERNEL}/24. */
    static Namespace createWithTun() throws IOException {
        removeStale();
        Namespace ns = new Namespace(PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        runHere(IP_TIMEOUT, "ip", "netns", "add", ns.name);
        Runtime.getRuntime().addShutdownHook(ns.hook);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.ip("tuntap", "add", "dev", DEVICE, "mode", "tun");
            ns.ip("link", "set", DEVICE, "mtu", Integer.toString(MTU));
            ns.ip("addr", "add", KERNEL + "/24", "dev", DEVICE);
            ns.ip("link", "set", DEVICE, "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    String name() {
        return name;
    }

    void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        runHere(IP_TIMEOUT, cmd.toArray(String[]::new));
    }

    /** {@code ip netns exec NAME} followed by the command. */
    List<String> exec(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(cmd);
        return full;
    }

    /** Starts {@code cmd} inside; {@link #close} stops it if it still runs. */
    synchronized SampleJvm.Running start(List<String> cmd) throws IOException {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        SampleJvm.Running r = SampleJvm.start(exec(cmd));
        processes.add(r.process);
        return r;
    }

    /** Runs {@code cmd} inside to completion; returns stdout and stderr; throws on a non-zero exit or the timeout. */
    String run(Duration timeout, String... cmd) throws IOException {
        return runHere(timeout, exec(List.of(cmd)).toArray(String[]::new));
    }

    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs delete(), which is idempotent
        }
    }

    private synchronized void delete() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            runHere(IP_TIMEOUT, "ip", "netns", "delete", name);
        } catch (IOException e) {
            System.err.println("could not delete namespace " + name + ": " + e.getMessage());
        }
    }

    /** Deletes namespaces {@code mtns-<pid>-<n>} whose JVM no longer runs. */
    private static void removeStale() {
        String list;
        try {
            list = runHere(IP_TIMEOUT, "ip", "netns", "list");
        } catch (IOException e) {
            return;
        }
        for (String line : list.split("\n")) {
            String ns = line.trim().split("\\s+")[0];
            Matcher m = OURS.matcher(ns);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                try {
                    runHere(IP_TIMEOUT, "ip", "netns", "delete", ns);
                } catch (IOException e) {
                    System.err.println("could not delete stale namespace " + ns + ": " + e.getMessage());
                }
            }
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

    /** Runs a command (output through a file, so a hung command cannot outlive the timeout); fails on non-zero exit. */
    static String runHere(Duration timeout, String... cmd) throws IOException {
        Path out = Files.createTempFile("netns-", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectErrorStream(true)
                    .start();
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw new IOException(String.join(" ", cmd) + ": timed out after " + timeout);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + String.join(" ", cmd), e);
            }
            String text = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text.trim());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}

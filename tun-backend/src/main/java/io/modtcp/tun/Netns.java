package io.modtcp.tun;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private Linux network namespace for running a modtcp JVM, or kernel peers, with the kernel on the other side of a
 * TUN device. Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and the {@code ip} tool of iproute2.
 *
 * <pre>{@code
 * try (Netns ns = Netns.create()) {
 *     ns.addTun("mt0", "192.0.2.1/24", 1500);     // persistent device, kernel side 192.0.2.1
 *     Process jvm = ns.start(ns.processBuilder("java",
 *             "-javaagent:modtcp-agent.jar=tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1", "-jar", "app.jar"));
 *     ns.run(Duration.ofSeconds(30), "curl", "-sS", "http://192.0.2.2:8080/");
 * }   // stops the processes it started, deletes the namespace and everything in it
 * }</pre>
 *
 * <p>Names are {@code mtns-<pid>-<n>} (pid of this JVM): unique per JVM, and {@link #create} first deletes the
 * namespaces of JVMs that no longer run (a killed test run). {@link #close} deletes the namespace; a shutdown hook does
 * it if the JVM exits first. A process runs inside with {@code ip netns exec NAME cmd...}, which execs {@code cmd}
 * itself, so the {@link Process} is the command (not a wrapper) and destroying it stops the command.
 *
 * <p>Deleting the namespace deletes the devices in it. Traffic inside stays inside: the namespace has only its own
 * loopback and the devices added to it, and no route to any other interface.
 */
public final class Netns implements AutoCloseable {
    /** The prefix of every namespace this class creates. */
    public static final String PREFIX = "mtns-";

    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)");
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private Netns(String name) {
        this.name = name;
        this.hook = new Thread(this::delete, "netns-cleanup-" + name);
    }

    /**
     * Creates a namespace with a unique name and its loopback up, after deleting stale ones of dead JVMs.
     *
     * @throws IOException if {@code ip netns add} fails (typically: not root)
     */
    public static Netns create() throws IOException {
        removeStale();
        Netns ns = new Netns(PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        runOutput(true, IP_TIMEOUT, "ip", "netns", "add", ns.name);
        Runtime.getRuntime().addShutdownHook(ns.hook);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The namespace's name, for {@code ip -n NAME} and {@code ip netns exec NAME}. */
    public String name() {
        return name;
    }

    /** Runs {@code ip -n NAME args...}; throws with {@code ip}'s message if it fails. */
    public void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        runOutput(true, IP_TIMEOUT, cmd.toArray(String[]::new));
    }

    /**
     * Creates a persistent TUN device {@code device} inside the namespace (no packet-information header, the mode
     * {@code TunLink} opens), gives the kernel side {@code kernelCidr} (e.g. {@code 192.0.2.1/24}), sets {@code mtu}
     * and brings it up. A JVM started in this namespace with {@code TunLink.open(device, mtu)} (e.g. the agent's
     * {@code tun=} key) attaches to it; until then the device has no carrier and the kernel drops what it sends there.
     */
    public void addTun(String device, String kernelCidr, int mtu) throws IOException {
        ip("tuntap", "add", "dev", device, "mode", "tun");
        ip("link", "set", device, "mtu", Integer.toString(mtu));
        ip("addr", "add", kernelCidr, "dev", device);
        ip("link", "set", device, "up");
    }

    /**
     * A {@link ProcessBuilder} for {@code cmd} run inside the namespace ({@code ip netns exec NAME cmd...}); the caller
     * sets redirections and environment, then starts it with {@link #start} so that {@link #close} stops it.
     */
    public ProcessBuilder processBuilder(String... cmd) {
        return processBuilder(List.of(cmd));
    }

    /** As {@link #processBuilder(String...)}. */
    public ProcessBuilder processBuilder(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(cmd);
        return new ProcessBuilder(full);
    }

    /**
     * A single platform thread that has entered this namespace ({@code setns(2)}, which moves only the calling
     * thread): the kernel sockets it creates, e.g. with the platform's {@code SocketChannel.open()}, belong to the
     * namespace and can then be used from any thread. So one JVM can hold sockets on both sides of a TUN device: the
     * kernel peer's, made here, and modtcp's. Shut the executor down when done; {@link #close} does not.
     *
     * @throws IOException if the namespace cannot be entered (its message names the call and the errno)
     */
    public ExecutorService newExecutor() throws IOException {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            executor.submit(this::enterOnThisThread).get();
        } catch (ExecutionException e) {
            executor.shutdownNow();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("entering namespace " + name);
        }
        return executor;
    }

    private Void enterOnThisThread() throws IOException {
        LibC libc = Native.libc();
        String path = "/run/netns/" + name;
        int fd = libc.open(path, Native.O_RDONLY | Native.O_CLOEXEC, 0);
        if (fd < 0) {
            throw Native.error("open(\"" + path + "\")", Native.errno(), null);
        }
        try {
            if (libc.setns(fd, Native.CLONE_NEWNET) != 0) {
                throw Native.error("setns(\"" + path + "\", CLONE_NEWNET)", Native.errno(), "needs CAP_SYS_ADMIN");
            }
        } finally {
            libc.close(fd);
        }
        return null;
    }

    /** Starts {@code pb} and remembers the process: {@link #close} destroys it if it still runs. */
    public synchronized Process start(ProcessBuilder pb) throws IOException {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /**
     * Runs {@code cmd} inside the namespace to completion and returns its standard output and standard error
     * together.
     *
     * @throws IOException if it exits non-zero (the message holds its output) or runs longer than {@code timeout}
     *     (it is then killed)
     */
    public String run(Duration timeout, String... cmd) throws IOException {
        return runOutput(true, timeout, processBuilder(cmd).command().toArray(String[]::new));
    }

    /**
     * Stops the processes started with {@link #start} that still run (waiting up to 5 s each, then killing them) and
     * deletes the namespace with every device in it. Idempotent.
     */
    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) delete(), which is idempotent
        }
    }

    private synchronized void delete() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try {
            runOutput(true, IP_TIMEOUT, "ip", "netns", "delete", name);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Netns: could not delete namespace " + name + ": " + e.getMessage());
        }
    }

    /** Deletes the namespaces named {@code mtns-<pid>-<n>} whose JVM ({@code pid}) no longer runs. */
    public static void removeStale() {
        String list;
        try {
            list = runOutput(false, IP_TIMEOUT, "ip", "netns", "list");
        } catch (IOException e) {
            return; // no ip, or not allowed: creating the namespace reports it
        }
        for (String line : list.split("\n")) {
            String ns = line.trim().split("\\s+")[0];
            Matcher m = OURS.matcher(ns);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                try {
                    runOutput(true, IP_TIMEOUT, "ip", "netns", "delete", ns);
                } catch (IOException e) {
                    System.err.println("Netns: could not delete stale namespace " + ns + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * What this machine lacks for namespaces with TUN devices, one reason per entry, empty when nothing is missing:
     * root, {@code /dev/net/tun}, and each of {@code tools} (besides {@code ip}) on the {@code PATH}.
     */
    public static List<String> missingCapabilities(String... tools) {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("not root (need CAP_NET_ADMIN to create namespaces and TUN devices)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("no /dev/net/tun (modprobe tun)");
        }
        List<String> all = new ArrayList<>(List.of("ip"));
        all.addAll(List.of(tools));
        for (String tool : all) {
            if (which(tool) == null) {
                missing.add("no `" + tool + "` on PATH");
            }
        }
        return missing;
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

    /** The executable {@code tool} on the {@code PATH} (plus /usr/sbin and /sbin), or null. */
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

    /**
     * Runs {@code cmd} in this (the caller's) namespace and returns its standard output, with standard error appended
     * if {@code withStderr} (else discarded). The output goes through a temporary file, so a command that hangs cannot
     * block the caller past {@code timeout}: it is killed and an IOException thrown. A non-zero exit throws too.
     */
    static String runOutput(boolean withStderr, Duration timeout, String... cmd) throws IOException {
        Path out = Files.createTempFile("netns-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile());
            if (withStderr) {
                pb.redirectErrorStream(true);
            } else {
                pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            }
            Process p = pb.start();
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

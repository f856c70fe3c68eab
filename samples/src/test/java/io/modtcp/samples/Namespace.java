package io.modtcp.samples;

import io.modtcp.tun.Netns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The samples' TUN network: a {@link Netns} holding a persistent TUN device {@value #DEVICE} with the kernel at
 * {@value #KERNEL}/24. A sample JVM started inside with {@link #AGENT_ARGS} attaches to the device as {@value #MODTCP};
 * kernel peers ({@code curl}, {@code wrk}, {@code python3}) run inside too, so all traffic stays in the namespace.
 * {@link #close} stops the processes started here and deletes the namespace.
 */
final class Namespace implements AutoCloseable {
    static final String KERNEL = "192.0.2.1";
    static final String MODTCP = "192.0.2.2";
    static final String DEVICE = "mt0";
    static final int MTU = 1500;
    /** The agent arguments that put a JVM started inside on the namespace's TUN device. */
    static final String AGENT_ARGS = "tun=" + DEVICE + ",address=" + MODTCP + "/24,gateway=" + KERNEL + ",mtu=" + MTU;

    private final Netns ns;

    private Namespace(Netns ns) {
        this.ns = ns;
    }

    /**
     * Fails under {@code CI=true}, skips otherwise (with the reason), unless this machine can run a JVM on a TUN device
     * in a namespace: root, {@code /dev/net/tun}, {@code ip} and {@code tools}, and an agent jar that carries the TUN
     * backend.
     */
    static void requireCapabilities(String... tools) {
        List<String> missing = new ArrayList<>(Netns.missingCapabilities(tools));
        if (!agentHasTun()) {
            missing.add("the agent jar " + SampleJvm.agent() + " has no io.modtcp.tun.TunLink (TUN backend)");
        }
        if (!missing.isEmpty()) {
            String msg = "TUN application tests need: " + String.join("; ", missing) + " (.ci/run installs the tools)";
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

    /** Creates the namespace with the TUN device {@value #DEVICE}, kernel side {@value #KERNEL}/24, up. */
    static Namespace createWithTun() throws IOException {
        Netns ns = Netns.create();
        try {
            ns.addTun(DEVICE, KERNEL + "/24", MTU);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return new Namespace(ns);
    }

    String name() {
        return ns.name();
    }

    /** Starts {@code cmd} inside, output collected; {@link #close} stops it if it still runs. */
    SampleJvm.Running start(List<String> cmd) throws IOException {
        ProcessBuilder pb = ns.processBuilder(cmd).redirectErrorStream(true);
        System.out.println("$ " + String.join(" ", pb.command()));
        return new SampleJvm.Running(ns.start(pb));
    }

    /** Runs {@code cmd} inside to completion; returns stdout and stderr; throws on a non-zero exit or the timeout. */
    String run(Duration timeout, String... cmd) throws IOException {
        return ns.run(timeout, cmd);
    }

    @Override
    public void close() {
        ns.close();
    }

    /** Runs a command here (not in a namespace) and returns its output; fails on a non-zero exit or the timeout. */
    static String runHere(Duration timeout, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out after " + timeout);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
        }
        return out;
    }
}

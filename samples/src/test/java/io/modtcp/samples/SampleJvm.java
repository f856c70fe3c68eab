package io.modtcp.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Forked sample JVMs: {@code java -javaagent:provider/target/modtcp-agent.jar[=ARGS] -cp SAMPLES MAIN ...}, nothing
 * else, on the build's JDK and on JDK 25 when it is installed. The samples' class path holds the samples jar and its
 * dependencies (Jetty, WireMock), not modtcp: the agent jar brings that.
 */
final class SampleJvm {
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    private SampleJvm() {}

    static Stream<String> javas() {
        List<String> javas = new ArrayList<>();
        javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Files.isExecutable(JDK25)) {
            javas.add(JDK25.toString());
        } else if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true and no JDK 25 at " + JDK25);
        } else {
            System.out.println("JDK 25 not found at " + JDK25 + ": the sample tests run on the build's JDK only");
        }
        return javas.stream();
    }

    static String agent() {
        Path agent = Path.of(System.getProperty("modtcp.agent.jar"));
        assertTrue(Files.isRegularFile(agent), "agent jar " + agent + " (build from the root first)");
        return agent.toAbsolutePath().normalize().toString();
    }

    static String classPath() {
        List<String> cp = new ArrayList<>();
        cp.add(System.getProperty("modtcp.samples.jar"));
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("modtcp.samples.lib")))) {
            jars.map(Path::toString).filter(s -> s.endsWith(".jar")).sorted().forEach(cp::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return String.join(File.pathSeparator, cp);
    }

    /** {@code java -javaagent:AGENT[=agentArgs] -cp SAMPLES ModTcpStatus mainAndArgs...}, optionally behind a prefix. */
    static List<String> command(List<String> prefix, String java, String agentArgs, List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java);
        cmd.add("-javaagent:" + agent() + (agentArgs == null ? "" : "=" + agentArgs));
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(ModTcpStatus.class.getName());
        cmd.addAll(mainAndArgs);
        return cmd;
    }

    /** Starts a process with stderr merged into stdout, collecting its output on a daemon thread. */
    static Running start(List<String> cmd) throws IOException {
        System.out.println("$ " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new Running(p);
    }

    /** A started process and everything it printed so far. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final StringBuilder out = new StringBuilder();
        private final Thread reader;

        Running(Process process) {
            this.process = process;
            Thread t = new Thread(
                    () -> {
                        try (InputStream in = process.getInputStream()) {
                            byte[] buf = new byte[8192];
                            for (int n; (n = in.read(buf)) >= 0; ) {
                                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                                System.out.print(s);
                                synchronized (out) {
                                    out.append(s);
                                    out.notifyAll();
                                }
                            }
                        } catch (IOException e) {
                            // process gone
                        }
                    },
                    "output-" + process.pid());
            t.setDaemon(true);
            t.start();
            reader = t;
        }

        String output() {
            synchronized (out) {
                return out.toString();
            }
        }

        /** Waits until the output matches {@code regex} (returns the match) or fails after {@code timeoutMs}. */
        Matcher await(String regex, long timeoutMs) throws InterruptedException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.currentTimeMillis() + timeoutMs;
            synchronized (out) {
                while (true) {
                    Matcher m = p.matcher(out);
                    if (m.find()) {
                        return m;
                    }
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        throw new AssertionError("no /" + regex + "/ after " + timeoutMs + " ms in\n" + out);
                    }
                    if (!process.isAlive()) {
                        deadline = Math.min(deadline, System.currentTimeMillis() + 500); // the last lines
                    }
                    out.wait(Math.min(left, 200));
                }
            }
        }

        /** Waits for the exit; returns the exit code (fails the test after the timeout, killing the process). */
        int waitFor(long timeoutMs) throws InterruptedException {
            if (!process.waitFor(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + timeoutMs + " ms:\n" + output());
            }
            reader.join(5_000); // the last lines
            return process.exitValue();
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the output to end. */
        void stop() throws InterruptedException {
            if (process.isAlive()) {
                // SIGTERM through the handle: Process.destroy() would also close our end of its output, losing what
                // its shutdown hooks print
                process.toHandle().destroy();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            reader.join(5_000); // the last lines
        }
    }

    /** The figure {@code name=N} in the output. */
    static long figure(String out, String name) {
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in\n" + out);
        return Long.parseLong(m.group(1));
    }

    /**
     * SHA-256 of the first n bytes of the samples' pattern, computed here from its definition rather than with
     * {@link Payload}, so that a broken Payload cannot agree with itself.
     */
    static String expectedSha256(long n) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] chunk = new byte[1 << 16];
        for (long pos = 0; pos < n; ) {
            int len = (int) Math.min(chunk.length, n - pos);
            for (int k = 0; k < len; k++) {
                long i = pos + k;
                chunk[k] = (byte) ((i % 251 + 7 * ((i / 251) % 256)) % 256);
            }
            md.update(chunk, 0, len);
            pos += len;
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}

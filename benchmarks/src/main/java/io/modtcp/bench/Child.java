package io.modtcp.bench;

import io.modtcp.tun.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process started inside a {@link Netns} ({@code ip netns exec}), stdout and stderr merged and collected on a daemon
 * thread, the first lines echoed with a {@code [name]} prefix; its stdin stays open for commands. {@link Netns#close}
 * stops it if {@link #stop} did not.
 */
final class Child implements AutoCloseable {
    private static final int ECHO_LINES = 25;

    final String name;
    final Process process;
    private final StringBuilder out = new StringBuilder();
    private final Thread reader;
    private final OutputStream stdin;

    private Child(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread t = new Thread(this::collect, "output-" + name);
        t.setDaemon(true);
        t.start();
        this.reader = t;
    }

    /** Starts {@code cmd}; {@code {name}} in an argument becomes {@code name} (a profile's file name). */
    static Child start(Netns ns, String name, List<String> cmd) throws IOException {
        List<String> named = cmd.stream().map(a -> a.replace("{name}", name)).toList();
        ProcessBuilder pb = ns.processBuilder(named).redirectErrorStream(true);
        System.out.println("  $ " + abbreviate(pb.command()));
        return new Child(name, ns.start(pb));
    }

    /** Long paths make the command unreadable: class path elements and the agent jar are cut to their file names. */
    private static String abbreviate(List<String> cmd) {
        List<String> shown = new java.util.ArrayList<>();
        for (int i = 0; i < cmd.size(); i++) {
            String a = cmd.get(i);
            if (i > 0 && cmd.get(i - 1).equals("-cp")) {
                String[] cp = a.split(java.io.File.pathSeparator);
                a = cp.length <= 2
                        ? String.join(
                                ":",
                                java.util.Arrays.stream(cp).map(Child::fileName).toList())
                        : fileName(cp[0]) + ":(" + (cp.length - 1) + " jars)";
            } else if (a.startsWith("-javaagent:")) {
                int eq = a.indexOf('=');
                String jar = a.substring("-javaagent:".length(), eq < 0 ? a.length() : eq);
                a = "-javaagent:" + fileName(jar) + (eq < 0 ? "" : a.substring(eq));
            } else if (a.startsWith("/") && a.endsWith("/java")) {
                a = "java";
            }
            shown.add(a);
        }
        return String.join(" ", shown);
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return path.endsWith("/") || slash < 0 ? path : path.substring(slash + 1);
    }

    private void collect() {
        int echoed = 0;
        int suppressed = 0;
        StringBuilder line = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                synchronized (out) {
                    out.append(s);
                    out.notifyAll();
                }
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    if (echoed < ECHO_LINES) {
                        System.out.println("  [" + name + "] " + line);
                        echoed++;
                    } else {
                        suppressed++;
                    }
                    line.setLength(0);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        if (suppressed > 0) {
            System.out.println("  [" + name + "] (" + suppressed + " more lines not shown)");
        }
    }

    /** How much output there is so far: {@link #await(int, String, long)} from here sees only what comes after. */
    int mark() {
        synchronized (out) {
            return out.length();
        }
    }

    String output() {
        synchronized (out) {
            return out.toString();
        }
    }

    Matcher await(String regex, long timeoutMs) throws IOException, InterruptedException {
        return await(0, regex, timeoutMs);
    }

    /**
     * Waits until the output after {@code from} matches {@code regex}; throws with the output if the process exits
     * first or after {@code timeoutMs}.
     */
    Matcher await(int from, String regex, long timeoutMs) throws IOException, InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (out) {
            while (true) {
                Matcher m = p.matcher(out);
                if (m.find(from)) {
                    return m;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IOException(name + ": no /" + regex + "/ after " + timeoutMs + " ms"
                            + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; output:\n"
                            + tail(out.toString()));
                }
                if (!process.isAlive()) {
                    deadline = Math.min(deadline, System.currentTimeMillis() + 500); // its last lines
                }
                out.wait(Math.min(left, 100));
            }
        }
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    /** Writes one command line to the process's stdin. */
    void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits for the exit and the end of the output; kills it and throws after {@code timeoutMs}. */
    int waitFor(long timeoutMs) throws IOException, InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(
                    name + ": still running after " + timeoutMs + " ms, killed; output:\n" + tail(output()));
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** SIGTERM, SIGKILL after 10 s; waits for the exit and the end of its output. */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy(); // not Process.destroy(): that would close our end of its output too
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(5_000);
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
}

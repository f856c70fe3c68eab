package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.provider.samples.Payload;
import io.modtcp.tun.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent with a real TUN device: a forked JVM started with only
 * {@code -javaagent:modtcp-agent.jar=tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1} (and the program's class path)
 * runs inside a private network namespace ({@link Netns}) that holds a persistent TUN device {@code mt0} whose kernel
 * side is 192.0.2.1/24. The JVM's TCP goes through modtcp and the device to the namespace's kernel stack, and nothing
 * leaves the namespace. On the build's JDK and on JDK 25 when present.
 *
 * <p>Needs root, {@code /dev/net/tun}, {@code ip}, {@code curl} and {@code python3}: under {@code CI=true} a missing one
 * fails the test, elsewhere it is skipped with the reason.
 */
class ProviderTunIT {
    static final String KERNEL = "192.0.2.1";
    static final String MODTCP = "192.0.2.2";
    static final String DEVICE = "mt0";
    static final int MTU = 1500;
    /** Multi-megabyte bodies, each way. */
    static final int BIG = 8 * 1024 * 1024 + 12345;

    static final Duration COMMAND = Duration.ofSeconds(60);

    @BeforeAll
    static void requireCapabilities() {
        List<String> missing = Netns.missingCapabilities("ss", "curl", "python3");
        if (!missing.isEmpty()) {
            String msg = "TUN provider tests need: " + String.join("; ", missing)
                    + " (apt-get install iproute2 curl python3; run as root)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(msg + " (CI=true: missing capabilities fail, never skip)");
            }
            Assumptions.abort(msg);
        }
    }

    static List<String> javas() {
        return ProviderAgentIT.javas().toList();
    }

    /** A namespace with {@code mt0} = 192.0.2.1/24 on the kernel side. */
    private static Netns namespace() throws IOException {
        Netns ns = Netns.create();
        try {
            ns.addTun(DEVICE, KERNEL + "/24", MTU);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static List<String> agentJvm(String java, String mainClass, String... args) throws IOException {
        String agent = System.getProperty("modtcp.agent.jar");
        assertTrue(Files.isRegularFile(Path.of(agent)), agent);
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-javaagent:" + agent + "=tun=" + DEVICE + ",address=" + MODTCP + "/24,gateway=" + KERNEL,
                "-cp",
                ProviderAgentIT.programClassPath(),
                mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldServeCurlInTheNamespaceFromJettyOnModTcp(String java, @TempDir Path tmp) throws Exception {
        try (Netns ns = namespace()) {
            Forked jetty = new Forked(
                    ns.start(ns.processBuilder(agentJvm(java, "io.modtcp.provider.samples.JettyServer", "8080", "200"))
                            .redirectErrorStream(true)));
            jetty.awaitLine("jetty port 8080", Duration.ofSeconds(60));

            // A small answer, exactly Jetty's, status line and body.
            String hello = ns.run(COMMAND, "curl", "-sS", "-i", "--max-time", "30", url("/hello?x=1"));
            assertTrue(hello.startsWith("HTTP/1.1 200 OK\r\n"), hello);
            assertTrue(hello.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), hello);
            assertTrue(hello.endsWith("\r\n\r\nhello from jetty /hello"), hello);

            // Multi-megabyte body modtcp → kernel, byte-exact.
            Path down = tmp.resolve("down.bin");
            String got = ns.run(
                    COMMAND,
                    "curl",
                    "-sS",
                    "--max-time",
                    "50",
                    "-o",
                    down.toString(),
                    "-w",
                    "%{http_code} %{size_download}",
                    url("/bytes/" + BIG));
            assertEquals("200 " + BIG, got.trim());
            byte[] expected = Payload.bytes(BIG);
            assertEquals(Payload.sha256(expected), Payload.sha256(Files.readAllBytes(down)));

            // Multi-megabyte body kernel → modtcp: Jetty answers the SHA-256 and length it read.
            Path up = tmp.resolve("up.bin");
            Files.write(up, expected);
            String digest = ns.run(
                    COMMAND,
                    "curl",
                    "-sS",
                    "--max-time",
                    "50",
                    "-H",
                    "Content-Type: application/octet-stream",
                    "--data-binary",
                    "@" + up,
                    url("/sha256"));
            assertEquals(Payload.sha256(expected) + " " + BIG, digest.trim());

            jetty.stdin("stop\n");
            String out = jetty.awaitExit(Duration.ofSeconds(60));
            System.out.println("---- " + java + " (Jetty on modtcp over " + DEVICE + " in " + ns.name() + ")\n" + out);
            assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
            assertTrue(out.contains(", " + DEVICE + " " + MODTCP + "/24 via " + KERNEL + " mtu " + MTU), out);
            assertTrue(figure(out, "serverChannels") >= 1, out);
            assertTrue(figure(out, "tcpPassiveOpens") >= 3, out);
            // 8 MiB each way in segments of at most 64 KiB (TUN offloads: super-segments; docs/tun.md): modtcp sent
            // and received them all itself.
            assertTrue(figure(out, "tcpInSegs") >= BIG / 65536, out);
            assertTrue(figure(out, "tcpOutSegs") >= BIG / 65536, out);
        }
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCarryJdkClientsToAKernelServerInTheNamespace(String java, @TempDir Path tmp) throws Exception {
        byte[] blob = Payload.bytes(BIG);
        Files.write(tmp.resolve("blob.bin"), blob);
        try (Netns ns = namespace()) {
            // The kernel's servers: python's http.server for the downloads, a digest sink for the upload.
            ns.start(ns.processBuilder(
                            "python3",
                            "-u",
                            "-m",
                            "http.server",
                            "--bind",
                            KERNEL,
                            "--directory",
                            tmp.toString(),
                            "8000")
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("http.log").toFile()));
            ns.start(ns.processBuilder("python3", "-u", "-c", SINK, KERNEL, "9000")
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("sink.log").toFile()));
            awaitListening(ns, KERNEL + ":8000", KERNEL + ":9000");

            Forked clients = new Forked(ns.start(ns.processBuilder(agentJvm(
                            java,
                            "io.modtcp.provider.samples.KernelClients",
                            KERNEL,
                            "8000",
                            "/blob.bin",
                            "9000",
                            Integer.toString(BIG)))
                    .redirectErrorStream(true)));
            String out = clients.awaitExit(Duration.ofSeconds(180));
            System.out.println("---- " + java + " (JDK clients on modtcp over " + DEVICE + " in " + ns.name() + ")\n"
                    + out + "---- python http.server log\n" + Files.readString(tmp.resolve("http.log")));
            String sha = Payload.sha256(blob);
            assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
            assertTrue(out.contains(", " + DEVICE + " " + MODTCP + "/24 via " + KERNEL + " mtu " + MTU), out);
            assertTrue(out.contains("httpclient 200 " + BIG + " " + sha), out);
            assertTrue(out.contains("urlconnection 200 " + BIG + " " + sha), out);
            assertTrue(out.contains("socket 200 " + BIG + " " + sha), out);
            assertTrue(out.contains("socket upload " + sha + " " + BIG), out);
            assertTrue(figure(out, "socketChannels") >= 1, out); // the HttpClient
            assertTrue(figure(out, "socketImpls") >= 3, out); // HttpURLConnection and the two Sockets
            assertTrue(figure(out, "tcpActiveOpens") >= 4, out);
            // Segments of at most 64 KiB (TUN offloads: super-segments).
            assertTrue(figure(out, "tcpInSegs") >= 3L * BIG / 65536, out);
            assertTrue(figure(out, "tcpOutSegs") >= BIG / 65536, out);
            // The kernel server saw modtcp's address as its client.
            String log = Files.readString(tmp.resolve("http.log"));
            assertTrue(log.contains(MODTCP + " - - ") && log.contains("\"GET /blob.bin HTTP/1.1\" 200"), log);
        }
    }

    /** Reads a connection to its end, then answers the SHA-256 (hex) and the byte count; one connection. */
    static final String SINK = String.join(
            "\n",
            "import hashlib, socket, sys",
            "s = socket.socket()",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind((sys.argv[1], int(sys.argv[2])))",
            "s.listen(1)",
            "c, _ = s.accept()",
            "h, n = hashlib.sha256(), 0",
            "while True:",
            "    b = c.recv(65536)",
            "    if not b:",
            "        break",
            "    h.update(b)",
            "    n += len(b)",
            "c.sendall(('%s %d\\n' % (h.hexdigest(), n)).encode())",
            "c.close()");

    private static String url(String path) {
        return "http://" + MODTCP + ":8080" + path;
    }

    /** Waits (at most 30 s) until the namespace's kernel listens on every {@code addrPort}. */
    private static void awaitListening(Netns ns, String... addrPorts) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String listening = "";
        while (System.nanoTime() - deadline < 0) {
            listening = ns.run(COMMAND, "ss", "-Htln");
            boolean all = true;
            for (String ap : addrPorts) {
                all &= listening.contains(ap + " ");
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
        Assertions.fail("kernel servers not listening on " + List.of(addrPorts) + " after 30 s:\n" + listening);
    }

    private static long figure(String out, String name) {
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in\n" + out);
        return Long.parseLong(m.group(1));
    }

    /** A started JVM whose output (standard error merged) is collected by a reader thread. */
    static final class Forked {
        private final Process process;
        private final StringBuffer out = new StringBuffer();
        private final Thread reader;

        Forked(Process process) {
            this.process = process;
            this.reader = new Thread(
                    () -> {
                        try (BufferedReader in = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = in.readLine()) != null; ) {
                                synchronized (out) {
                                    out.append(line).append('\n');
                                    out.notifyAll();
                                }
                            }
                        } catch (IOException e) {
                            out.append("[output: ").append(e).append("]\n");
                        }
                    },
                    "forked-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until the output holds {@code text}; fails with the output so far after {@code timeout}. */
        void awaitLine(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out) {
                while (out.indexOf(text) < 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                        Assertions.fail(
                                "no `" + text + "` from the forked JVM (alive=" + process.isAlive() + "):\n" + out);
                    }
                    out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        void stdin(String text) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Waits for the JVM to exit with status 0 (else fails with its output) and returns its output. */
        String awaitExit(Duration timeout) throws InterruptedException {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            String text = out.toString();
            assertTrue(exited, "forked JVM still running after " + timeout + ":\n" + text);
            assertEquals(0, process.exitValue(), text);
            return text;
        }
    }
}

package io.modtcp.samples;

import static io.modtcp.samples.Namespace.KERNEL;
import static io.modtcp.samples.Namespace.MODTCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samples on modtcp over a TUN device, with the Linux kernel on the other side, in a private namespace: the sample
 * JVM runs inside it with only the agent ({@code tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1}) and the kernel peers
 * ({@code curl}, {@code python3 -m http.server}) run there too. Multi-megabyte bodies are checked by SHA-256 against
 * the pattern computed here; modtcp's status line (printed at exit) must show the TUN interface and the traffic.
 */
class TunAppsIT {
    static final int MB = 8;
    static final long N = (long) MB << 20;
    static final Duration CURL = Duration.ofSeconds(60);

    @BeforeAll
    static void requireTun() {
        Namespace.requireCapabilities("curl", "python3", "sh", "sha256sum");
    }

    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldAnswerCurlOnTheKernelSideWithWireMockStubsOverTun(String java) throws Exception {
        String sha = SampleJvm.expectedSha256(N);
        String out;
        try (Namespace ns = Namespace.createWithTun()) {
            SampleJvm.Running jvm = ns.start(SampleJvm.command(
                    List.of(),
                    java,
                    Namespace.AGENT_ARGS,
                    List.of(
                            WireMockStubs.class.getName(),
                            "--host",
                            MODTCP,
                            "--port",
                            "8081",
                            "--mb",
                            Integer.toString(MB))));
            jvm.await("wiremock listening on http://" + MODTCP.replace(".", "\\.") + ":8081/", 90_000);
            String base = "http://" + MODTCP + ":8081";
            assertEquals(
                    "hello from wiremock\n", ns.run(CURL, "curl", "-sS", "--max-time", "30", base + "/stub/hello"));
            assertEquals(WireMockStubs.JSON, ns.run(CURL, "curl", "-sS", "--max-time", "30", base + "/stub/json"));
            assertEquals(
                    N + " " + sha,
                    ns.run(
                                    CURL,
                                    "sh",
                                    "-c",
                                    "curl -sS --max-time 50 " + base + "/stub/blob | wc -c | tr -d '\\n';"
                                            + " printf ' '; curl -sS --max-time 50 " + base + "/stub/blob | sha256sum")
                            .replace("  -", "")
                            .trim());
            assertEquals(
                    "201 /stub/orders/1",
                    ns.run(
                            CURL,
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code} %header{location}",
                            "-H",
                            "Content-Type: application/json",
                            "--data-binary",
                            "{\"item\":\"tcp\"}",
                            base + "/stub/orders"));
            jvm.stop();
            out = jvm.output();
        }
        assertModTcpCarriedIt(out, 5, N);
    }

    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldAnswerCurlOnTheKernelSideWithJettyOverHttp1AndH2cOverTun(String java) throws Exception {
        String sha = SampleJvm.expectedSha256(N);
        Path upload = Files.createTempFile("modtcp-upload-", ".bin");
        String out;
        try (Namespace ns = Namespace.createWithTun()) {
            try (OutputStream o = Files.newOutputStream(upload)) {
                Payload.write(o, N);
            }
            SampleJvm.Running jvm = ns.start(SampleJvm.command(
                    List.of(),
                    java,
                    Namespace.AGENT_ARGS,
                    List.of(JettyHello.class.getName(), "--host", MODTCP, "--port", "8080")));
            jvm.await("jetty listening on http://" + MODTCP.replace(".", "\\.") + ":8080/", 90_000);
            String base = "http://" + MODTCP + ":8080";
            assertEquals(
                    "hello from jetty over HTTP/1.1 to " + KERNEL + "\n",
                    ns.run(CURL, "curl", "-sS", "--max-time", "30", base + "/hello"));
            assertEquals(
                    "hello from jetty over HTTP/2.0 to " + KERNEL + "\n",
                    ns.run(CURL, "curl", "-sS", "--max-time", "30", "--http2-prior-knowledge", base + "/hello"));
            assertEquals(
                    "hello from jetty over HTTP/2.0 to " + KERNEL + "\n",
                    ns.run(CURL, "curl", "-sS", "--max-time", "30", "--http2", base + "/hello"));
            for (String flag : List.of("--http1.1", "--http2-prior-knowledge")) {
                assertEquals(
                        sha + "  -",
                        ns.run(
                                        CURL,
                                        "sh",
                                        "-c",
                                        "curl -sS --max-time 50 " + flag + " " + base + "/bytes/" + N + " | sha256sum")
                                .trim(),
                        flag);
                assertEquals(
                        sha + "  -",
                        ns.run(
                                        CURL,
                                        "sh",
                                        "-c",
                                        "curl -sS --max-time 50 " + flag + " --data-binary @" + upload + " " + base
                                                + "/echo | sha256sum")
                                .trim(),
                        flag + " POST");
            }
            jvm.stop();
            out = jvm.output();
        } finally {
            Files.deleteIfExists(upload);
        }
        assertModTcpCarriedIt(out, 5, 4 * N);
    }

    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldFetchFromAKernelServerWithJdkClientsOverTun(String java) throws Exception {
        String sha = SampleJvm.expectedSha256(N);
        Path dir = Files.createTempDirectory("modtcp-www-");
        Path big = dir.resolve("big.bin");
        String out;
        try (Namespace ns = Namespace.createWithTun()) {
            try (OutputStream o = Files.newOutputStream(big)) {
                Payload.write(o, N);
            }
            SampleJvm.Running server = ns.start(List.of(
                    "python3", "-u", "-m", "http.server", "8000", "--bind", KERNEL, "--directory", dir.toString()));
            server.await("Serving HTTP on " + KERNEL.replace(".", "\\."), 30_000);
            SampleJvm.Running jvm = ns.start(SampleJvm.command(
                    List.of(),
                    java,
                    Namespace.AGENT_ARGS,
                    List.of(
                            HttpGet.class.getName(),
                            "--client",
                            "jdk,urlconnection",
                            "--repeat",
                            "2",
                            "http://" + KERNEL + ":8000/big.bin")));
            assertEquals(0, jvm.waitFor(120_000), jvm.output());
            jvm.stop();
            out = jvm.output();
        } finally {
            Files.deleteIfExists(big);
            Files.deleteIfExists(dir);
        }
        for (String client : List.of("jdk", "urlconnection")) {
            String line =
                    client + " GET http://" + KERNEL + ":8000/big.bin -> 200 HTTP_1_1 bytes=" + N + " sha256=" + sha;
            assertEquals(2, out.split(Pattern.quote(line), -1).length - 1, line + " twice in\n" + out);
        }
        assertTrue(SampleJvm.figure(out, "tcpActiveOpens") >= 4, out);
        assertTrue(SampleJvm.figure(out, "socketImpls") >= 2, out); // HttpURLConnection's java.net.Socket
        // Segments of at most 64 KiB: TUN offloads take the kernel's super-segments whole (docs/tun.md).
        assertTrue(SampleJvm.figure(out, "tcpInSegs") >= 4 * N / 65536, out);
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        assertTrue(out.contains(MODTCP + "/24 via " + KERNEL), out);
    }

    /** The agent put the program on the TUN link and the stack carried at least these connections and bytes. */
    static void assertModTcpCarriedIt(String out, int passiveOpens, long bytesOut) {
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        assertTrue(out.contains(MODTCP + "/24 via " + KERNEL), out);
        assertTrue(SampleJvm.figure(out, "tcpPassiveOpens") >= passiveOpens, out);
        // Segments of at most 64 KiB (TUN offloads: super-segments).
        assertTrue(SampleJvm.figure(out, "tcpOutSegs") >= bytesOut / 65536, out);
    }
}

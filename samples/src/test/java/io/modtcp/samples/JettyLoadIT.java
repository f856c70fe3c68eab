package io.modtcp.samples;

import static io.modtcp.samples.Namespace.MODTCP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load: {@code wrk} on the kernel side of a namespace against Jetty on modtcp over TUN, {@value #SECONDS} s with
 * {@value #CONNECTIONS} connections, each response {@value #BODY} bytes (several segments). A Lua {@code response()}
 * function compares every body with the pattern; the run must show no socket error, no non-2xx response and no wrong
 * body, with every completed request counted as good.
 */
class JettyLoadIT {
    static final int SECONDS = 30;
    static final int CONNECTIONS = 100;
    static final int BODY = 16384;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldServeWrkWithoutErrorsAndWithEveryBodyCorrectOverTun() throws Exception {
        Namespace.requireCapabilities("wrk");
        Path script = Files.createTempFile("wrk-check-", ".lua");
        String wrk;
        String out;
        try (Namespace ns = Namespace.createWithTun()) {
            try (InputStream in = JettyLoadIT.class.getResourceAsStream("/wrk-check.lua")) {
                Files.write(script, in.readAllBytes());
            }
            SampleJvm.Running jvm = ns.start(SampleJvm.command(
                    List.of(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    Namespace.AGENT_ARGS,
                    List.of(JettyHello.class.getName(), "--host", MODTCP, "--port", "8080")));
            jvm.await("jetty listening on", 90_000);
            wrk = ns.run(
                    Duration.ofSeconds(SECONDS + 60),
                    "wrk",
                    "-t2",
                    "-c" + CONNECTIONS,
                    "-d" + SECONDS + "s",
                    "--timeout",
                    "10s",
                    "--latency",
                    "-s",
                    script.toString(),
                    "http://" + MODTCP + ":8080/bytes/" + BODY,
                    "--",
                    Integer.toString(BODY));
            System.out.println(wrk);
            jvm.stop();
            out = jvm.output();
        } finally {
            Files.deleteIfExists(script);
        }
        Matcher m = Pattern.compile("wrk-check good=(\\d+) wrong=(\\d+) non2xx=(\\d+) requests=(\\d+) connect=(\\d+)"
                        + " read=(\\d+) write=(\\d+) status=(\\d+) timeout=(\\d+)")
                .matcher(wrk);
        assertTrue(m.find(), wrk);
        long good = Long.parseLong(m.group(1));
        long requests = Long.parseLong(m.group(4));
        assertEquals(0, Long.parseLong(m.group(2)), "wrong bodies\n" + wrk);
        assertEquals(0, Long.parseLong(m.group(3)), "non-2xx\n" + wrk);
        for (int g = 5; g <= 9; g++) {
            assertEquals(0, Long.parseLong(m.group(g)), "socket errors\n" + wrk);
        }
        assertEquals(requests, good, wrk);
        assertTrue(requests >= 1000L * SECONDS / 10, "too few requests for a " + SECONDS + " s run:\n" + wrk);
        assertTrue(!wrk.contains("Socket errors") && !wrk.contains("Non-2xx"), wrk);
        // modtcp carried every connection: wrk's 100 (and no reconnects, as there were no errors)
        assertTrue(SampleJvm.figure(out, "tcpPassiveOpens") >= CONNECTIONS, out);
        // At least one segment per body: with TUN offloads a 16 KiB body can go as one super-segment (docs/tun.md).
        assertTrue(SampleJvm.figure(out, "tcpOutSegs") >= requests * ((BODY + 65535) / 65536), out);
        System.out.println("wrk over modtcp/TUN: " + requests + " requests in " + SECONDS + " s (" + requests / SECONDS
                + "/s), " + CONNECTIONS + " connections, all bodies correct");
    }
}

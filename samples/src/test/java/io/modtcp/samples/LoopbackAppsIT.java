package io.modtcp.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samples, unmodified, in one forked JVM started with only the agent: servers and clients over modtcp's in-JVM
 * loopback ({@link LoopbackTour}). Every multi-megabyte body is checked byte for byte (SHA-256 against the pattern
 * computed here), h2c must really negotiate HTTP/2, and modtcp's counters must show it carried the connections.
 */
class LoopbackAppsIT {
    static final int MB = 8;

    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldServeJettyAndWireMockToJdkClientsByteExactOverTheInJvmLoopback(String java) throws Exception {
        String sha = SampleJvm.expectedSha256((long) MB << 20);
        String out;
        int exit;
        try (SampleJvm.Running jvm = SampleJvm.start(SampleJvm.command(
                List.of(), java, null, List.of(LoopbackTour.class.getName(), "--mb", Integer.toString(MB))))) {
            exit = jvm.waitFor(150_000);
            jvm.stop();
            out = jvm.output();
        }
        assertEquals(0, exit, out);
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        assertTrue(out.contains("modtcp stack up: lo 127.0.0.1/8"), out);
        long n = (long) MB << 20;
        for (String name : List.of("jetty-bytes-h1", "jetty-echo-h1", "wiremock-blob")) {
            assertExchange(out, name, "jdk", "HTTP_1_1", n, sha);
        }
        for (String name : List.of("jetty-bytes-h2c", "jetty-file-h2c")) {
            assertExchange(out, name, "jdk", "HTTP_2", n, sha);
        }
        for (String name : List.of("jetty-file-urlconnection", "jetty-echo-urlconnection")) {
            assertExchange(out, name, "urlconnection", "HTTP_1_1", n, sha);
        }
        assertTrue(out.contains("wiremock-post: jdk POST ") && out.contains("-> 201 Location=/stub/orders/1 ok"), out);
        assertTrue(out.contains("echo: echo ok 200/200"), out);
        String bulkSha = SampleJvm.expectedSha256(4 * n);
        assertTrue(out.contains("server got " + 4 * n + " " + bulkSha + " match=true ok"), out);
        assertTrue(out.contains("tour ok 13/13"), out);
        // modtcp carried it: both socket kinds, and at least one connection per exchange
        assertTrue(SampleJvm.figure(out, "socketChannels") >= 10, out);
        assertTrue(SampleJvm.figure(out, "serverChannels") >= 3, out);
        assertTrue(SampleJvm.figure(out, "socketImpls") >= 4, out);
        assertTrue(SampleJvm.figure(out, "tcpActiveOpens") >= 12, out);
        assertTrue(SampleJvm.figure(out, "tcpInSegs") > 5 * n / 65535, out);
    }

    static void assertExchange(String out, String name, String client, String version, long bytes, String sha) {
        Matcher m = Pattern.compile("(?m)^" + name + ": " + client + " (GET|POST) \\S+ -> 200 " + version + " bytes="
                        + bytes + " sha256=" + sha + " ok$")
                .matcher(out);
        assertTrue(m.find(), name + " (" + client + ", " + version + ", " + bytes + " bytes, " + sha + ") in\n" + out);
    }
}

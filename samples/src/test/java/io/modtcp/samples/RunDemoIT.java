package io.modtcp.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-command demo, {@code ./run-demo}, as a user runs it (with {@code --no-build}: this build has just built
 * it). With root it must take the TUN path (curl on the kernel side, Jetty on modtcp); with {@code --loopback} it must
 * say it falls back and run everything in one JVM. Either way it must leave no namespace and no JVM behind.
 */
class RunDemoIT {
    static final Path SCRIPT =
            Path.of(System.getProperty("modtcp.repo"), "run-demo").normalize();

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldTakeTheTunPathAnsweringCurlAndRemoveWhatItCreated() throws Exception {
        Namespace.requireCapabilities("curl");
        String out = runDemo(List.of("--no-build"));
        assertTrue(out.contains("[run-demo] TUN path: namespace mtns-"), out);
        assertTrue(out.contains("/hello -> hello from jetty over HTTP/1.1 to 192.0.2.1"), out);
        assertTrue(
                out.contains("--http2-prior-knowledge  http://192.0.2.2:8080/hello -> hello from jetty over HTTP/2.0"),
                out);
        String sha = SampleJvm.expectedSha256(4 << 20);
        assertEquals(
                2,
                out.split(sha + " \\(sha256 of 4 MiB: the expected bytes\\)", -1).length - 1,
                "two 4 MiB bodies with " + sha + "\n" + out);
        assertTrue(
                out.contains("modtcp stack up: lo 127.0.0.1/8 ::1/128 mtu 65535, mt0 192.0.2.2/24 via 192.0.2.1"), out);
        assertTrue(SampleJvm.figure(out, "tcpPassiveOpens") >= 5, out);
        assertTrue(out.contains("done: Jetty on modtcp answered curl over a TUN device (TUN path)"), out);
        Matcher ns = java.util.regex.Pattern.compile("namespace (mtns-\\d+-0)").matcher(out);
        assertTrue(ns.find(), out);
        assertFalse(
                Namespace.runHere(Duration.ofSeconds(30), "ip", "netns", "list").contains(ns.group(1)), ns.group(1));
        assertJvmGone(out);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldFallBackToTheInJvmLoopbackAndSaySo() throws Exception {
        String out = runDemo(List.of("--no-build", "--loopback"));
        assertTrue(out.contains("[run-demo] no TUN path here: ") && out.contains("--loopback given"), out);
        assertTrue(out.contains("falling back to modtcp's in-JVM loopback"), out);
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        assertTrue(out.contains("tour ok 13/13"), out);
        assertTrue(SampleJvm.figure(out, "tcpActiveOpens") >= 12, out);
        assertTrue(out.contains("(loopback fallback, not TUN)"), out);
        assertJvmGone(out);
    }

    private static String runDemo(List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment()
                .put(
                        "JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        SampleJvm.Running demo = new SampleJvm.Running(pb.start());
        System.out.println("$ " + String.join(" ", cmd));
        int exit = demo.waitFor(120_000);
        String out = demo.output();
        assertEquals(0, exit, out);
        return out;
    }

    private static void assertJvmGone(String out) {
        Matcher pid = java.util.regex.Pattern.compile("JVM pid (\\d+)").matcher(out);
        assertTrue(pid.find(), out);
        assertTrue(ProcessHandle.of(Long.parseLong(pid.group(1))).isEmpty(), "JVM " + pid.group(1) + " still runs");
    }
}

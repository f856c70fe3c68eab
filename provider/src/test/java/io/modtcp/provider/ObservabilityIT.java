package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java -jar modtcp-agent.jar ss <pid>} and {@code nstat <pid>} against a live JVM started with only
 * {@code -javaagent} and holding a loopback connection (modtcp's in-JVM loopback): the tool attaches, reads the
 * {@code io.modtcp:type=Stack} MBean over JMX and prints both ends of the connection with their queues, RTT and cwnd,
 * and the counters. A JVM without the agent is refused by name.
 */
class ObservabilityIT {
    static List<String> javas() {
        return ProviderAgentIT.javas().collect(java.util.stream.Collectors.toList());
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldPrintTheConnectionsAndCountersOfALiveModTcpJvm(String java) throws Exception {
        String agent = System.getProperty("modtcp.agent.jar");
        assertTrue(Files.isRegularFile(Path.of(agent)), agent);
        Path jfr = Files.createTempFile("modtcp-held", ".jfr");
        Process target = new ProcessBuilder(
                        java,
                        "-XX:StartFlightRecording:filename=" + jfr,
                        "-javaagent:" + agent,
                        "-cp",
                        ProviderAgentIT.programClassPath(),
                        "io.modtcp.provider.samples.HeldConnection")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            int port = Integer.parseInt(ready(target).substring("ready ".length()));
            String pid = String.valueOf(target.pid());

            String ss = tool(java, agent, "ss", pid);
            assertTrue(ss.startsWith("exit=0\n"), ss);
            assertTrue(ss.contains("State") && ss.contains("Recv-Q") && ss.contains("Peer Address:Port"), ss);
            // The client end (to the server's port) and the accepted end (on it); 600 bytes unread at the server.
            Matcher client = Pattern.compile(
                            "ESTAB\\s+0\\s+0\\s+127\\.0\\.0\\.1:(\\d+)\\s+127\\.0\\.0\\.1:" + port + "\\s")
                    .matcher(ss);
            assertTrue(client.find(), ss);
            int clientPort = Integer.parseInt(client.group(1));
            assertTrue(
                    Pattern.compile("ESTAB\\s+600\\s+0\\s+127\\.0\\.0\\.1:" + port + "\\s+127\\.0\\.0\\.1:" + clientPort
                                    + "\\s")
                            .matcher(ss)
                            .find(),
                    ss);
            // The listener, as ss -tina shows one: its accept queue (empty) as Recv-Q, its backlog (1) as Send-Q.
            assertTrue(
                    Pattern.compile("LISTEN\\s+0\\s+1\\s+127\\.0\\.0\\.1:" + port + "\\s+0\\.0\\.0\\.0:\\*\\s")
                            .matcher(ss)
                            .find(),
                    ss);
            Matcher info = Pattern.compile(
                            "rtt:(\\d+\\.\\d+)/\\d+\\.\\d+ .*cwnd:(\\d+) .*bytes_sent:1000 .*retrans:\\d+")
                    .matcher(ss);
            assertTrue(info.find(), ss);
            assertTrue(Integer.parseInt(info.group(2)) > 0, ss);

            String nstat = tool(java, agent, "nstat", pid);
            assertTrue(nstat.startsWith("exit=0\n"), nstat);
            assertEquals("1", counter(nstat, "TCP_ACTIVE_OPENS"), nstat);
            assertEquals("1", counter(nstat, "TCP_PASSIVE_OPENS"), nstat);
            counter(nstat, "TCP_RETRANS_SEGS");
            // A second run finds the connector started by the first.
            assertTrue(tool(java, agent, "ss", pid).startsWith("exit=0\n"));

            // The recording the JVM started with (dumped at exit) has the connection's opening under the agent.
            target.getOutputStream().close();
            assertTrue(target.waitFor(30, TimeUnit.SECONDS));
            List<String> states = new ArrayList<>();
            long samples = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                String type = e.getEventType().getName();
                if (!type.startsWith("io.modtcp.")
                        || !e.hasField("localPort")
                        || e.getInt("localPort") != clientPort
                        || e.getInt("remotePort") != port) {
                    continue;
                }
                if (type.equals("io.modtcp.StateChange")) {
                    states.add(e.getString("from") + ">" + e.getString("to"));
                } else if (type.equals("io.modtcp.ConnectionSample") && e.getLong("bytesSent") == 1000) {
                    samples++;
                }
            }
            assertEquals(List.of("CLOSED>SYN_SENT", "SYN_SENT>ESTABLISHED"), states.subList(0, 2), states.toString());
            assertTrue(samples > 0, "periodic samples of the client connection");
        } finally {
            target.getOutputStream().close();
            if (!target.waitFor(20, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
            Files.deleteIfExists(jfr);
        }
    }

    /** The target's "ready <port>" line (JFR may print its own lines first). */
    private static String ready(Process target) throws Exception {
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("ready ")) {
                return line;
            }
        }
        throw new AssertionError("the target ended without saying ready");
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAJvmWithoutTheAgent(String java) throws Exception {
        String agent = System.getProperty("modtcp.agent.jar");
        Process target = new ProcessBuilder(
                        java, "-cp", ProviderAgentIT.programClassPath(), "io.modtcp.provider.samples.HeldConnection")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            ready(target);
            String ss = tool(java, agent, "ss", String.valueOf(target.pid()));
            assertTrue(ss.startsWith("exit=1\n") && ss.contains("does not run the modtcp agent"), ss);
        } finally {
            target.getOutputStream().close();
            if (!target.waitFor(20, TimeUnit.SECONDS)) {
                target.destroyForcibly();
            }
        }
    }

    private static String counter(String nstat, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\s+(\\d+)$").matcher(nstat);
        assertTrue(m.find(), name + " in\n" + nstat);
        return m.group(1);
    }

    /** {@code java -jar modtcp-agent.jar <command> <pid>}: "exit=N\n" and its output. */
    private static String tool(String java, String agent, String command, String pid) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", agent, command, pid));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        System.out.println("---- " + cmd + "\n" + out);
        return "exit=" + p.exitValue() + "\n" + out;
    }
}

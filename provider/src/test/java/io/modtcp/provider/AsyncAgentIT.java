package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An unmodified NIO.2 program ({@code samples.AsyncEcho}: an asynchronous server and client on 127.0.0.1 in a
 * fixed-pool group) in a forked JVM, on the build's JDK and on JDK 25: with only the agent, and with only the provider
 * property. Its connection is on modtcp: the asynchronous provider is modtcp's, the listener exists only on modtcp
 * (the kernel has none on that port), and modtcp's counters saw the channels and the handshake.
 */
class AsyncAgentIT {
    @ParameterizedTest
    @MethodSource("io.modtcp.provider.ProviderAgentIT#javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunAnAsynchronousChannelProgramOverModTcpWithOnlyTheAgent(String java) throws Exception {
        String out = run(java, List.of("-javaagent:" + System.getProperty("modtcp.agent.jar")));
        assertOnModTcp(out);
        // the synchronous provider too, as before
        assertTrue(out.contains("selectors="), out);
    }

    @ParameterizedTest
    @MethodSource("io.modtcp.provider.ProviderAgentIT#javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunAnAsynchronousChannelProgramOverModTcpWithOnlyTheProviderProperty(String java) throws Exception {
        String out = run(
                java,
                List.of(
                        "-Djava.nio.channels.spi.AsynchronousChannelProvider="
                                + "io.modtcp.provider.ModTcpAsynchronousChannelProvider",
                        "-cp",
                        ProviderAgentIT.programClassPath()
                                + File.pathSeparator
                                + System.getProperty("modtcp.agent.jar")));
        assertOnModTcp(out);
    }

    private static void assertOnModTcp(String out) {
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("asyncProvider=io.modtcp.provider.ModTcpAsynchronousChannelProvider"), out);
        for (int i = 0; i < 3; i++) {
            assertTrue(out.contains("async echo line " + i), out);
        }
        assertTrue(out.contains("async read timeout java.nio.channels.InterruptedByTimeoutException"), out);
        assertTrue(out.contains("group terminated true"), out);
        // one client and one accepted channel, one listener, one handshake each way, all on modtcp
        assertEquals(2, figure(out, "socketChannels"), out);
        assertEquals(1, figure(out, "serverChannels"), out);
        assertEquals(1, figure(out, "tcpActiveOpens"), out);
        assertEquals(1, figure(out, "tcpPassiveOpens"), out);
        assertEquals(0, figure(out, "kernelLoopbackConnects"), out);
    }

    private static String run(String java, List<String> jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        if (!jvmArgs.contains("-cp")) {
            cmd.add("-cp");
            cmd.add(ProviderAgentIT.programClassPath());
        }
        cmd.add("io.modtcp.provider.samples.AsyncEcho");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), out);
        System.out.println("---- " + cmd + "\n" + out);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    private static long figure(String out, String name) {
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in\n" + out);
        return Long.parseLong(m.group(1));
    }
}

package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's native-transport guard, in forked JVMs started with the agent jar (as {@link ProviderAgentIT}, on the
 * build's JDK and on JDK 25): the program's {@code main} sees Netty's {@code noNative} properties set, unless the user
 * set them or gave {@code nativeTransports=allow}; the agent's start-up line says which it set.
 */
class NativeTransportGuardIT {
    private static final String PLAIN = "io.netty.transport.noNative";
    private static final String SHADED = "io.grpc.netty.shaded.io.netty.transport.noNative";

    static java.util.stream.Stream<String> javas() {
        return ProviderAgentIT.javas();
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSetBothGuardsBeforeMainWhenUnset(String java) throws Exception {
        String out = run(java, List.of("-javaagent:" + agent()));
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("main sees " + PLAIN + "=true"), out);
        assertTrue(out.contains("main sees " + SHADED + "=true"), out);
        assertTrue(
                out.contains("modtcp agent: native-transport guards set: " + PLAIN + "=true, " + SHADED + "=true"),
                out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLeaveAGuardTheUserSetAsItIs(String java) throws Exception {
        String out = run(java, List.of("-D" + PLAIN + "=false", "-javaagent:" + agent()));
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("main sees " + PLAIN + "=false"), out);
        assertTrue(out.contains("main sees " + SHADED + "=true"), out);
        assertTrue(
                out.contains("native-transport guards set: " + SHADED + "=true; left as the user set them: " + PLAIN
                        + "=false"),
                out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSetNoGuardWithTheOptOut(String java) throws Exception {
        String out = run(java, List.of("-javaagent:" + agent() + "=nativeTransports=allow"));
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("main sees " + PLAIN + "=null"), out);
        assertTrue(out.contains("main sees " + SHADED + "=null"), out);
        assertTrue(out.contains("modtcp agent: nativeTransports=allow: no native-transport guard set"), out);
        assertFalse(out.contains("guards set:"), out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStopAtStartUpNamingTheKeyOfABadOptOutValue(String java) throws Exception {
        String out = run(java, List.of("-javaagent:" + agent() + "=nativeTransports=maybe"));
        assertTrue(out.contains("modtcp.nativeTransports='maybe': expected guard or allow"), out);
        assertTrue(out.startsWith("exit=") && !out.startsWith("exit=0"), out);
        assertFalse(out.contains("main sees"), out);
    }

    private static String agent() {
        String agent = System.getProperty("modtcp.agent.jar");
        assertTrue(Files.isRegularFile(Path.of(agent)), agent);
        return agent;
    }

    /** Runs {@code PrintNativeGuards}; returns "exit=N\n" and its output. */
    private static String run(String java, List<String> jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(ProviderAgentIT.programClassPath());
        cmd.add("io.modtcp.provider.samples.PrintNativeGuards");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), out);
        System.out.println("---- " + cmd + "\n" + out);
        return "exit=" + p.exitValue() + "\n" + out;
    }
}

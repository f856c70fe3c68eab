package io.modtcp.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GrpcHello}, unmodified, in a forked JVM with only the agent: gRPC's default transport is the copy of Netty
 * inside {@code grpc-netty-shaded}, which would use Linux epoll (and the kernel) if the agent did not switch native
 * transports off. With the defaults the calls must run on modtcp; with {@code nativeTransports=allow} the same program
 * must find epoll usable and modtcp must carry nothing (the opt-out works, and the first case is not vacuous: epoll
 * really loads on this machine).
 */
class GrpcHelloIT {
    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunGrpcOnModtcpWithTheDefaults(String java) throws Exception {
        String out = run(java, null);
        assertTrue(out.contains("exit=0"), out);
        assertTrue(out.contains("native-transport guards set: "), out);
        assertTrue(out.contains("grpc: epoll=false"), out);
        assertTrue(out.contains("grpc ok unary 100/100 stream 2000/2000 in order"), out);
        // the server's listening channel and both ends of the HTTP/2 connection are modtcp's
        assertEquals(1, SampleJvm.figure(out, "serverChannels"), out);
        assertEquals(1, SampleJvm.figure(out, "tcpActiveOpens"), out);
        assertEquals(1, SampleJvm.figure(out, "tcpPassiveOpens"), out);
        assertTrue(SampleJvm.figure(out, "tcpInSegs") > 200, out);
    }

    @ParameterizedTest
    @MethodSource("io.modtcp.samples.SampleJvm#javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLeaveGrpcOnEpollAndTheKernelWithTheOptOut(String java) throws Exception {
        String out = run(java, "nativeTransports=allow");
        assertTrue(out.contains("exit=0"), out);
        assertTrue(out.contains("grpc: epoll=true"), out);
        assertTrue(out.contains("grpc ok unary 100/100 stream 2000/2000 in order"), out);
        assertEquals(0, SampleJvm.figure(out, "serverChannels"), out);
        assertEquals(0, SampleJvm.figure(out, "socketChannels"), out);
        assertEquals(0, SampleJvm.figure(out, "tcpActiveOpens"), out);
    }

    private static String run(String java, String agentArgs) throws Exception {
        try (SampleJvm.Running jvm = SampleJvm.start(SampleJvm.command(
                List.of(),
                java,
                agentArgs,
                List.of(GrpcHello.class.getName(), "--count", "100", "--stream", "2000")))) {
            int exit = jvm.waitFor(100_000);
            jvm.stop();
            return "exit=" + exit + "\n" + jvm.output();
        }
    }
}

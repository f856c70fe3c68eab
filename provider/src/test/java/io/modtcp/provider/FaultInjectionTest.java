package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults on the in-JVM loopback of a stack of its own, from configuration and at run time. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
    private static final int EXCHANGES = 200;

    /**
     * A request/response conversation on {@code rt}: {@code EXCHANGES} times 100 bytes up and 1000 back, checked, then
     * a close from each side.
     */
    static void conversation(ModTcpRuntime rt) throws Exception {
        ModTcpSelectorProvider modtcp = new ModTcpSelectorProvider(rt);
        try (ServerSocket ss = modtcp.serverSocketFactory().createServerSocket(0)) {
            Thread server = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    byte[] request = new byte[100];
                    byte[] response = new byte[1000];
                    for (int i = 0; i < EXCHANGES; i++) {
                        in.readFully(request);
                        response[0] = request[0];
                        out.write(response);
                    }
                    if (in.read() != -1) {
                        throw new IllegalStateException("more than " + EXCHANGES + " requests");
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            server.start();
            try (Socket c = modtcp.socketFactory().createSocket("127.0.0.1", ss.getLocalPort())) {
                c.setSoTimeout(60_000);
                DataInputStream in = new DataInputStream(c.getInputStream());
                OutputStream out = c.getOutputStream();
                byte[] request = new byte[100];
                byte[] response = new byte[1000];
                for (int i = 0; i < EXCHANGES; i++) {
                    request[0] = (byte) i;
                    out.write(request);
                    in.readFully(response);
                    assertEquals((byte) i, response[0]);
                }
                // Both FINs delivered before the counters are read: only the last pure ACK is still to come.
                c.shutdownOutput();
                assertEquals(-1, in.read());
            }
            server.join(60_000);
        }
    }

    private static FaultCounters run(String agentArgs) throws Exception {
        try (ModTcpRuntime rt = ModTcpRuntime.start(ModTcpConfig.parse(ModTcpConfig.parseAgentArgs(agentArgs)))) {
            conversation(rt);
            return rt.faultCounters();
        }
    }

    @Test
    void theSameSeedLosesTheSamePacketsInAnotherStackAndAnotherSeedOthers() throws Exception {
        FaultCounters first = run("loss=2%,seed=42");
        FaultCounters again = run("loss=2%,seed=42");
        FaultCounters other = run("loss=2%,seed=43");
        assertTrue(first.lostFirstSends() > 0 && first.lost() >= first.lostFirstSends(), first.toString());
        assertTrue(first.retransmits() > 0, first.toString());
        assertEquals(first.lostFirstSends(), again.lostFirstSends(), first + " / " + again);
        assertEquals(first.lostFingerprint(), again.lostFingerprint(), first + " / " + again);
        assertNotEquals(first.lostFingerprint(), other.lostFingerprint(), first + " / " + other);
    }

    @Test
    void faultsSetAndClearedAtRunTimeApplyToTheNextPackets() throws Exception {
        try (ModTcpRuntime rt = ModTcpRuntime.start(ModTcpConfig.parse(Map.of("seed", "5")))) {
            assertTrue(rt.faults().isNone());
            conversation(rt);
            assertEquals(0, rt.faultCounters().lost());
            rt.setFaults(FaultSpec.parse("loss=3%,duplicate=1%"));
            assertEquals(5L, rt.faults().seed(), "the stack's seed when the spec has none");
            conversation(rt);
            FaultCounters c = rt.faultCounters();
            assertTrue(c.lost() > 0 && c.duplicated() > 0 && c.retransmits() > 0, c.toString());
            rt.setFaults(FaultSpec.NONE);
            assertEquals(0, rt.faultCounters().sent());
            conversation(rt);
            assertEquals(0, rt.faultCounters().sent());
        }
    }

    @Test
    void delayHoldsEveryPacketOnTheStackThreadsOwnTimers() throws Exception {
        try (ModTcpRuntime rt = ModTcpRuntime.start(ModTcpConfig.parse(Map.of("delay", "20ms")))) {
            ModTcpSelectorProvider modtcp = new ModTcpSelectorProvider(rt);
            try (ServerSocket ss = modtcp.serverSocketFactory().createServerSocket(0);
                    Socket c = modtcp.socketFactory().createSocket("127.0.0.1", ss.getLocalPort());
                    Socket s = ss.accept()) {
                byte[] b = new byte[5];
                long start = System.nanoTime();
                c.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                new DataInputStream(in).readFully(b);
                long oneWayNs = System.nanoTime() - start;
                assertArrayEquals("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), b);
                // A lower bound only: the data segment cannot arrive before its 20 ms delay.
                assertTrue(oneWayNs >= 20_000_000L, oneWayNs + " ns");
            }
        }
    }

    @Test
    void aRuntimeOfAGivenStackHasNoFaultLinks() {
        io.modtcp.stack.NetStack stack =
                io.modtcp.stack.NetStack.builder().loopback().build();
        try (ModTcpRuntime rt = ModTcpRuntime.start(stack, "modtcp-test-given")) {
            assertThrows(IllegalStateException.class, () -> rt.setFaults(FaultSpec.parse("loss=1%")));
        }
    }
}

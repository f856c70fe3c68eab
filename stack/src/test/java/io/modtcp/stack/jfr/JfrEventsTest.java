package io.modtcp.stack.jfr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.runtime.FlightRecorderSupport;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.sim.TwoStacks;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code io.modtcp.*} JFR events, recorded in process and read back with {@link RecordingFile}: a lossy transfer
 * between two stacks on a virtual clock (5 % loss and 1 % corruption on the data direction) must leave one
 * retransmission event per retransmitted segment, one RTO event per expiry, the state changes of both ends with their
 * 4-tuples, and one drop event per counted drop; a live connection on a real stack thread is sampled periodically.
 */
class JfrEventsTest {
    private static final int BYTES = 300_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldRecordALossyTransfersLifeWithItsFourTuple() throws Exception {
        FaultModel data = FaultModel.NONE
                .withLossRate(0.05)
                .withCorruptRate(0.01)
                .withDelayNs(5_000_000)
                .withRateBitsPerSecond(20_000_000);
        FaultModel acks = FaultModel.NONE.withDelayNs(5_000_000);
        byte[] payload = new byte[BYTES];
        new SplittableRandom(7).nextBytes(payload);
        Path file = dir.resolve("lossy.jfr");
        long retransA;
        long rtosA;
        Map<String, Long> dropsB;
        int clientPort;
        try (Recording recording = new Recording();
                TwoStacks net = new TwoStacks(7, data, acks, TcpConfig.DEFAULT, 1500)) {
            recording.enable("io.modtcp.ConnectionOpened");
            recording.enable("io.modtcp.ConnectionClosed");
            recording.enable("io.modtcp.StateChange");
            recording.enable("io.modtcp.Retransmission");
            recording.enable("io.modtcp.RetransmissionTimeout");
            recording.enable("io.modtcp.RecoveryEntered");
            recording.enable("io.modtcp.RecoveryExited");
            recording.enable("io.modtcp.Drop");
            // Custom events are on by default; the periodic sample would queue a command on these hand-driven stacks
            // from JFR's thread at a real-time instant, making the run depend on timing.
            recording.disable("io.modtcp.ConnectionSample");
            recording.start();
            assertTrue(FlightRecorderSupport.available());
            try (AutoCloseable ja = FlightRecorderSupport.install(net.a);
                    AutoCloseable jb = FlightRecorderSupport.install(net.b)) {
                assertNotNull(ja);
                assertNotNull(jb);
                TcpSocket server = net.b.openSocket();
                server.bind(TwoStacks.ADDR_B, 80);
                server.listen(4);
                TcpSocket client = net.a.openSocket();
                client.connect(TwoStacks.ADDR_B, 80, 0);
                TcpSocket[] accepted = new TcpSocket[1];
                assertTrue(net.runUntil(() -> (accepted[0] = acceptNow(server)) != null, 60_000_000_000L));
                clientPort = client.localPort();
                ByteBuffer src = ByteBuffer.wrap(payload);
                ByteBuffer dst = ByteBuffer.allocate(BYTES);
                assertTrue(
                        net.runUntil(
                                () -> {
                                    try {
                                        client.write(src, 0);
                                        accepted[0].read(dst, 0);
                                    } catch (Exception e) {
                                        throw new AssertionError(e);
                                    }
                                    return !dst.hasRemaining();
                                },
                                600_000_000_000L),
                        "transfer did not finish: " + dst.position() + " t=" + net.clock.nanoTime() + " next="
                                + net.nextEventNs() + " inflight=" + net.pair.inFlightAToB() + " "
                                + net.a.tcp().connections() + " " + net.b.tcp().connections() + "\n" + net.a.counters()
                                + "\n" + net.b.counters());
                assertArrayEquals(payload, dst.array());
                client.close();
                net.advance(1_000_000_000L);
                accepted[0].close();
                server.close();
                // TIME-WAIT (2 MSL) ends on the virtual clock: both connections are gone.
                assertTrue(net.runUntil(
                        () -> net.a.tcp().connections().isEmpty()
                                && net.b.tcp().connections().isEmpty(),
                        600_000_000_000L));
            }
            retransA = net.a.counters().get(Counter.TCP_RETRANS_SEGS);
            rtosA = net.a.counters().get(Counter.TCP_RTO_EXPIRIES);
            dropsB = new TreeMap<>();
            for (Counter c : Counter.values()) {
                long v = net.b.counters().get(c);
                if (Counters.isDrop(c) && v > 0) {
                    dropsB.put(c.name(), v);
                }
            }
            recording.stop();
            recording.dump(file);
        }
        System.out.println("lossy transfer: retransmitted " + retransA + ", RTOs " + rtosA + ", drops at B " + dropsB);
        assertTrue(retransA > 0, "the loss must cause retransmissions");
        assertTrue(
                dropsB.containsKey(Counter.IP_DROP_BAD_CHECKSUM.name())
                        || dropsB.containsKey(Counter.TCP_DROP_BAD_CHECKSUM.name()),
                "corruption must cause drops: " + dropsB);

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        String a = TwoStacks.ADDR_A.toString();
        String b = TwoStacks.ADDR_B.toString();
        // The client's view of the 4-tuple, and the server's.
        List<RecordedEvent> clientSide = events.stream()
                .filter(e -> e.getEventType().getName().startsWith("io.modtcp.")
                        && e.hasField("localAddress")
                        && a.equals(e.getString("localAddress"))
                        && e.getInt("localPort") == clientPort
                        && b.equals(e.getString("remoteAddress"))
                        && e.getInt("remotePort") == 80)
                .collect(Collectors.toList());
        List<RecordedEvent> serverSide = events.stream()
                .filter(e -> e.hasField("localAddress")
                        && b.equals(e.getString("localAddress"))
                        && e.getInt("localPort") == 80
                        && a.equals(e.getString("remoteAddress"))
                        && e.getInt("remotePort") == clientPort)
                .collect(Collectors.toList());

        assertEquals(retransA, count(clientSide, "io.modtcp.Retransmission"), "one event per retransmitted segment");
        assertEquals(rtosA, count(clientSide, "io.modtcp.RetransmissionTimeout"), "one event per RTO");
        assertEquals(
                count(clientSide, "io.modtcp.RecoveryEntered"),
                count(clientSide, "io.modtcp.RecoveryExited"),
                "each recovery episode ends");
        assertTrue(count(clientSide, "io.modtcp.RecoveryEntered") > 0, "5 % loss draws fast recovery");
        for (RecordedEvent e : clientSide) {
            if (e.getEventType().getName().equals("io.modtcp.Retransmission")) {
                assertTrue(e.getInt("length") > 0);
                assertTrue(e.getInt("cwnd") > 0);
            }
        }

        assertEquals(1, count(clientSide, "io.modtcp.ConnectionOpened"));
        assertEquals(1, count(clientSide, "io.modtcp.ConnectionClosed"));
        assertEquals(1, count(serverSide, "io.modtcp.ConnectionOpened"));
        assertEquals(1, count(serverSide, "io.modtcp.ConnectionClosed"));
        RecordedEvent closed = only(clientSide, "io.modtcp.ConnectionClosed");
        assertEquals(retransA, closed.getLong("retransmits"));
        assertTrue(closed.getLong("bytesSent") >= BYTES, "bytes sent " + closed.getLong("bytesSent"));

        List<String> client = states(clientSide);
        List<String> server = states(serverSide);
        // An active open and close (RFC 9293 §3.3.2): through TIME-WAIT; a passive open and close: through CLOSE-WAIT.
        assertEquals(
                List.of("CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1"), client.subList(0, 4), client.toString());
        assertEquals("TIME_WAIT", client.get(client.size() - 2), client.toString());
        assertEquals("CLOSED", client.get(client.size() - 1), client.toString());
        assertEquals(
                List.of("CLOSED", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"),
                server,
                server.toString());

        Map<String, Long> dropEvents = new TreeMap<>();
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("io.modtcp.Drop")) {
                dropEvents.merge(e.getString("reason"), e.getLong("count"), Long::sum);
            }
        }
        // Both stacks' drops are in the recording; B's reasons must all be there with at least B's counts.
        for (Map.Entry<String, Long> d : dropsB.entrySet()) {
            Long recorded = dropEvents.get(d.getKey());
            assertNotNull(recorded, d.getKey() + " missing from " + dropEvents);
            assertTrue(recorded >= d.getValue(), d.getKey() + ": " + recorded + " events, B counted " + d.getValue());
        }
    }

    @Test
    @Timeout(60)
    void shouldSampleLiveConnectionsPeriodically() throws Exception {
        IpAddr lo = IpAddr.parseV4("127.0.0.1");
        NetStack stack = NetStack.builder()
                .addInterface(LoopbackLink.inJvm(), lo, 8, null)
                .build();
        Path file = dir.resolve("sample.jfr");
        StackThread thread = new StackThread(stack, "jfr-sample").start();
        AutoCloseable events = FlightRecorderSupport.install(stack);
        assertNotNull(events);
        try (Recording recording = new Recording()) {
            recording.enable("io.modtcp.ConnectionSample").withPeriod(Duration.ofMillis(50));
            TcpSocket server = stack.openSocket();
            server.bind(lo, 9300);
            server.listen(1);
            TcpSocket client = stack.openSocket();
            assertTrue(client.connect(lo, 9300, 5_000_000_000L));
            TcpSocket accepted = server.accept(5_000_000_000L);
            byte[] data = new byte[10_000];
            client.write(ByteBuffer.wrap(data), 5_000_000_000L);
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            while (dst.hasRemaining()) {
                accepted.read(dst, 5_000_000_000L);
            }
            recording.start();
            Thread.sleep(400);
            recording.stop();
            recording.dump(file);
            client.close();
            accepted.close();
            server.close();
        } finally {
            events.close();
            thread.close();
            stack.close();
        }
        List<RecordedEvent> samples = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("io.modtcp.ConnectionSample")) {
                samples.add(e);
            }
        }
        List<RecordedEvent> ofClient = samples.stream()
                .filter(e -> e.getInt("remotePort") == 9300 && "127.0.0.1".equals(e.getString("remoteAddress")))
                .collect(Collectors.toList());
        assertTrue(ofClient.size() >= 2, "samples of the client connection: " + samples);
        RecordedEvent s = ofClient.get(ofClient.size() - 1);
        assertEquals("ESTABLISHED", s.getString("state"));
        assertEquals(10_000, s.getLong("bytesSent"));
        assertTrue(s.getInt("cwnd") > 0);
        assertTrue(s.getLong("srtt") > 0, "srtt " + s.getLong("srtt"));
        assertTrue(
                samples.stream().anyMatch(e -> e.getInt("localPort") == 9300 && e.getLong("bytesReceived") == 10_000),
                "the server side's sample: " + samples);
    }

    private static List<String> states(List<RecordedEvent> side) {
        List<String> chain = new ArrayList<>();
        for (RecordedEvent e : side) {
            if (!e.getEventType().getName().equals("io.modtcp.StateChange")) {
                continue;
            }
            if (chain.isEmpty()) {
                chain.add(e.getString("from"));
            }
            // Each change starts where the previous one ended.
            assertEquals(chain.get(chain.size() - 1), e.getString("from"), chain.toString());
            chain.add(e.getString("to"));
        }
        return chain;
    }

    private static long count(List<RecordedEvent> events, String type) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(type))
                .count();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String type) {
        List<RecordedEvent> l = events.stream()
                .filter(e -> e.getEventType().getName().equals(type))
                .collect(Collectors.toList());
        assertEquals(1, l.size(), type);
        return l.get(0);
    }

    private static TcpSocket acceptNow(TcpSocket server) {
        try {
            return server.accept(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}

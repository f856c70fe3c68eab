package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.SEC;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.FIN;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.SegmentSpec;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Orphans: connections the application closed. Peers that keep their window shut hold an orphan in FIN-WAIT-1 (the
 * data and FIN never fit), peers that withhold their FIN hold one in FIN-WAIT-2; both are bounded (Linux's
 * tcp_orphan_retries and tcp_fin_timeout), and so is their number (tcp_max_orphans).
 */
class OrphanTest {
    private Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    /** Handshake from {@code port} with the given window in the final ACK; returns the accepted socket. */
    private TcpSocket accept(TcpSocket listener, int port, int window) throws Exception {
        s.usePeerPort(port);
        s.inject(s.in(SYN).seq(0).mss(Script.PEER_MSS));
        s.expect(s.out(SYN | ACK).seq(0).ack(1));
        s.inject(s.in(ACK).seq(1).ack(1).win(window));
        TcpSocket child = listener.accept(0);
        assertTrue(child != null, "accepted from " + port);
        return child;
    }

    @Test
    void shouldReleaseZeroWindowAndFinWithholdingOrphansAfterTheirTimeouts() throws Exception {
        int perKind = 500;
        TcpSocket listener = s.listen(2 * perKind);
        Set<Integer> zeroWindowPorts = new HashSet<>();
        long start = s.now();
        for (int i = 0; i < perKind; i++) {
            // A zero-window peer: our data and FIN never fit; the persist timer probes.
            int port = 20_000 + i;
            zeroWindowPorts.add(port);
            TcpSocket child = accept(listener, port, 0);
            child.write(ByteBuffer.wrap(Script.bytes(1_000)), 0);
            child.close();
            s.expectNothing();
            s.assertState(TcpState.FIN_WAIT_1);
        }
        for (int i = 0; i < perKind; i++) {
            // A peer that acknowledges our FIN and never sends its own.
            int port = 30_000 + i;
            TcpSocket child = accept(listener, port, 65_535);
            child.close();
            s.expect(s.out(FIN | ACK).seq(1).ack(1));
            s.inject(s.in(ACK).seq(1).ack(2));
            s.assertState(TcpState.FIN_WAIT_2);
        }
        assertEquals(2 * perKind, s.stack.tcp().orphanCount());

        long finWait2GoneAt = -1;
        long zeroWindowGoneAt = -1;
        long probesAnswered = 0;
        for (int step = 0; step < 600 && (finWait2GoneAt < 0 || zeroWindowGoneAt < 0); step++) {
            s.advance(SEC);
            for (ScriptedLink.Sent sent = s.link.poll(); sent != null; sent = s.link.poll()) {
                SegmentSpec seg = sent.segment();
                if (seg != null && zeroWindowPorts.contains(seg.dstPort()) && seg.flags() == ACK) {
                    // The peer answers each zero-window probe: alive, window still shut.
                    s.inject(s.in(ACK)
                            .srcPort(seg.dstPort())
                            .absSeq(seg.ack())
                            .absAck(seg.seq() + 1)
                            .win(0));
                    probesAnswered++;
                }
            }
            long finWait2 = count(TcpState.FIN_WAIT_2);
            long finWait1 = count(TcpState.FIN_WAIT_1);
            if (finWait2 == 0 && finWait2GoneAt < 0) {
                finWait2GoneAt = s.now() - start;
            }
            if (finWait1 == 0 && zeroWindowGoneAt < 0) {
                zeroWindowGoneAt = s.now() - start;
            }
        }
        System.out.printf(
                "orphans: %d zero-window peers gone after %d s (%d probes answered), %d FIN-withholding peers gone "
                        + "after %d s; counters: orphan timeouts %d, FIN-WAIT-2 timeouts %d, zero-window probes %d%n",
                perKind,
                zeroWindowGoneAt / SEC,
                probesAnswered,
                perKind,
                finWait2GoneAt / SEC,
                s.counter(Counter.TCP_ORPHAN_TIMEOUTS),
                s.counter(Counter.TCP_FIN_WAIT2_TIMEOUTS),
                s.counter(Counter.TCP_ZERO_WINDOW_PROBES));
        assertEquals(0, s.connections().size(), "every orphan is gone");
        assertEquals(0, s.stack.tcp().orphanCount());
        assertEquals(perKind, s.counter(Counter.TCP_FIN_WAIT2_TIMEOUTS));
        assertEquals(perKind, s.counter(Counter.TCP_ORPHAN_TIMEOUTS));
        // FIN-WAIT-2: tcp_fin_timeout (60 s) after the FIN was acknowledged.
        assertTrue(finWait2GoneAt >= 60 * SEC && finWait2GoneAt <= 62 * SEC, "FIN-WAIT-2 for " + finWait2GoneAt);
        // FIN-WAIT-1: orphanRetries (8) probes, each answered with a zero window, backed off from the RTO; the ninth
        // expiry ends the orphan (~100 s, Linux: "8 corresponds to >100 seconds with minimal RTO of 200msec").
        assertEquals(8L * perKind, probesAnswered);
        assertTrue(zeroWindowGoneAt <= 120 * SEC, "FIN-WAIT-1 for " + zeroWindowGoneAt);
    }

    private long count(TcpState state) {
        return s.connections().stream().filter(c -> c.state() == state).count();
    }

    @Test
    void shouldResetTheConnectionClosedBeyondTheOrphanLimit() throws Exception {
        s.close();
        s = new Script(TcpConfig.builder().maxOrphans(10).build());
        TcpSocket listener = s.listen(16);
        for (int i = 0; i < 15; i++) {
            int port = 40_000 + i;
            TcpSocket child = accept(listener, port, 65_535);
            child.close();
            if (i < 10) {
                s.expect(s.out(FIN | ACK).seq(1).ack(1));
            } else {
                // Linux's tcp_close with too many orphans: the FIN goes, then a reset ends it (TCPAbortOnMemory).
                s.expect(s.out(FIN | ACK).seq(1).ack(1));
                s.expect(s.out(RST | ACK).seq(2));
            }
        }
        assertEquals(10, s.stack.tcp().orphanCount());
        assertEquals(5, s.counter(Counter.TCP_ABORT_ON_MEMORY));
        assertEquals(10, s.connections().size());
        // The peers finish the close: TIME-WAIT does not count as an orphan (it has its own bound).
        for (int i = 0; i < 10; i++) {
            int port = 40_000 + i;
            TcpConnection c = findByPort(port);
            s.inject(s.in(FIN | ACK).srcPort(port).seq(1).absAck(c.delivery().sndNxt()));
            s.expectSegment(seg -> seg.dstPort() == port && seg.flags() == ACK, "ACK of the FIN");
        }
        assertEquals(0, s.stack.tcp().orphanCount());
        assertEquals(10, count(TcpState.TIME_WAIT));
        s.advance(61 * SEC);
        assertEquals(0, s.connections().size());
    }

    private TcpConnection findByPort(int port) {
        return s.connections().stream()
                .filter(c -> c.connection().remotePort() == port)
                .findFirst()
                .orElseThrow();
    }

    @Nested
    class Config {
        @Test
        void shouldRejectBadValuesNamingTheKey() {
            assertKey(
                    "finWait2TimeoutNs",
                    () -> TcpConfig.builder().finWait2TimeoutNs(0).build());
            assertKey(
                    "orphanRetries", () -> TcpConfig.builder().orphanRetries(0).build());
            assertKey("maxOrphans", () -> TcpConfig.builder().maxOrphans(-1).build());
            assertKey(
                    "invalidAckRateLimitNs",
                    () -> TcpConfig.builder().invalidAckRateLimitNs(-1).build());
        }

        private void assertKey(String key, org.junit.jupiter.api.function.Executable build) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
            assertTrue(e.getMessage().startsWith("TcpConfig." + key + "="), e.getMessage());
        }
    }
}

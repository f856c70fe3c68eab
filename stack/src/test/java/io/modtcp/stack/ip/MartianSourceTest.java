package io.modtcp.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.scripted.ScriptedLink;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptionSpec;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Martian sources are dropped and counted by IP before TCP sees them: no half-open connection, no answer. A SYN from
 * an ordinary peer on the same link is answered (the control: the listener does answer SYNs).
 */
class MartianSourceTest {
    private static final IpAddr LOCAL4 = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr LOCAL6 = IpAddr.parse("fd00::1");
    private static final int PORT = 80;

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final ScriptedLink link = new ScriptedLink(1500);
    private NetStack stack;
    private TcpSocket listener;

    @BeforeEach
    void start() throws IOException {
        stack = NetStack.builder()
                .clock(clock)
                .seed(1)
                .loopback()
                .addInterface(link, LOCAL4, 24, null)
                .addInterface(link, LOCAL6, 64, null)
                .build();
        stack.bindToCurrentThread();
        listener = stack.openSocket();
        listener.bind(IpAddr.ANY6, PORT); // dual-stack wildcard: every address of ours
        listener.listen(16);
        stack.poll(clock.nanoTime());
    }

    @AfterEach
    void stop() {
        listener.abort();
        stack.poll(clock.nanoTime());
        stack.close();
    }

    private void injectSyn(IpAddr src, IpAddr dst) {
        SegmentSpec syn = new SegmentSpec(
                src, 40_000, dst, PORT, 1000, 0, TcpHeader.SYN, 65535, TcpOptionSpec.NONE.withMss(1460), new byte[0]);
        link.inject(syn.encode(stack.alloc()));
        stack.poll(clock.nanoTime());
    }

    static Stream<Arguments> martians() {
        return Stream.of(
                Arguments.of(
                        "land: source = our own IPv4 address", "192.0.2.1", "192.0.2.1", Counter.IP_DROP_OWN_SOURCE),
                Arguments.of("land: source = our own IPv6 address", "fd00::1", "fd00::1", Counter.IP_DROP_OWN_SOURCE),
                Arguments.of("limited broadcast", "255.255.255.255", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("subnet broadcast", "192.0.2.255", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv4 multicast", "224.0.0.1", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv4 multicast (top)", "239.255.255.255", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv6 multicast", "ff02::1", "fd00::1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of(
                        "IPv4 loopback on a non-loopback link",
                        "127.0.0.1",
                        "192.0.2.1",
                        Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv6 loopback on a non-loopback link", "::1", "fd00::1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv4 unspecified", "0.0.0.0", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv4 this-network 0/8", "0.1.2.3", "192.0.2.1", Counter.IP_DROP_MARTIAN_SOURCE),
                Arguments.of("IPv6 unspecified", "::", "fd00::1", Counter.IP_DROP_MARTIAN_SOURCE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("martians")
    void shouldDropSynFromMartianSourceWithoutAnyState(String kind, String src, String dst, Counter counter) {
        injectSyn(IpAddr.parse(src), IpAddr.parse(dst));
        assertEquals(1, stack.counters().get(counter), kind);
        assertFalse(link.hasTransmitted(), "nothing is sent: " + link.pending());
        assertTrue(stack.tcp().connections().isEmpty(), "no half-open connection");
        assertEquals(0, stack.counters().get(Counter.TCP_IN_SEGS), "TCP never saw it");
        // Time passes: still nothing (no SYN-ACK retransmission, no loop with ourselves).
        clock.advance(10_000_000_000L);
        stack.poll(clock.nanoTime());
        assertFalse(link.hasTransmitted(), "nothing is sent later: " + link.pending());
    }

    @ParameterizedTest(name = "ordinary peer {0}")
    @MethodSource("ordinaryPeers")
    void shouldAnswerSynFromOrdinaryPeer(String src, String dst) {
        injectSyn(IpAddr.parse(src), IpAddr.parse(dst));
        ScriptedLink.Sent sent = link.poll();
        assertNotNull(sent, "a SYN-ACK");
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, sent.segment().flags());
        assertEquals(0, stack.counters().get(Counter.IP_DROP_MARTIAN_SOURCE));
        assertEquals(0, stack.counters().get(Counter.IP_DROP_OWN_SOURCE));
    }

    static Stream<Arguments> ordinaryPeers() {
        return Stream.of(
                Arguments.of("192.0.2.2", "192.0.2.1"),
                Arguments.of("192.0.2.254", "192.0.2.1"),
                Arguments.of("192.0.2.100", "192.0.2.1"),
                Arguments.of("fd00::2", "fd00::1"));
    }

    /** An IPv6 header carrying IPv4-mapped addresses (RFC 4291 §2.5.5.2) is dropped, source or destination. */
    @Test
    void shouldDropIpv6PacketWithMappedAddresses() {
        ByteBuf packet = syn6(40_000);
        // Source (bytes 8..23) becomes ::ffff:192.0.2.2.
        packet.setLong(8, 0);
        packet.setLong(16, 0x0000_ffff_c000_0202L);
        link.inject(packet);
        ByteBuf toMapped = syn6(40_001);
        // Destination (bytes 24..39) becomes ::ffff:192.0.2.1, our IPv4 address mapped.
        toMapped.setLong(24, 0);
        toMapped.setLong(32, 0x0000_ffff_c000_0201L);
        link.inject(toMapped);
        stack.poll(clock.nanoTime());
        assertEquals(1, stack.counters().get(Counter.IP_DROP_MARTIAN_SOURCE));
        assertEquals(1, stack.counters().get(Counter.IP_DROP_NOT_FOR_US));
        assertFalse(link.hasTransmitted(), "nothing is sent: " + link.pending());
        assertTrue(stack.tcp().connections().isEmpty());
    }

    /** On the loopback link, loopback sources are normal: a connection over 127.0.0.1 works. */
    @Test
    void shouldAcceptLoopbackSourcesOnLoopbackLink() throws IOException {
        TcpSocket client = stack.openSocket();
        client.connect(IpAddr.parseV4("127.0.0.1"), PORT, 0);
        for (int i = 0; i < 10 && !client.isConnected(); i++) {
            stack.poll(clock.nanoTime());
        }
        assertTrue(client.isConnected());
        assertEquals(0, stack.counters().get(Counter.IP_DROP_MARTIAN_SOURCE));
        client.abort();
    }

    /** A SYN from fd00::2 to our IPv6 address, to have one of its addresses rewritten. */
    private ByteBuf syn6(int srcPort) {
        return new SegmentSpec(
                        IpAddr.parse("fd00::2"),
                        srcPort,
                        LOCAL6,
                        PORT,
                        1000,
                        0,
                        TcpHeader.SYN,
                        65535,
                        TcpOptionSpec.NONE,
                        new byte[0])
                .encode(stack.alloc());
    }
}

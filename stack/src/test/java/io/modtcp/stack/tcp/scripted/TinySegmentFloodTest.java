package io.modtcp.stack.tcp.scripted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptionSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tiny-segment flood of issue 11: peers send 1-byte segments, each padded in a 1,500-byte buffer, out of order
 * and in order, to sockets whose application never reads. Before, each byte kept its whole 1,500-byte buffer alive
 * and the stack died of direct memory; now every byte held is accounted by what it pins, small payloads are
 * compacted, the out-of-order queues are bounded and the stack-wide budget holds. A legitimate connection is served
 * byte-exact during the flood, and everything is freed after it.
 *
 * <p>Direct memory is measured with an instrumented allocator of the test's own (every buffer the stack and the test
 * allocate), heap as used after a GC; the figures are printed for the report. Netty's paranoid leak detector is off
 * for this test only (it records a stack trace per buffer access: minutes for a flood, and its records would be the
 * heap figure); the test checks leaks itself: every direct byte and every accounted byte is back to zero at the end.
 */
class TinySegmentFloodTest {
    private static ResourceLeakDetector.Level savedLevel;

    @BeforeAll
    static void leakDetectorOff() {
        savedLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterAll
    static void leakDetectorBack() {
        ResourceLeakDetector.setLevel(savedLevel);
    }

    private static final IpAddr LOCAL = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr PEER = IpAddr.parseV4("192.0.2.2");
    private static final int PORT = 80;
    private static final int PADDED = 1500;
    private static final long BUDGET = 2L << 20;
    /** Attack connections flooding out-of-order bytes, and the subset also flooding in-order bytes. */
    private static final int OOO_CONNECTIONS = 16;

    private static final int IN_ORDER_CONNECTIONS = 4;
    /** Out-of-order bytes are sent at every other sequence number from here (a hole at each odd offset). */
    private static final int OOO_START = 30_001;

    private static final int OOO_PER_CONNECTION = 1_500;
    private static final int IN_ORDER_PER_CONNECTION = 20_000;

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final ScriptedLink link = new ScriptedLink(1500);
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
    private final UnpooledByteBufAllocator heap = new UnpooledByteBufAllocator(false);
    private NetStack stack;

    /** One peer connection: its port, our ISS, its next sequence number (relative to its ISS 0). */
    private final class Peer {
        final int port;
        int localIss;
        TcpSocket socket;

        Peer(int port) {
            this.port = port;
        }

        void handshake(TcpSocket listener) throws IOException {
            inject(new SegmentSpec(
                    PEER,
                    port,
                    LOCAL,
                    PORT,
                    0,
                    0,
                    TcpHeader.SYN,
                    65535,
                    TcpOptionSpec.NONE.withMss(1460),
                    new byte[0]));
            SegmentSpec synAck = next();
            assertEquals(TcpHeader.SYN | TcpHeader.ACK, synAck.flags());
            localIss = synAck.seq();
            inject(segment(1, TcpHeader.ACK, new byte[0]));
            socket = listener.accept(0);
            assertNotNull(socket);
            drain();
        }

        SegmentSpec segment(int seq, int flags, byte[] payload) {
            return new SegmentSpec(
                    PEER, port, LOCAL, PORT, seq, localIss + 1, flags, 65535, TcpOptionSpec.NONE, payload);
        }
    }

    private void inject(SegmentSpec spec) {
        ByteBuf encoded = spec.encode(heap);
        ByteBuf packet = alloc.directBuffer(PADDED, PADDED);
        packet.writeBytes(encoded);
        encoded.release();
        link.inject(packet);
        stack.poll(clock.nanoTime());
    }

    private SegmentSpec next() {
        ScriptedLink.Sent sent = link.poll();
        assertNotNull(sent, "the stack answered");
        return sent.segment();
    }

    private void drain() {
        while (link.poll() != null) {
            // ACKs to the flood: the test plays a peer that ignores them
        }
    }

    private long direct() {
        return alloc.metric().usedDirectMemory();
    }

    private static long heapUsed() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static String mib(long bytes) {
        return String.format("%.2f MiB", bytes / 1048576.0);
    }

    @Test
    void shouldHoldTheBudgetAndServeOthersDuringTinySegmentFlood() throws IOException {
        stack = NetStack.builder()
                .clock(clock)
                .seed(3)
                .allocator(alloc)
                .memoryBudgetBytes(BUDGET)
                .addInterface(link, LOCAL, 24, null)
                .build();
        stack.bindToCurrentThread();
        TcpSocket listener = stack.openSocket();
        listener.bind(LOCAL, PORT);
        listener.listen(64);
        List<Peer> attackers = new ArrayList<>();
        for (int i = 0; i < OOO_CONNECTIONS; i++) {
            Peer p = new Peer(40_000 + i);
            p.handshake(listener);
            attackers.add(p);
        }
        long directBefore = direct();
        long heapBefore = heapUsed();
        long accountedBefore = stack.memory().used();

        byte[] one = {42};
        for (Peer p : attackers) {
            for (int k = 0; k < OOO_PER_CONNECTION; k++) {
                inject(p.segment(OOO_START + 2 * k, TcpHeader.ACK, one));
            }
            drain();
        }
        for (int c = 0; c < IN_ORDER_CONNECTIONS; c++) {
            Peer p = attackers.get(c);
            for (int k = 0; k < IN_ORDER_PER_CONNECTION; k++) {
                inject(p.segment(1 + k, TcpHeader.ACK, one));
            }
            drain();
        }
        long directDuring = direct();
        long heapDuring = heapUsed();
        long accountedDuring = stack.memory().used();
        long peak = stack.memory().peak();

        // A legitimate connection is served during the flood: its out-of-order data is accepted (other queues are
        // pruned for it) and it reads byte-exact.
        Peer good = new Peer(50_000);
        good.handshake(listener);
        byte[] data = new byte[20 * 1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        for (int k = 19; k >= 0; k--) {
            byte[] piece = new byte[1000];
            System.arraycopy(data, k * 1000, piece, 0, 1000);
            inject(good.segment(1 + k * 1000, TcpHeader.ACK | TcpHeader.PSH, piece));
        }
        ByteBuffer got = ByteBuffer.allocate(data.length);
        while (got.hasRemaining() && good.socket.read(got, 0) > 0) {
            stack.poll(clock.nanoTime());
        }
        assertArrayEquals(data, got.array(), "the legitimate connection reads byte-exact");
        drain();

        for (Peer p : attackers) {
            p.socket.abort();
        }
        good.socket.abort();
        listener.close();
        stack.poll(clock.nanoTime());
        drain();
        long directAfter = direct();
        long heapAfter = heapUsed();
        long accountedAfter = stack.memory().used();

        System.out.printf(
                "tiny-segment flood (%d connections x %d out-of-order 1-byte segments, %d x %d in order, each in a"
                        + " %d-byte buffer; budget %s):%n"
                        + "  accounted: before %s, during %s (peak %s), after %s%n"
                        + "  direct:    before %s, during %s, after %s%n"
                        + "  heap:      before %s, during %s, after %s%n"
                        + "  counters:%n%s",
                OOO_CONNECTIONS,
                OOO_PER_CONNECTION,
                IN_ORDER_CONNECTIONS,
                IN_ORDER_PER_CONNECTION,
                PADDED,
                mib(BUDGET),
                mib(accountedBefore),
                mib(accountedDuring),
                mib(peak),
                mib(accountedAfter),
                mib(directBefore),
                mib(directDuring),
                mib(directAfter),
                mib(heapBefore),
                mib(heapDuring),
                mib(heapAfter),
                stack.counters());

        assertTrue(
                peak <= BUDGET + 2 * (2048 + MemoryBudget.BUFFER_OVERHEAD),
                "accounted memory stays within the budget (one segment's overshoot at most): " + peak);
        assertTrue(
                directDuring - directBefore <= accountedDuring,
                "what is really held is no more than what is accounted: " + (directDuring - directBefore));
        assertTrue(stack.counters().get(Counter.STACK_MEMORY_PRESSURE) > 0, "the budget was reached");
        assertTrue(stack.counters().get(Counter.TCP_OFO_PRUNED) > 0, "out-of-order data was pruned");
        assertTrue(stack.counters().get(Counter.TCP_DROP_OOO_QUEUE_FULL) > 0, "queues were bounded");
        assertTrue(stack.counters().get(Counter.TCP_RCV_COLLAPSED) > 0, "tiny payloads were compacted");
        assertEquals(0, stack.counters().get(Counter.STACK_UNCAUGHT_ERRORS), "nothing failed");
        assertEquals(0, accountedAfter, "everything accounted was freed");
        assertEquals(directBefore, directAfter, "every buffer was freed");
        stack.close();
    }
}

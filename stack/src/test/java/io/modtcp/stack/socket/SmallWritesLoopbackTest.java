package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.IpAddr;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The replay of a burst of small writes on the in-JVM loopback (10,000 writes of 69 bytes with TCP_NODELAY, one
 * segment each): nothing is lost on the loopback and nothing is retransmitted, even when the burst outlasts the
 * minimum RTO (a cold JVM) and outgrows the loopback's ring (a send window of ~9,500 such segments).
 */
class SmallWritesLoopbackTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");
    private static final int WRITES = 10_000;
    private static final int SIZE = 69;
    private static final int BURST = 5_000;
    private static final long MS = 1_000_000L;

    private static byte[] payload() {
        byte[] data = new byte[WRITES * SIZE];
        new Random(69).nextBytes(data);
        return data;
    }

    /**
     * Deterministic: the test's thread is the stack thread and writes in bursts of up to 5,000 writes without polling
     * in between (each write its own segment, the loopback's 4,096-packet ring overflowing when the window allows),
     * virtual time moving 10 µs per write; then it polls once, reads and goes on.
     */
    @ParameterizedTest(name = "buffers={0}")
    @ValueSource(ints = {256 * 1024, 1024 * 1024})
    void shouldNeitherDropNorRetransmitWhenSmallWritesBurstOnTheLoopback(int bufferBytes) throws Exception {
        TcpConfig config = TcpConfig.builder()
                .sendBufferBytes(bufferBytes)
                .receiveBufferBytes(bufferBytes)
                .maxReceiveBufferBytes(Math.max(bufferBytes, TcpConfig.DEFAULT.maxReceiveBufferBytes()))
                .build();
        ManualClock clock = new ManualClock(1_000_000_000L);
        LoopbackLink lo = LoopbackLink.inJvm();
        NetStack stack = NetStack.builder()
                .clock(clock)
                .config(config)
                .seed(12)
                .addInterface(lo, LO, 8, null)
                .build();
        stack.bindToCurrentThread();
        try {
            TcpSocket server = stack.openSocket();
            server.bind(LO, 9200);
            server.listen(8);
            TcpSocket client = stack.openSocket();
            client.setNoDelay(true);
            client.connect(LO, 9200, 0);
            settle(stack, clock);
            TcpSocket accepted = server.accept(0);
            assertTrue(client.isConnected());

            byte[] data = payload();
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            int pos = 0;
            int polls = 0;
            while (pos < data.length && polls < 1_000) {
                // A burst: as many writes as the send buffer takes, each its own segment, no poll in between.
                for (int i = 0; i < BURST && pos < data.length; i++) {
                    int want = SIZE - pos % SIZE;
                    int n = client.write(ByteBuffer.wrap(data, pos, want), 0);
                    pos += n;
                    clock.advance(MS / 100);
                    if (n < want) {
                        break;
                    }
                }
                stack.poll(clock.nanoTime());
                polls++;
                accepted.read(dst, 0);
                settle(stack, clock); // the window update, and what the sender had queued behind it
            }
            assertEquals(data.length, pos);
            for (int i = 0; i < 1_000 && dst.hasRemaining(); i++) {
                settle(stack, clock);
                accepted.read(dst, 0);
                clock.advance(MS);
            }
            assertArrayEquals(data, dst.array());
            Counters c = stack.counters();
            System.out.println("small writes, buffers " + bufferBytes + ": polls=" + polls + " segments="
                    + c.get(Counter.TCP_OUT_SEGS) + " retransmitted=" + c.get(Counter.TCP_RETRANS_SEGS) + " rto="
                    + c.get(Counter.TCP_RTO_EXPIRIES) + " loopbackDrops=" + lo.queueDrops() + " overflowed="
                    + lo.overflowed() + " outOfWindow=" + c.get(Counter.TCP_DROP_OUT_OF_WINDOW));
            assertEquals(0, lo.queueDrops(), "loopback drops");
            assertEquals(0, c.get(Counter.IP_DROP_LINK_QUEUE_FULL), "link queue drops");
            assertEquals(0, c.get(Counter.TCP_RETRANS_SEGS), "retransmissions");
            assertEquals(0, c.get(Counter.TCP_RTO_EXPIRIES), "RTO expiries");
            assertEquals(0, c.get(Counter.TCP_DROP_OUT_OF_WINDOW), "out-of-window drops");
            // The burst crosses the ring as thousands of small segments (data and ACKs), not a handful of large ones:
            // what a loopback that drops under load would lose. (ACKs now come per two full-sized segments' worth of
            // bytes, so there are fewer of them than data segments.)
            assertTrue(c.get(Counter.TCP_OUT_SEGS) >= WRITES / 4, "segments: thousands of small ones");
        } finally {
            stack.close();
        }
    }

    /** The same burst from an application thread against a real stack thread: lossless and byte-exact. */
    @Test
    @Timeout(60)
    void shouldNotDropWhenAnApplicationThreadWritesSmallMessagesOnTheLoopback() throws Exception {
        LoopbackLink lo = LoopbackLink.inJvm();
        NetStack stack = NetStack.builder().addInterface(lo, LO, 8, null).build();
        StackThread thread = new StackThread(stack, "small-writes").start();
        try {
            TcpSocket server = stack.openSocket();
            server.bind(LO, 9201);
            server.listen(8);
            TcpSocket client = stack.openSocket();
            client.setNoDelay(true);
            assertTrue(client.connect(LO, 9201, 5_000_000_000L));
            TcpSocket accepted = server.accept(5_000_000_000L);
            byte[] data = payload();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < WRITES; i++) {
                        client.write(ByteBuffer.wrap(data, i * SIZE, SIZE), 10_000_000_000L);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            long start = System.nanoTime();
            writer.start();
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            while (dst.hasRemaining() && accepted.read(dst, 10_000_000_000L) >= 0) {
                // reads until all bytes arrived
            }
            writer.join();
            Counters c = stack.counters();
            System.out.printf(
                    "small writes, real threads: %.3f s, segments=%d retransmitted=%d rto=%d loopbackDrops=%d"
                            + " overflowed=%d outOfWindow=%d%n",
                    (System.nanoTime() - start) / 1e9,
                    c.get(Counter.TCP_OUT_SEGS),
                    c.get(Counter.TCP_RETRANS_SEGS),
                    c.get(Counter.TCP_RTO_EXPIRIES),
                    lo.queueDrops(),
                    lo.overflowed(),
                    c.get(Counter.TCP_DROP_OUT_OF_WINDOW));
            assertEquals(null, failure.get());
            assertArrayEquals(data, dst.array());
            assertEquals(0, lo.queueDrops(), "loopback drops");
            assertEquals(0, stack.counters().get(Counter.IP_DROP_LINK_QUEUE_FULL), "link queue drops");
        } finally {
            thread.close();
            stack.close();
        }
    }

    private static void settle(NetStack stack, ManualClock clock) {
        for (int i = 0; i < 10_000; i++) {
            long now = clock.nanoTime();
            if (stack.poll(now) - now > 0) {
                return;
            }
        }
        throw new AssertionError("stack did not settle");
    }
}

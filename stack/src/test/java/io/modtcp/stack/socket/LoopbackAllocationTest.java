package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack thread allocates nothing per segment in steady state: a bulk transfer between two sockets of one stack
 * over the in-JVM loopback (real stack thread, a writer and a reader thread), the stack thread's allocated bytes
 * ({@code com.sun.management.ThreadMXBean}) over the second part of the transfer divided by the segments sent (data
 * and ACKs). Buffers come from Netty's pool; the outcomes of each ACK and each received segment are per-connection
 * objects filled again; the command queue, timers and send buffer iterate without iterators or views; the stack
 * thread spins briefly for a socket's lock rather than queue for it.
 */
@Timeout(120)
class LoopbackAllocationTest {
    /**
     * Bytes per segment allowed in the quietest window. Measured: about 1 B per segment when this test runs alone,
     * 3.5 to 4.3 B after other tests in the same JVM (profiled alone, what is left is Netty's: its Recycler replaces
     * some of the buffer objects the reader's thread released, keeping one in eight returned from another thread).
     * Before the fixes that came with this test it was about 67 B per segment: an outcome object per ACK and per
     * received segment, a list view per ACK, an iterator per write, a method reference per timer poll, an AQS node
     * whenever the socket's lock was contended.
     */
    static final double STEADY_BOUND = 6.0;

    /**
     * Bytes per segment allowed in every window: the pool grows now and then (new chunks, subpages), but one object
     * of 16 B or more per data segment would exceed it in every window.
     */
    static final double ANY_WINDOW_BOUND = 16.0;

    static final int WINDOWS = 4;

    private static final int CHUNK = 64 * 1024;

    @Test
    void shouldAllocateAlmostNothingPerSegmentOnTheStackThreadWhenBulkOnLoopback() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        // The tests run with paranoid leak detection, which records every buffer's accesses (allocating on each):
        // the measurement is of the stack, not of the detector.
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        IpAddr lo = IpAddr.parseV4("127.0.0.1");
        NetStack stack = NetStack.builder().loopback().build();
        try (StackThread thread = new StackThread(stack, "modtcp-stack-alloc").start()) {
            TcpSocket server = stack.openSocket();
            server.bind(lo, 5001);
            server.listen(1);
            TcpSocket client = stack.openSocket();
            client.connect(lo, 5001, TcpSocket.FOREVER);
            TcpSocket accepted = server.accept(TcpSocket.FOREVER);
            long warmup = 256L << 20;
            long measured = 512L << 20;
            AtomicLong received = new AtomicLong();
            Thread reader = new Thread(
                    () -> {
                        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                        try {
                            for (int n; (n = accepted.read(buf.clear(), TcpSocket.FOREVER)) >= 0; ) {
                                received.addAndGet(n);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "reader");
            reader.start();
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            long stackId = thread.thread().getId();
            long window = measured / WINDOWS;
            double[] perSegment = new double[WINDOWS];
            long alloc0 = 0;
            long segs0 = 0;
            long total = warmup + measured;
            for (long sent = 0; sent <= total; sent += CHUNK) {
                if (sent >= warmup && (sent - warmup) % window == 0) {
                    long alloc = mx.getThreadAllocatedBytes(stackId);
                    long segs = stack.counters().get(Counter.TCP_OUT_SEGS);
                    int w = (int) ((sent - warmup) / window);
                    if (w > 0) {
                        assertTrue(segs - segs0 > 1_000, "segments in window " + w + ": " + (segs - segs0));
                        perSegment[w - 1] = (double) (alloc - alloc0) / (segs - segs0);
                    }
                    alloc0 = alloc;
                    segs0 = segs;
                }
                if (sent < total) {
                    client.write(chunk.clear(), TcpSocket.FOREVER);
                }
            }
            client.shutdownOutput();
            reader.join();
            assertEquals(total, received.get());
            client.close();
            accepted.close();
            server.close();
            System.out.println("stack thread, bytes allocated per segment in each window: "
                    + java.util.Arrays.toString(perSegment));
            double min = java.util.Arrays.stream(perSegment).min().orElseThrow();
            double max = java.util.Arrays.stream(perSegment).max().orElseThrow();
            assertTrue(min < STEADY_BOUND, "steady state: " + java.util.Arrays.toString(perSegment));
            assertTrue(max < ANY_WINDOW_BOUND, "every window: " + java.util.Arrays.toString(perSegment));
        } finally {
            stack.close();
            ResourceLeakDetector.setLevel(level);
        }
    }
}

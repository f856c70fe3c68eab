package io.modtcp.bench;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves N MiB (default 1024) from one socket to another over the in-JVM loopback link of one stack, with the real
 * stack thread and one writer and one reader thread, and prints throughput and allocation per segment.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && mvn -q -B -pl benchmarks exec:exec -Dbench.args=1024}
 */
public final class LoopbackBulk {
    private static final int CHUNK = 64 * 1024;

    private LoopbackBulk() {}

    /** The figures of one run; allocation in bytes per segment sent (data and ACKs). */
    record Result(
            long bytes,
            double seconds,
            long segments,
            double stackBytesPerSegment,
            double writerBytesPerSegment,
            double readerBytesPerSegment,
            String counters) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        Result r = run(mib * 1024 * 1024);
        System.out.printf(
                "loopback bulk: %d MiB in %.2f s = %.1f MB/s (%.0f Mbit/s)%n",
                mib, r.seconds(), r.mbPerSecond(), r.bytes() * 8 / r.seconds() / 1e6);
        System.out.printf("segments sent (data and ACKs): %d%n", r.segments());
        System.out.printf(
                "allocation per segment: stack thread %.1f B, writer %.1f B, reader %.1f B%n",
                r.stackBytesPerSegment(), r.writerBytesPerSegment(), r.readerBytesPerSegment());
        if (Boolean.getBoolean("bench.counters")) {
            System.out.print(r.counters());
        }
    }

    /**
     * One transfer of {@code total} bytes on a fresh stack; throws if fewer arrive. Netty's leak detector is off
     * meanwhile, as in LoopbackAllocationTest: at its default level it records a stack trace for one buffer in 128
     * (about 20 B per segment on the stack thread), which is the detector's cost, an application's choice, not the
     * stack's.
     */
    static Result run(long total) throws Exception {
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        try {
            return runMeasured(total);
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
    }

    private static Result runMeasured(long total) throws Exception {
        IpAddr lo = IpAddr.parseV4("127.0.0.1");
        NetStack stack = NetStack.builder().loopback().build();
        Result result;
        try (StackThread thread = new StackThread(stack, "modtcp-stack").start()) {
            TcpSocket server = stack.openSocket();
            server.bind(lo, 5001);
            server.listen(1);
            TcpSocket client = stack.openSocket();
            client.connect(lo, 5001, TcpSocket.FOREVER);
            TcpSocket accepted = server.accept(TcpSocket.FOREVER);

            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long stackId = thread.thread().getId();
            long stackAlloc0 = mx.getThreadAllocatedBytes(stackId);
            long segs0 = stack.counters().get(Counter.TCP_OUT_SEGS);
            AtomicLong received = new AtomicLong();
            AtomicLong readerAlloc = new AtomicLong();
            Thread reader = new Thread(
                    () -> {
                        long a0 = mx.getThreadAllocatedBytes(
                                Thread.currentThread().getId());
                        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                        try {
                            while (true) {
                                buf.clear();
                                int n = accepted.read(buf, TcpSocket.FOREVER);
                                if (n < 0) {
                                    break;
                                }
                                received.addAndGet(n);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        readerAlloc.set(mx.getThreadAllocatedBytes(
                                        Thread.currentThread().getId())
                                - a0);
                    },
                    "reader");
            long start = System.nanoTime();
            reader.start();
            long writerAlloc0 =
                    mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
            for (long sent = 0; sent < total; sent += CHUNK) {
                chunk.clear();
                chunk.limit((int) Math.min(CHUNK, total - sent));
                client.write(chunk, TcpSocket.FOREVER);
            }
            client.shutdownOutput();
            long writerAlloc = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - writerAlloc0;
            reader.join();
            long elapsed = System.nanoTime() - start;
            long segs = stack.counters().get(Counter.TCP_OUT_SEGS) - segs0;
            long stackAlloc = mx.getThreadAllocatedBytes(stackId) - stackAlloc0;
            if (received.get() != total) {
                throw new IllegalStateException("received " + received.get() + " of " + total);
            }
            result = new Result(
                    total,
                    elapsed / 1e9,
                    segs,
                    (double) stackAlloc / segs,
                    (double) writerAlloc / segs,
                    (double) readerAlloc.get() / segs,
                    stack.counters().toString());
            client.close();
            accepted.close();
            server.close();
        }
        stack.close();
        return result;
    }
}

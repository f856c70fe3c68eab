package io.modtcp.stack.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.ForwardingLink;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With a real stack thread, socket commands and packet processing interleave within one poll; every segment of a
 * connection must still carry a non-decreasing TSval (RFC 7323 §5.4), or the peer drops it by PAWS.
 */
@Timeout(30)
class TimestampClockTest {
    /** Records TSvals per connection direction (source and destination port) as packets leave. */
    private static final class Watch extends ForwardingLink {
        final Map<Integer, Integer> last = new ConcurrentHashMap<>();
        final List<String> regressions = new CopyOnWriteArrayList<>();

        Watch() {
            super(new LoopbackLink(65535, 4096));
        }

        @Override
        public boolean transmit(ByteBuf packet, long nowNs) {
            SegmentSpec spec = SegmentSpec.decode(packet);
            if (spec.options().timestamps()) {
                Integer previous = last.put(
                        spec.srcPort() << 16 | spec.dstPort(), spec.options().tsVal());
                if (previous != null && spec.options().tsVal() - previous < 0) {
                    regressions.add(previous + " then " + spec);
                }
            }
            return super.transmit(packet, nowNs);
        }
    }

    @Test
    void shouldNeverSendDecreasingTimestampsWhenCommandsAndPacketsInterleave() throws Exception {
        Watch watch = new Watch();
        IpAddr lo = IpAddr.parseV4("127.0.0.1");
        NetStack stack = NetStack.builder().addInterface(watch, lo, 8, null).build();
        StackThread thread = new StackThread(stack, "ts-test").start();
        try {
            TcpSocket server = stack.openSocket();
            server.bind(lo, 9100);
            server.listen(64);
            for (int round = 0; round < 50; round++) {
                TcpSocket client = stack.openSocket();
                client.setNoDelay(true);
                assertTrue(client.connect(lo, 9100, 5_000_000_000L));
                TcpSocket accepted = server.accept(5_000_000_000L);
                for (int i = 0; i < 20; i++) {
                    client.write(ByteBuffer.wrap(new byte[100]), 1_000_000_000L);
                    ByteBuffer in = ByteBuffer.allocate(100);
                    while (in.hasRemaining()) {
                        accepted.read(in, 1_000_000_000L);
                    }
                }
                client.close();
                accepted.close();
            }
        } finally {
            thread.close();
            stack.close();
        }
        assertEquals(List.of(), watch.regressions);
        assertEquals(0, stack.counters().get(Counter.TCP_DROP_PAWS));
    }
}

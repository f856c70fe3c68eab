package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.Checksum;
import io.modtcp.stack.wire.IpAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-JVM loopback's checksum offload (as Linux's {@code lo}): TCP segments cross it with a partial checksum that
 * nobody computes or verifies; with corruption configured on it, or a capture taken of it, checksums are real again.
 */
@Timeout(60)
class LoopbackChecksumOffloadTest {
    private static final IpAddr LO = IpAddr.parseV4("127.0.0.1");
    private static final int BYTES = 4 << 20;

    /** Counts what the stack hands over with a partial checksum, and forwards the offload. */
    private static final class Counting extends ForwardingLink {
        final AtomicLong offloaded = new AtomicLong();
        final AtomicLong plain = new AtomicLong();

        Counting(Link inner) {
            super(inner);
        }

        @Override
        public int txOffloads() {
            return inner().txOffloads();
        }

        @Override
        public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
            offloaded.incrementAndGet();
            return inner().transmitOffloaded(packet, segmentPayload, nowNs);
        }

        @Override
        public boolean transmit(ByteBuf packet, long nowNs) {
            plain.incrementAndGet();
            return super.transmit(packet, nowNs);
        }
    }

    @Test
    void shouldCarryBulkByteExactWithPartialChecksumsNeitherComputedNorVerified() throws Exception {
        Counting lo = new Counting(LoopbackLink.inJvm());
        NetStack stack = NetStack.builder().addInterface(lo, LO, 8, null).build();
        byte[] received = transfer(stack, data());
        assertArrayEquals(data(), received);
        assertTrue(lo.offloaded.get() > 50, "segments sent with a partial checksum: " + lo.offloaded.get());
        // Only the handshake's and the teardown's control segments (RST, SYN cookies) go out in full.
        assertTrue(lo.plain.get() < 10, "segments sent with a full checksum: " + lo.plain.get());
        assertEquals(0, stack.counters().get(Counter.TCP_DROP_BAD_CHECKSUM));
    }

    @Test
    void shouldCatchAndCountCorruptionConfiguredOnTheLoopback() throws Exception {
        FaultLink faulty = new FaultLink(LoopbackLink.inJvm());
        // 20 %: the 4 MiB go as about 64 segments of up to 64 KiB, so 2 % left none damaged in about one run in four.
        faulty.configure(FaultModel.NONE.withCorruptRate(0.2), 42);
        assertEquals(0, faulty.txOffloads(), "a link that may damage packets offers no checksum offload");
        NetStack stack = NetStack.builder().addInterface(faulty, LO, 8, null).build();
        byte[] received = transfer(stack, data());
        assertArrayEquals(data(), received, "every damaged segment was dropped and sent again");
        long corrupted = faulty.stats().corrupted();
        long dropped = stack.counters().get(Counter.TCP_DROP_BAD_CHECKSUM)
                + stack.counters().get(Counter.IP_DROP_BAD_CHECKSUM);
        assertTrue(corrupted > 0, "packets corrupted: " + corrupted);
        assertTrue(
                stack.counters().get(Counter.TCP_DROP_BAD_CHECKSUM) > 0,
                "TCP checksum drops: " + stack.counters().get(Counter.TCP_DROP_BAD_CHECKSUM));
        assertTrue(dropped <= corrupted, dropped + " checksum drops for " + corrupted + " corrupted packets");
    }

    @Test
    void shouldCaptureRealChecksumsOfTheLoopback() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(file);
        TappedLink tapped = new TappedLink(LoopbackLink.inJvm(), pcap);
        assertEquals(0, tapped.txOffloads(), "a capture of the loopback shows real checksums");
        NetStack stack = NetStack.builder().addInterface(tapped, LO, 8, null).build();
        byte[] sent = new byte[256 << 10];
        new SplittableRandom(3).nextBytes(sent);
        assertArrayEquals(sent, transfer(stack, sent));
        pcap.flush();
        PcapReader reader = new PcapReader(file.toByteArray());
        int tcp = 0;
        for (PcapReader.Record r : reader.records) {
            ByteBuf p = Unpooled.wrappedBuffer(r.data());
            int ihl = (p.getUnsignedByte(0) & 0x0f) * 4;
            if (p.getUnsignedByte(9) != 6) {
                continue;
            }
            int tcpLength = p.getUnsignedShort(2) - ihl;
            int pseudo = Checksum.pseudoHeader4(p.getInt(12), p.getInt(16), 6, tcpLength);
            assertEquals(0, Checksum.fold(Checksum.sum(p, ihl, tcpLength, pseudo)), "TCP checksum of record " + tcp);
            tcp++;
        }
        assertTrue(tcp > 10, "TCP packets captured: " + tcp);
    }

    private static byte[] data() {
        byte[] b = new byte[BYTES];
        new SplittableRandom(1).nextBytes(b);
        return b;
    }

    /** Sends {@code data} from one socket of {@code stack} to another over 127.0.0.1 and returns what was read. */
    private static byte[] transfer(NetStack stack, byte[] data) throws Exception {
        try (StackThread thread = new StackThread(stack, "offload-test").start()) {
            assertTrue(thread.thread().isAlive());
            TcpSocket server = stack.openSocket();
            server.bind(LO, 7000);
            server.listen(1);
            TcpSocket client = stack.openSocket();
            client.connect(LO, 7000, TcpSocket.FOREVER);
            TcpSocket accepted = server.accept(TcpSocket.FOREVER);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(32 << 10);
                try {
                    for (int n; (n = accepted.read(buf.clear(), TcpSocket.FOREVER)) >= 0; ) {
                        out.write(buf.array(), 0, n);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            reader.start();
            client.write(ByteBuffer.wrap(data), TcpSocket.FOREVER);
            client.shutdownOutput();
            reader.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            client.close();
            accepted.close();
            server.close();
            return out.toByteArray();
        } finally {
            stack.close();
        }
    }
}

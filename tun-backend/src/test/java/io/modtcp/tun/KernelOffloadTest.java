package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.link.Offload;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TUN offloads against the Linux kernel: with the virtio-net header, checksum offload and TSO, 64 MB each way go as
 * super-segments (the kernel's GSO packets taken whole, ours segmented by the kernel only where it must) and arrive
 * byte-exact; the capture records what crossed the device; with offloads off the same transfers go as plain packets.
 */
@Timeout(180)
class KernelOffloadTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long MB64 = 64L << 20;
    static final int MTU = 1500;
    static final Path PCAP = Path.of("target", "kernel-offload.pcap").toAbsolutePath();

    @RegisterExtension
    static final KernelNet ON = KernelNet.builder().mtu(MTU).pcap(PCAP).build();

    @RegisterExtension
    static final KernelNet OFF = KernelNet.builder().mtu(MTU).offload(false).build();

    /** A persistent device last opened with offloads, opened again with offload off. */
    @RegisterExtension
    static final KernelNet OFF_AFTER_ON =
            KernelNet.builder().mtu(MTU).offload(false).reopenedAfterOffload().build();

    @Test
    void shouldOpenWithTsoAndChecksumOffloadWhenOffloadIsOn() {
        assertTrue(ON.tun().hasVnetHeader());
        assertEquals(
                Offload.TX_CSUM | Offload.TX_TSO4 | Offload.TX_TSO6, ON.tun().txOffloads());
    }

    @Test
    void shouldOpenPlainWhenOffloadIsOff() {
        assertFalse(OFF.tun().hasVnetHeader());
        assertEquals(0, OFF.tun().txOffloads());
    }

    @Test
    void shouldReceiveKernelSuperSegmentsByteExact() throws Exception {
        long before = ON.tun().rxSuperSegments();
        receive(ON, 6301);
        assertTrue(
                ON.tun().rxSuperSegments() - before > 100,
                "super-segments read: " + ON.tun().rxSuperSegments());
        assertEquals(0, ON.tun().rxMalformed());
    }

    @Test
    void shouldSendSuperSegmentsToKernelByteExact() throws Exception {
        long before = ON.tun().txSuperSegments();
        send(ON, 6302);
        assertTrue(
                ON.tun().txSuperSegments() - before > 100,
                "super-segments written: " + ON.tun().txSuperSegments());
        assertEquals(
                Offload.TX_CSUM | Offload.TX_TSO4 | Offload.TX_TSO6, ON.tun().txOffloads(), "no fallback");
        // The kernel took every packet: no checksum or length error on its side.
        String snmp = ON.execOutput("nstat", "-asz", "TcpInCsumErrors", "IpInHdrErrors", "IpInTruncatedPkts");
        for (String line : snmp.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            assertEquals("0", f[1], line);
        }
    }

    @Test
    void shouldTransferPlainPacketsByteExactWhenOffloadIsOff() throws Exception {
        receive(OFF, 6303);
        send(OFF, 6304);
        assertEquals(0, OFF.tun().rxSuperSegments());
        assertEquals(0, OFF.tun().txSuperSegments());
    }

    /**
     * Offloads belong to the device: a plain open turns them off, or the kernel would pass 64 KiB GSO packets and
     * partial checksums to a reader that expects neither (before: the kernel's SYNs never got an answer).
     */
    @Test
    void shouldTransferPlainPacketsByteExactWhenReopenedWithOffloadOff() throws Exception {
        receive(OFF_AFTER_ON, 6307);
        send(OFF_AFTER_ON, 6308);
        assertEquals(0, OFF_AFTER_ON.tun().rxSuperSegments());
        assertEquals(0, OFF_AFTER_ON.tun().rxMalformed());
    }

    /** The capture holds what crossed the device: super-segments larger than the MTU, both ways. */
    @Test
    void shouldCaptureSuperSegmentsBothWays() throws Exception {
        receive(ON, 6305);
        send(ON, 6306);
        ON.flushPcap();
        int[] big = largerThanMtu(PCAP);
        assertTrue(big[0] > 100, "modtcp's super-segments in the capture: " + big[0]);
        assertTrue(big[1] > 100, "the kernel's super-segments in the capture: " + big[1]);
    }

    /**
     * The software fallback (no checksum offload): a segment with a partial checksum handed to
     * {@link TunLink#transmitOffloaded} has its checksum completed by the link. The kernel verifies it (a plain packet
     * is CHECKSUM_NONE): a SYN to a closed port draws a reset and no checksum error; the same SYN with a wrong checksum
     * is counted as one (the check can fail).
     */
    @Test
    void shouldCompletePartialChecksumsInSoftwareThatTheKernelVerifies() throws Exception {
        long errors = kernelCounter(OFF, "TcpInCsumErrors");
        long resets = kernelCounter(OFF, "TcpOutRsts");
        OFF.stack().callUnchecked(() -> OFF.tun().transmitOffloaded(syn(true), 1448, 0));
        awaitCounter(OFF, "TcpOutRsts", resets + 1);
        assertEquals(errors, kernelCounter(OFF, "TcpInCsumErrors"));
        OFF.stack().callUnchecked(() -> OFF.tun().transmit(syn(false), 0));
        awaitCounter(OFF, "TcpInCsumErrors", errors + 1);
    }

    /** A SYN from modtcp's address to a closed kernel port with a partial ({@code partial}) or a wrong checksum. */
    private static ByteBuf syn(boolean partial) {
        IpAddr src = KernelNet.modtcpAddr();
        IpAddr dst = KernelNet.kernelAddr();
        ByteBuf packet =
                SegmentSpec.of(src, 40_001, dst, 6399, 12345, 0, TcpHeader.SYN).encode(PooledByteBufAllocator.DEFAULT);
        TcpHeader tcp = new TcpHeader().wrap(packet, packet.readerIndex() + 20);
        int tcpLength = packet.readableBytes() - 20;
        if (partial) {
            tcp.fillPartialChecksum(tcpLength, src, dst);
        } else {
            tcp.checksum(tcp.checksum() ^ 0x0101);
        }
        return packet;
    }

    private static long kernelCounter(KernelNet net, String name) throws IOException {
        String out = net.execOutput("nstat", "-asz", name);
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(name)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("no " + name + " in nstat output:\n" + out);
    }

    private static void awaitCounter(KernelNet net, String name, long atLeast) throws Exception {
        long deadline = System.nanoTime() + 5 * SECOND;
        long v;
        while ((v = kernelCounter(net, name)) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " = " + v + ", expected at least " + atLeast);
            }
            Thread.sleep(20);
        }
    }

    private static void receive(KernelNet net, int port) throws Exception {
        TcpSocket server = net.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), port);
        server.listen(8);
        try (Peer peer = Peer.connect(net, port, MB64, "send-first", false)) {
            TcpSocket s = server.accept(10 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(60);
            assertNull(r.error());
            assertEquals(MB64, in.bytes());
            assertEquals(r.sentSha(), in.sha());
        } finally {
            server.close();
        }
    }

    private static void send(KernelNet net, int port) throws Exception {
        try (Peer peer = Peer.listen(net, port, 0, "recv-first", false)) {
            TcpSocket s = net.stack().openSocket();
            assertTrue(s.connect(KernelNet.kernelAddr(), port, 10 * SECOND));
            Bulk.Outcome out = Bulk.send(s, MB64, 9);
            s.shutdownOutput();
            Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(60);
            assertNull(r.error());
            assertEquals(MB64, r.received());
            assertEquals(out.sha(), r.receivedSha());
        }
    }

    /** Counts IPv4 records longer than the MTU from modtcp [0] and from the kernel [1] in a LINKTYPE_RAW pcap. */
    private static int[] largerThanMtu(Path pcap) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        int modtcp = KernelNet.modtcpAddr().v4();
        int[] counts = new int[2];
        b.position(24);
        while (b.remaining() >= 16) {
            b.getInt();
            b.getInt();
            int captured = b.getInt();
            int length = b.getInt();
            int at = b.position();
            if (length > MTU && captured >= 20 && (b.get(at) >>> 4) == 4) {
                int src = b.order(ByteOrder.BIG_ENDIAN).getInt(at + 12);
                b.order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(length, b.order(ByteOrder.BIG_ENDIAN).getShort(at + 2) & 0xffff, "IPv4 total length");
                b.order(ByteOrder.LITTLE_ENDIAN);
                counts[src == modtcp ? 0 : 1]++;
            }
            b.position(at + captured);
        }
        return counts;
    }
}

package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pcap of a TUN session (ping, transfers both ways, a refused connection) decodes cleanly in tshark. */
@Timeout(120)
class KernelPcapTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final Path PCAP = Path.of("target", "kernel-session.pcap").toAbsolutePath();

    /**
     * Without offloads: tshark checks every checksum, and with offloads the capture holds what crossed the device,
     * partial checksums included (KernelOffloadTest covers that capture).
     */
    @RegisterExtension
    static final KernelNet NET = KernelNet.builder().pcap(PCAP).offload(false).build();

    @Test
    void shouldDecodeInTsharkWithoutMalformedPacketsOrBadChecksums() throws Exception {
        String tshark = "tshark";
        if (KernelNet.which(tshark) == null) {
            KernelNet.requireTool(tshark, "apt-get install tshark");
        }
        NET.execOutput("ping", "-c", "2", "-i", "0.2", "-s", "1000", KernelNet.MODTCP_ADDR);
        TcpSocket server = NET.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), 6201);
        server.listen(8);
        try (Peer peer = Peer.connect(NET, 6201, 1 << 20, "send-first", false)) {
            TcpSocket s = server.accept(5 * SECOND);
            assertNotNull(s);
            Bulk.Outcome in = Bulk.receive(s);
            Bulk.send(s, 1 << 20, 3);
            s.close();
            assertEquals(peer.result(20).sentSha(), in.sha());
        } finally {
            server.close();
        }
        try (Peer refused = Peer.connect(NET, 6299, 0, "send-first", false)) {
            assertEquals("ECONNREFUSED", refused.result(10).error());
        }
        NET.flushPcap();
        assertTrue(Files.size(PCAP) > 2_000_000, "pcap holds the session");
        String total = KernelNet.runOutput(false, tshark, "-r", PCAP.toString(), "-T", "fields", "-e", "frame.number");
        assertTrue(total.lines().count() > 1000, "tshark read " + total.lines().count() + " packets");
        String verified = KernelNet.runOutput(
                false,
                tshark,
                "-r",
                PCAP.toString(),
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "ip.check_checksum:TRUE",
                "-Y",
                "tcp.checksum.status==1 && ip.checksum.status==1");
        assertTrue(verified.lines().count() > 1000, "tshark verified the checksums (field names of this version)");
        String bad = KernelNet.runOutput(
                false,
                tshark,
                "-r",
                PCAP.toString(),
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "ip.check_checksum:TRUE",
                // The payload is the peer's test bytes: decoded as plain data, so that no application-protocol
                // heuristic (tshark once read a segment of it as Thrift and called it malformed) judges TCP/IP.
                "-d",
                "tcp.port==6201,data",
                "-Y",
                "tcp.checksum.status==0 || ip.checksum.status==0 || icmp.checksum.status==0 || _ws.malformed"
                        + " || _ws.expert.severity==error");
        assertEquals("", bad.strip(), "packets tshark flags as malformed or with bad checksums");

        // RFC 7323 and RFC 2018 negotiated with Linux, as tshark reads them: the kernel's SYN offers window scaling,
        // SACK-permitted and timestamps, modtcp's SYN-ACK answers with all three, and the data modtcp sends carries
        // timestamps and windows scaled by its announced shift (7: factor 128).
        String all = " && tcp.options.wscale.shift && tcp.options.sack_perm && tcp.options.timestamp.tsval";
        assertEquals(1, count(tshark, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==6201" + all), "kernel SYN");
        assertEquals(
                1, count(tshark, "tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.srcport==6201" + all), "modtcp SYN-ACK");
        assertTrue(
                count(tshark, "tcp.srcport==6201 && tcp.len>0 && tcp.options.timestamp.tsval") > 100,
                "modtcp's data carries timestamps");
        assertTrue(
                count(tshark, "tcp.srcport==6201 && tcp.flags.syn==0 && tcp.window_size_scalefactor==128") > 100,
                "modtcp's windows are scaled by 128");
        assertTrue(
                count(tshark, "tcp.dstport==6201 && tcp.flags.syn==0 && tcp.options.timestamp.tsecr") > 100,
                "the kernel echoes modtcp's timestamps");
    }

    private static long count(String tshark, String filter) throws Exception {
        String out = KernelNet.runOutput(
                false, tshark, "-r", PCAP.toString(), "-Y", filter, "-T", "fields", "-e", "frame.number");
        return out.lines().filter(l -> !l.isBlank()).count();
    }
}

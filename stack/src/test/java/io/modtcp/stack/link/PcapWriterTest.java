package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    /** A valid IPv4 ICMP echo request from 192.0.2.{src} to 192.0.2.{dst} with {@code payload} bytes of data. */
    static ByteBuf icmpEcho(int src, int dst, int id, int payload) {
        int total = 20 + 8 + payload;
        ByteBuf b = Unpooled.buffer(total);
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(id).writeShort(0x4000);
        b.writeByte(64).writeByte(1).writeShort(0);
        b.writeBytes(new byte[] {(byte) 192, 0, 2, (byte) src});
        b.writeBytes(new byte[] {(byte) 192, 0, 2, (byte) dst});
        b.setShort(10, checksum(b, 0, 20));
        b.writeByte(8).writeByte(0).writeShort(0).writeShort(id).writeShort(1);
        for (int i = 0; i < payload; i++) {
            b.writeByte(i);
        }
        b.setShort(22, checksum(b, 20, 8 + payload));
        return b;
    }

    private static int checksum(ByteBuf b, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = b.getUnsignedByte(offset + i) << 8;
            int lo = i + 1 < length ? b.getUnsignedByte(offset + i + 1) : 0;
            sum += hi | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) ~sum & 0xFFFF;
    }

    @Test
    void shouldWriteHeaderAndRecordsThatReadBack() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<ByteBuf> packets = List.of(icmpEcho(1, 2, 1, 0), icmpEcho(2, 1, 2, 100), icmpEcho(1, 2, 3, 1000));
        long[] times = {0L, 1_500_000_001L, 1_700_000_000_123_456_789L};
        try (PcapWriter pcap = new PcapWriter(bytes)) {
            for (int i = 0; i < packets.size(); i++) {
                pcap.write(packets.get(i), times[i]);
            }
        }

        PcapReader read = new PcapReader(bytes.toByteArray());
        assertEquals(new PcapReader.Header(0xa1b23c4d, 2, 4, 0, 0, 65535, 101), read.header);
        assertEquals(3, read.records.size());
        for (int i = 0; i < packets.size(); i++) {
            ByteBuf p = packets.get(i);
            PcapReader.Record r = read.records.get(i);
            assertEquals(times[i], r.timestampNs());
            assertEquals(p.readableBytes(), r.originalLength());
            assertArrayEquals(ByteBufUtil.getBytes(p), r.data());
            assertEquals(0, p.readerIndex(), "indices untouched");
            assertEquals(1, p.refCnt(), "not consumed");
            p.release();
        }
    }

    @Test
    void shouldWriteOnlyReadableBytesWithoutMovingIndices() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuf framed = Unpooled.buffer().writeBytes("xxIPyy".getBytes(StandardCharsets.US_ASCII));
        framed.readerIndex(2).writerIndex(4);
        try (PcapWriter pcap = new PcapWriter(bytes)) {
            pcap.write(framed, 5);
        }
        assertEquals(2, framed.readerIndex());
        assertEquals(4, framed.writerIndex());
        framed.release();

        PcapReader.Record r = new PcapReader(bytes.toByteArray()).records.get(0);
        assertArrayEquals("IP".getBytes(StandardCharsets.US_ASCII), r.data());
    }

    @Test
    void shouldTruncateToSnaplenAndKeepOriginalLength() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuf jumbo = Unpooled.buffer(70_000).writeZero(70_000);
        try (PcapWriter pcap = new PcapWriter(bytes)) {
            pcap.write(jumbo, 1);
        }
        jumbo.release();
        PcapReader.Record r = new PcapReader(bytes.toByteArray()).records.get(0);
        assertEquals(65535, r.data().length);
        assertEquals(70_000, r.originalLength());
    }

    @Test
    void shouldRefuseWritesWhenClosed() throws IOException {
        PcapWriter pcap = new PcapWriter(new ByteArrayOutputStream());
        pcap.close();
        pcap.close();
        ByteBuf p = icmpEcho(1, 2, 1, 0);
        assertThrows(IllegalStateException.class, () -> pcap.write(p, 0));
        p.release();
    }

    @Test
    void shouldWriteFileWhenGivenPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.pcap");
        ByteBuf p = icmpEcho(1, 2, 1, 10);
        try (PcapWriter pcap = new PcapWriter(file)) {
            pcap.write(p, 42);
            pcap.flush();
            assertEquals(24 + 16 + 38, Files.size(file));
        }
        p.release();
        assertEquals(1, new PcapReader(Files.readAllBytes(file)).records.size());
    }

    @Test
    @Timeout(60)
    void shouldBeReadableByTsharkWhenTsharkIsInstalled(@TempDir Path dir) throws IOException, InterruptedException {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean haveTshark = onPath("tshark");
        if (ci) {
            assertTrue(haveTshark, "tshark must be installed when CI=true");
        } else {
            assumeTrue(haveTshark, "tshark not on PATH");
        }
        Path file = dir.resolve("icmp.pcap");
        try (PcapWriter pcap = new PcapWriter(file)) {
            for (int i = 0; i < 4; i++) {
                ByteBuf p = icmpEcho(1 + (i & 1), 2 - (i & 1), i, 56);
                pcap.write(p, 1_000_000_000L * i + 7);
                p.release();
            }
        }
        Process tshark = new ProcessBuilder(
                        "tshark",
                        "-n",
                        "-r",
                        file.toString(),
                        "-T",
                        "fields",
                        "-e",
                        "frame.time_epoch",
                        "-e",
                        "ip.src",
                        "-e",
                        "icmp.seq",
                        "-e",
                        "_ws.expert")
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tshark.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("stderr"));
        assertEquals(0, tshark.exitValue(), err);
        List<String> lines = new ArrayList<>(out.lines().toList());
        assertEquals(4, lines.size(), out + err);
        for (int i = 0; i < 4; i++) {
            String[] fields = lines.get(i).split("\t", -1);
            assertTrue(fields[0].startsWith(i + ".000000007"), lines.get(i));
            assertEquals("192.0.2." + (1 + (i & 1)), fields[1]);
            assertEquals("", fields.length > 3 ? fields[3] : "", "no expert info (checksum, malformed): " + out);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}

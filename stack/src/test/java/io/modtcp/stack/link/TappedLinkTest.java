package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TappedLinkTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldRecordTransmittedAndReceivedPacketsWithCallTimes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuf sent = PcapWriterTest.icmpEcho(1, 2, 1, 20);
        byte[] sentBytes = ByteBufUtil.getBytes(sent);
        try (PcapWriter pcap = new PcapWriter(bytes);
                LinkPair pair = LinkPair.create(1500, FaultModel.NONE.withDelayNs(3 * MS), FaultModel.NONE, 1)) {
            Link a = new TappedLink(pair.a(), pcap);
            Link b = new TappedLink(pair.b(), pcap);
            AtomicInteger wakeups = new AtomicInteger();
            b.setWakeup(wakeups::incrementAndGet);

            a.transmit(sent, 10 * MS);
            assertEquals(13 * MS, b.nextEventNs());
            assertEquals(1, wakeups.get());
            List<ByteBuf> got = new ArrayList<>();
            assertEquals(1, b.receive(got::add, 10, 13 * MS));
            assertEquals("pair-b", b.name());
            assertEquals(1500, b.mtu());
            got.forEach(ByteBuf::release);
        }

        PcapReader read = new PcapReader(bytes.toByteArray());
        assertEquals(2, read.records.size());
        assertEquals(10 * MS, read.records.get(0).timestampNs());
        assertEquals(13 * MS, read.records.get(1).timestampNs());
        assertArrayEquals(sentBytes, read.records.get(0).data());
        assertArrayEquals(sentBytes, read.records.get(1).data());
    }

    @Test
    void shouldRecordTransmitEvenWhenInnerLinkDropsIt() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoopbackLink lo = new LoopbackLink(1500, 1);
        try (PcapWriter pcap = new PcapWriter(bytes)) {
            TappedLink tapped = new TappedLink(lo, pcap);
            assertSame(lo, tapped.inner());
            tapped.transmit(PcapWriterTest.icmpEcho(1, 1, 1, 0), 1);
            tapped.transmit(PcapWriterTest.icmpEcho(1, 1, 2, 0), 2);
            tapped.close();
        }
        assertEquals(2, new PcapReader(bytes.toByteArray()).records.size());
        assertEquals(1, lo.queueDrops());
    }
}

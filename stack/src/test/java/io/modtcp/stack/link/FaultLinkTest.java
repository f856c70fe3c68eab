package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultLinkTest {
    private static final long MS = 1_000_000L;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    /** An IPv4/TCP packet 10.0.0.1:sport → 10.0.0.2:dport (or reversed), {@code payload} zero bytes, tag in TTL. */
    static ByteBuf tcp(boolean fromClient, int sport, int dport, int seq, int ack, int flags, int payload, int tsval) {
        int tcpLen = 32; // 20 + a 12-byte timestamp option block
        int total = 20 + tcpLen + payload;
        ByteBuf b = Unpooled.buffer(total);
        b.writeByte(0x45).writeByte(0).writeShort(total).writeShort(0).writeShort(0x4000);
        b.writeByte(64).writeByte(6).writeShort(0);
        b.writeInt(fromClient ? 0x0a000001 : 0x0a000002).writeInt(fromClient ? 0x0a000002 : 0x0a000001);
        b.writeShort(fromClient ? sport : dport).writeShort(fromClient ? dport : sport);
        b.writeInt(seq).writeInt(ack);
        b.writeByte((tcpLen / 4) << 4)
                .writeByte(flags)
                .writeShort(65535 - tsval % 1000)
                .writeInt(0);
        b.writeByte(1).writeByte(1).writeByte(8).writeByte(10).writeInt(tsval).writeInt(tsval / 2);
        b.writeZero(payload);
        return b;
    }

    /**
     * One conversation: handshake, then 200 request/response exchanges of 100 and 1000 bytes, then 300 pure ACKs of a
     * bulk transfer. Ports, ISNs and timestamps are those given; what stays the same across runs is the exchange.
     */
    static List<ByteBuf> conversation(int sport, int dport, int isnC, int isnS, int tsBase) {
        List<ByteBuf> out = new ArrayList<>();
        out.add(tcp(true, sport, dport, isnC, 0, SYN, 0, tsBase));
        out.add(tcp(false, sport, dport, isnS, isnC + 1, SYN | ACK, 0, tsBase + 1));
        out.add(tcp(true, sport, dport, isnC + 1, isnS + 1, ACK, 0, tsBase + 2));
        int c = isnC + 1;
        int s = isnS + 1;
        for (int i = 0; i < 200; i++) {
            out.add(tcp(true, sport, dport, c, s, ACK | PSH, 100, tsBase + 3 + 2 * i));
            c += 100;
            out.add(tcp(false, sport, dport, s, c, ACK | PSH, 1000, tsBase + 4 + 2 * i));
            s += 1000;
        }
        for (int i = 0; i < 300; i++) {
            out.add(tcp(true, sport, dport, c, s + 1460 * i, ACK, 0, tsBase + 500 + i));
        }
        return out;
    }

    /** Sends the packets in order at time 0 through a fresh fault link; returns the indices of the lost ones. */
    static List<Integer> lostIndices(FaultModel model, long seed, List<ByteBuf> packets) {
        LoopbackLink lo = new LoopbackLink(65535, 4096);
        FaultLink link = new FaultLink(lo);
        link.configure(model, seed);
        List<Integer> lost = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            long before = link.stats().lost();
            link.transmit(packets.get(i), 0);
            if (link.stats().lost() != before) {
                lost.add(i);
            }
            lo.receive(ByteBuf::release, Integer.MAX_VALUE, 0);
        }
        link.close();
        return lost;
    }

    static long fingerprint(FaultModel model, long seed, List<ByteBuf> packets) {
        FaultLink link = new FaultLink(new LoopbackLink(65535, 4096));
        link.configure(model, seed);
        for (ByteBuf p : packets) {
            link.transmit(p, 0);
            link.receive(ByteBuf::release, Integer.MAX_VALUE, 0);
        }
        link.close();
        return link.lostFingerprint();
    }

    @Test
    void sameSeedDropsTheSameSegmentsOfTheSameConversationOnOtherPortsAndIsns() {
        FaultModel loss = FaultModel.NONE.withLossRate(0.05);
        List<Integer> first = lostIndices(loss, 42, conversation(40000, 8080, 1000, 777_777, 5));
        List<Integer> again = lostIndices(loss, 42, conversation(40000, 8080, 1000, 777_777, 5));
        List<Integer> otherRun = lostIndices(loss, 42, conversation(51234, 35001, -123_456, 99, 90_000));
        List<Integer> otherSeed = lostIndices(loss, 43, conversation(40000, 8080, 1000, 777_777, 5));
        // 703 packets at 5 %: about 35 lost; the bounds are 5 standard deviations wide.
        assertTrue(first.size() > 5 && first.size() < 65, "lost " + first.size());
        assertEquals(first, again);
        assertEquals(first, otherRun);
        assertNotEquals(first, otherSeed);
        assertEquals(
                fingerprint(loss, 42, conversation(40000, 8080, 1000, 777_777, 5)),
                fingerprint(loss, 42, conversation(51234, 35001, -123_456, 99, 90_000)));
        assertNotEquals(
                fingerprint(loss, 42, conversation(40000, 8080, 1000, 777_777, 5)),
                fingerprint(loss, 43, conversation(40000, 8080, 1000, 777_777, 5)));
    }

    @Test
    void pureAcksAreExemptUnlessAskedFor() {
        List<ByteBuf> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            acks.add(tcp(true, 40000, 8080, 5000, 9000 + i, ACK, 0, i));
        }
        List<Integer> none = lostIndices(FaultModel.NONE.withLossRate(1), 7, acks);
        assertEquals(List.of(), none);
        LoopbackLink lo = new LoopbackLink(65535, 4096);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withLossRate(1), 7, true);
        for (int i = 0; i < 100; i++) {
            link.transmit(tcp(true, 40000, 8080, 5000, 9000 + i, ACK, 0, i), 0);
        }
        assertEquals(100, link.stats().lost());
        assertEquals(0, lo.receive(ByteBuf::release, Integer.MAX_VALUE, 0));
        link.close();
    }

    @Test
    void aRetransmissionGetsADrawOfItsOwn() {
        // The same segment sent 200 times (a retransmission each time): at 50 % not all share one fate.
        List<ByteBuf> same = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            same.add(tcp(true, 40000, 8080, 5000, 9000, ACK | PSH, 100, i));
        }
        List<Integer> lost = lostIndices(FaultModel.NONE.withLossRate(0.5), 7, same);
        assertTrue(lost.size() > 60 && lost.size() < 140, "lost " + lost.size());
    }

    @Test
    void anExtraPacketDoesNotShiftTheOthersDraws() {
        FaultModel loss = FaultModel.NONE.withLossRate(0.1);
        List<ByteBuf> base = conversation(40000, 8080, 1000, 777_777, 5);
        List<Integer> lostBase = lostIndices(loss, 9, base);
        List<ByteBuf> withExtra = conversation(40000, 8080, 1000, 777_777, 5);
        // A window update nobody else sends (another ACK number), inserted after the handshake.
        withExtra.add(3, tcp(false, 40000, 8080, 777_778, 1001, ACK, 0, 3));
        List<Integer> lostExtra = lostIndices(loss, 9, withExtra);
        lostExtra.remove(Integer.valueOf(3));
        List<Integer> shifted = new ArrayList<>();
        for (int i : lostExtra) {
            shifted.add(i > 3 ? i - 1 : i);
        }
        assertEquals(lostBase, shifted);
    }

    @Test
    void delayHoldsPacketsUntilDueAndTheStackLoopReleasesThem() {
        LoopbackLink lo = new LoopbackLink(65535, 64);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withDelayNs(10 * MS), 1);
        assertTrue(link.transmit(tcp(true, 1, 2, 0, 0, SYN, 0, 0), 0));
        assertTrue(link.transmit(tcp(true, 1, 2, 1, 0, ACK, 10, 0), 1 * MS));
        assertEquals(10 * MS, link.nextEventNs());
        List<Integer> got = new ArrayList<>();
        assertEquals(0, link.receive(p -> got.add(release(p)), 16, 10 * MS - 1));
        assertEquals(1, link.receive(p -> got.add(release(p)), 16, 10 * MS));
        assertEquals(11 * MS, link.nextEventNs());
        assertEquals(1, link.receive(p -> got.add(release(p)), 16, 11 * MS));
        assertEquals(Long.MAX_VALUE, link.nextEventNs());
        assertEquals(List.of(52, 62), got);
        assertEquals(2, link.stats().delivered());
        link.close();
    }

    @Test
    void rateSpacesPacketsByTheirSerializationTime() {
        LoopbackLink lo = new LoopbackLink(65535, 64);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withRateBitsPerSecond(8_000_000), 1); // 1 byte per µs
        for (int i = 0; i < 3; i++) {
            link.transmit(tcp(true, 1, 2, 1000 * i, 0, ACK, 948, 0), 0); // 1000 bytes each
        }
        assertEquals(1000_000L, link.nextEventNs());
        link.receive(ByteBuf::release, 16, 2_999_999L);
        assertEquals(3000_000L, link.nextEventNs());
        assertEquals(1, link.receive(ByteBuf::release, 16, 3_000_000L));
        link.close();
    }

    @Test
    void theHeldQueueIsBoundedAndCloseReleasesWhatItHolds() {
        LoopbackLink lo = new LoopbackLink(65535, 64);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withDelayNs(MS).withQueueCapacity(2), 1);
        assertTrue(link.transmit(tcp(true, 1, 2, 0, 0, ACK, 1, 0), 0));
        assertTrue(link.transmit(tcp(true, 1, 2, 1, 0, ACK, 1, 0), 0));
        assertFalse(link.transmit(tcp(true, 1, 2, 2, 0, ACK, 1, 0), 0));
        assertEquals(1, link.stats().queueDrops());
        assertEquals(2, link.held());
        link.close(); // paranoid leak detection reports a held packet not released
        assertEquals(0, link.held());
    }

    @Test
    void duplicateDeliversTwoCopiesAndReconfigureStartsFreshCounters() {
        LoopbackLink lo = new LoopbackLink(65535, 64);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withDuplicateRate(1), 1);
        link.transmit(tcp(true, 1, 2, 0, 0, ACK, 5, 0), 0);
        assertEquals(2, link.receive(ByteBuf::release, 16, 0));
        assertEquals(1, link.stats().duplicated());
        link.configure(FaultModel.NONE, 1);
        assertEquals(0, link.stats().duplicated());
        link.transmit(tcp(true, 1, 2, 0, 0, ACK, 5, 0), 0);
        assertEquals(1, link.receive(ByteBuf::release, 16, 0));
        link.close();
    }

    @Test
    void offloadsStopOnceAFaultIsConfiguredAndDoNotComeBack() {
        Link offloading = new ForwardingLink(new LoopbackLink(65535, 4)) {
            @Override
            public int txOffloads() {
                return Offload.TX_CSUM;
            }
        };
        FaultLink link = new FaultLink(offloading);
        assertEquals(Offload.TX_CSUM, link.txOffloads());
        link.configure(FaultModel.NONE.withLossRate(0.01), 1);
        assertEquals(0, link.txOffloads());
        link.configure(FaultModel.NONE, 1);
        assertEquals(0, link.txOffloads());
        link.close();
    }

    @Test
    void nonTcpAndTruncatedPacketsAreHandledWithoutReadingPastTheirBytes() {
        LoopbackLink lo = new LoopbackLink(65535, 64);
        FaultLink link = new FaultLink(lo);
        link.configure(FaultModel.NONE.withLossRate(0.5), 3);
        ByteBuf truncated = tcp(true, 1, 2, 0, 0, ACK, 100, 0);
        truncated.writerIndex(30); // claims 152 bytes, holds 30
        link.transmit(truncated, 0);
        link.transmit(Unpooled.buffer(0), 0);
        link.transmit(Unpooled.wrappedBuffer(new byte[] {0x60, 1, 2}), 0);
        assertEquals(3, link.stats().sent());
        assertEquals(3, link.stats().lost() + link.receive(ByteBuf::release, 16, 0));
        link.close();
    }

    private static int release(ByteBuf p) {
        int n = p.readableBytes();
        p.release();
        return n;
    }
}

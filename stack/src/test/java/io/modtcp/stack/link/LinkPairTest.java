package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LinkPairTest {
    private static final int MTU = 1500;
    private static final int N = 10_000;
    private static final long MS = 1_000_000L;

    /** A packet of {@code size} bytes: its id, then a pattern derived from it. */
    static ByteBuf packet(int id, int size) {
        ByteBuf b = Unpooled.buffer(size);
        b.writeInt(id);
        for (int i = 4; i < size; i++) {
            b.writeByte(id * 31 + i);
        }
        return b;
    }

    static ByteBuf packet(int id) {
        return packet(id, 64);
    }

    /** One delivery: when, and the packet's bytes. */
    record Delivery(long nowNs, int id, int hash) {}

    /** Receives everything receivable at {@code nowNs} on {@code link}, releasing it. */
    static void drain(Link link, long nowNs, List<Delivery> into) {
        link.receive(
                p -> {
                    into.add(new Delivery(nowNs, p.getInt(p.readerIndex()), p.hashCode()));
                    p.release();
                },
                Integer.MAX_VALUE,
                nowNs);
    }

    /** Sends N packets a→b, one every {@code gapNs}, stepping time event by event; returns what b received. */
    static List<Delivery> run(LinkPair pair, int count, long gapNs) {
        List<Delivery> got = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < count; i++) {
            long sendAt = i * gapNs;
            while (pair.b().nextEventNs() <= sendAt) {
                now = pair.b().nextEventNs();
                drain(pair.b(), now, got);
            }
            now = sendAt;
            pair.a().transmit(packet(i), now);
            drain(pair.b(), now, got);
        }
        while (pair.b().nextEventNs() != Long.MAX_VALUE) {
            now = pair.b().nextEventNs();
            drain(pair.b(), now, got);
        }
        return got;
    }

    static final FaultModel EVERYTHING = FaultModel.NONE
            .withLossRate(0.05)
            .withDuplicateRate(0.05)
            .withReorder(0.05, 3 * MS)
            .withCorruptRate(0.05)
            .withDelayNs(10 * MS)
            .withJitterNs(2 * MS)
            .withRateBitsPerSecond(100_000_000L);

    @Nested
    class Determinism {
        @Test
        void shouldGiveIdenticalTraceWhenSeedIsTheSame() {
            List<Delivery> first;
            List<Delivery> second;
            try (LinkPair p1 = LinkPair.create(MTU, EVERYTHING, EVERYTHING, 42)) {
                first = run(p1, 2000, 100_000);
            }
            try (LinkPair p2 = LinkPair.create(MTU, EVERYTHING, EVERYTHING, 42)) {
                second = run(p2, 2000, 100_000);
            }
            assertEquals(first, second);
        }

        @Test
        void shouldGiveDifferentTraceWhenSeedDiffers() {
            try (LinkPair p1 = LinkPair.create(MTU, EVERYTHING, EVERYTHING, 42);
                    LinkPair p2 = LinkPair.create(MTU, EVERYTHING, EVERYTHING, 43)) {
                assertNotEquals(run(p1, 2000, 100_000), run(p2, 2000, 100_000));
            }
        }

        @Test
        void shouldUseIndependentStreamsPerDirection() {
            try (LinkPair pair = LinkPair.create(MTU, EVERYTHING, EVERYTHING, 7)) {
                List<Delivery> aToB = run(pair, 500, 100_000);
                List<Delivery> bToA = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    pair.b().transmit(packet(i), i * 100_000L);
                }
                drain(pair.a(), Long.MAX_VALUE - 1, bToA);
                assertNotEquals(
                        aToB.stream().map(Delivery::id).toList(),
                        bToA.stream().map(Delivery::id).toList());
            }
        }
    }

    @Nested
    class FaultRates {
        @Test
        void shouldLoseAboutLossRateOfPackets() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE.withLossRate(0.1), FaultModel.NONE, 1)) {
                List<Delivery> got = run(pair, N, 1000);
                LinkStats s = pair.statsAToB();
                assertEquals(N, s.sent());
                assertEquals(N, s.lost() + s.delivered());
                assertEquals(got.size(), s.delivered());
                assertRate(0.1, s.lost());
            }
        }

        @Test
        void shouldDuplicateAboutDuplicateRateOfPackets() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE.withDuplicateRate(0.2), FaultModel.NONE, 2)) {
                List<Delivery> got = run(pair, N, 1000);
                LinkStats s = pair.statsAToB();
                assertRate(0.2, s.duplicated());
                assertEquals(N + s.duplicated(), got.size());
                long adjacentTwins = 0;
                for (int i = 1; i < got.size(); i++) {
                    if (got.get(i).equals(got.get(i - 1))) {
                        adjacentTwins++;
                    }
                }
                assertEquals(s.duplicated(), adjacentTwins, "each copy arrives right after its original");
            }
        }

        @Test
        void shouldReorderAboutReorderRateOfPackets() {
            FaultModel reorder = FaultModel.NONE.withDelayNs(MS).withReorder(0.1, 5 * MS);
            try (LinkPair pair = LinkPair.create(MTU, reorder, FaultModel.NONE, 3)) {
                List<Delivery> got = run(pair, N, 100_000);
                LinkStats s = pair.statsAToB();
                assertRate(0.1, s.reordered());
                assertEquals(N, got.size());
                long outOfOrder = 0;
                int maxSeen = -1;
                for (Delivery d : got) {
                    if (d.id() < maxSeen) {
                        outOfOrder++;
                    }
                    maxSeen = Math.max(maxSeen, d.id());
                }
                // a reordered packet waits 5 ms while later ones (sent every 0.1 ms) overtake it
                assertEquals(s.reordered(), outOfOrder);
            }
        }

        @Test
        void shouldCorruptAboutCorruptRateOfPacketsByExactlyOneBit() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE.withCorruptRate(0.1), FaultModel.NONE, 4)) {
                AtomicInteger oneBitOff = new AtomicInteger();
                AtomicInteger intact = new AtomicInteger();
                List<ByteBuf> originals = new ArrayList<>();
                for (int i = 0; i < N; i++) {
                    ByteBuf p = packet(i, 100);
                    originals.add(p.retainedDuplicate());
                    pair.a().transmit(p, i);
                }
                int[] index = {0};
                pair.b()
                        .receive(
                                p -> {
                                    ByteBuf original = originals.get(index[0]++);
                                    int diffBits = 0;
                                    assertEquals(original.readableBytes(), p.readableBytes());
                                    for (int j = 0; j < p.readableBytes(); j++) {
                                        diffBits += Integer.bitCount((p.getByte(j) ^ original.getByte(j)) & 0xFF);
                                    }
                                    if (diffBits == 0) {
                                        intact.incrementAndGet();
                                    } else {
                                        assertEquals(1, diffBits);
                                        oneBitOff.incrementAndGet();
                                    }
                                    p.release();
                                },
                                Integer.MAX_VALUE,
                                N);
                for (int i = 0; i < N; i++) {
                    ByteBuf original = originals.get(i);
                    ByteBuf expected = packet(i, 100);
                    assertEquals(expected, original, "sender's bytes untouched");
                    expected.release();
                    original.release();
                }
                assertEquals(N, index[0]);
                assertEquals(pair.statsAToB().corrupted(), oneBitOff.get());
                assertRate(0.1, oneBitOff.get());
            }
        }

        @Test
        void shouldDropBeyondQueueCapacityAndCountIt() {
            try (LinkPair pair =
                    LinkPair.create(MTU, FaultModel.NONE.withDelayNs(MS).withQueueCapacity(3), FaultModel.NONE, 5)) {
                List<ByteBuf> sent = new ArrayList<>();
                boolean[] accepted = new boolean[5];
                for (int i = 0; i < 5; i++) {
                    ByteBuf p = packet(i);
                    sent.add(p);
                    accepted[i] = pair.a().transmit(p, 0);
                }
                assertTrue(accepted[0] && accepted[1] && accepted[2]);
                assertFalse(accepted[3] || accepted[4]);
                assertEquals(0, sent.get(4).refCnt(), "dropped packet released");
                assertEquals(2, pair.statsAToB().queueDrops());
                assertEquals(3, pair.inFlightAToB());
                List<Delivery> got = new ArrayList<>();
                drain(pair.b(), MS, got);
                assertEquals(3, got.size());
                assertTrue(pair.a().transmit(packet(9), MS), "room again");
            }
        }

        private static void assertRate(double expected, long count) {
            double measured = (double) count / N;
            // 5 standard deviations of a binomial count
            double tolerance = 5 * Math.sqrt(expected * (1 - expected) / N);
            assertTrue(
                    Math.abs(measured - expected) <= tolerance,
                    "measured " + measured + ", expected " + expected + " ± " + tolerance);
        }
    }

    @Nested
    class Timing {
        @Test
        void shouldDeliverExactlyAfterFixedDelay() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE.withDelayNs(5 * MS), FaultModel.NONE, 6)) {
                pair.a().transmit(packet(1), 1000);

                assertEquals(1000 + 5 * MS, pair.b().nextEventNs());
                assertEquals(Long.MAX_VALUE, pair.a().nextEventNs());
                assertEquals(0, pair.b().receive(ByteBuf::release, 10, 1000 + 5 * MS - 1));
                assertEquals(1, pair.b().receive(ByteBuf::release, 10, 1000 + 5 * MS));
                assertEquals(Long.MAX_VALUE, pair.b().nextEventNs());
            }
        }

        @Test
        void shouldQueueSerializationDelayWhenRateLimited() {
            // 1500 bytes = 12,000 bits at 1 Mbit/s = 12 ms on the wire
            FaultModel slow = FaultModel.NONE.withRateBitsPerSecond(1_000_000).withDelayNs(MS);
            try (LinkPair pair = LinkPair.create(MTU, slow, FaultModel.NONE, 7)) {
                for (int i = 0; i < 3; i++) {
                    pair.a().transmit(packet(i, 1500), 0);
                }
                List<Long> times = new ArrayList<>();
                while (pair.b().nextEventNs() != Long.MAX_VALUE) {
                    long t = pair.b().nextEventNs();
                    assertEquals(0, pair.b().receive(ByteBuf::release, 10, t - 1));
                    assertEquals(1, pair.b().receive(ByteBuf::release, 10, t));
                    times.add(t);
                }
                assertEquals(List.of(13 * MS, 25 * MS, 37 * MS), times);

                // an idle link starts serializing at once
                pair.a().transmit(packet(3, 1500), 100 * MS);
                assertEquals(113 * MS, pair.b().nextEventNs());
                pair.b().receive(ByteBuf::release, 10, 113 * MS);
            }
        }

        @Test
        void shouldRoundSerializationDelayUp() {
            // 1 byte = 8 bits at 3 bit/s = 2.666… s → 2,666,666,667 ns
            FaultModel slow = FaultModel.NONE.withRateBitsPerSecond(3);
            try (LinkPair pair = LinkPair.create(MTU, slow, FaultModel.NONE, 8)) {
                pair.a().transmit(Unpooled.buffer(1).writeByte(1), 0);
                assertEquals(2_666_666_667L, pair.b().nextEventNs());
                pair.b().receive(ByteBuf::release, 1, Long.MAX_VALUE);
            }
        }

        @Test
        void shouldKeepFifoOrderWhenJitterButNoReordering() {
            FaultModel jittery = FaultModel.NONE.withDelayNs(MS).withJitterNs(10 * MS);
            try (LinkPair pair = LinkPair.create(MTU, jittery, FaultModel.NONE, 9)) {
                List<Delivery> got = run(pair, N, 10_000);
                assertEquals(N, got.size());
                for (int i = 0; i < N; i++) {
                    assertEquals(i, got.get(i).id());
                }
                long distinctTimes =
                        got.stream().map(Delivery::nowNs).distinct().count();
                assertTrue(distinctTimes > 100, "jitter varies the delivery times");
                for (Delivery d : got) {
                    long sentAt = d.id() * 10_000L;
                    assertTrue(d.nowNs() >= sentAt + MS, "never before the fixed delay");
                }
            }
        }

        @Test
        void shouldReportEarliestDeliveryWhenReorderedPacketIsBehind() {
            FaultModel always = FaultModel.NONE.withDelayNs(MS).withReorder(1.0, 4 * MS);
            try (LinkPair pair = LinkPair.create(MTU, always, FaultModel.NONE, 10)) {
                pair.a().transmit(packet(1), 0);
                assertEquals(5 * MS, pair.b().nextEventNs());
                pair.b().receive(ByteBuf::release, 1, 5 * MS);
            }
        }
    }

    @Nested
    class Wiring {
        @Test
        void shouldCarryPacketsBothWaysWithNames() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE, FaultModel.NONE, 11)) {
                assertEquals("pair-a", pair.a().name());
                assertEquals("pair-b", pair.b().name());
                assertEquals(MTU, pair.a().mtu());
                pair.a().transmit(packet(1), 0);
                pair.b().transmit(packet(2), 0);
                List<Delivery> atA = new ArrayList<>();
                List<Delivery> atB = new ArrayList<>();
                drain(pair.a(), 0, atA);
                drain(pair.b(), 0, atB);
                assertEquals(2, atA.get(0).id());
                assertEquals(1, atB.get(0).id());
            }
        }

        @Test
        void shouldWakeReceiverWhenPeerTransmits() {
            try (LinkPair pair = LinkPair.create(MTU, FaultModel.NONE, FaultModel.NONE, 12)) {
                AtomicInteger wakeA = new AtomicInteger();
                AtomicInteger wakeB = new AtomicInteger();
                pair.a().setWakeup(wakeA::incrementAndGet);
                pair.b().setWakeup(wakeB::incrementAndGet);

                pair.a().transmit(packet(1), 0);
                assertEquals(0, wakeA.get());
                assertEquals(1, wakeB.get());
            }
        }

        @Test
        void shouldReleaseInFlightPacketsWhenClosed() {
            LinkPair pair = LinkPair.create(MTU, FaultModel.NONE.withDelayNs(MS), FaultModel.NONE, 13);
            ByteBuf p = packet(1);
            pair.a().transmit(p, 0);
            pair.close();
            assertEquals(0, p.refCnt());
            ByteBuf late = packet(2);
            assertFalse(pair.a().transmit(late, 0));
            assertEquals(0, late.refCnt());
        }

        @Test
        void shouldRejectInvalidFaultModel() {
            assertThrows(IllegalArgumentException.class, () -> FaultModel.NONE.withLossRate(1.5));
            assertThrows(IllegalArgumentException.class, () -> FaultModel.NONE.withLossRate(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> FaultModel.NONE.withDelayNs(-1));
            assertThrows(IllegalArgumentException.class, () -> FaultModel.NONE.withQueueCapacity(0));
        }
    }
}

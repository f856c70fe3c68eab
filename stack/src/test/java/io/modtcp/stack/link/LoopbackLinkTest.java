package io.modtcp.stack.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoopbackLinkTest {
    private static ByteBuf packet(int id) {
        return Unpooled.buffer(8).writeInt(id).writeInt(~id);
    }

    @Test
    void shouldReceivePacketRightAfterTransmitWhenQueueHasRoom() {
        LoopbackLink lo = new LoopbackLink(65535, 4);
        ByteBuf sent = packet(7);

        assertTrue(lo.transmit(sent, 0));
        List<ByteBuf> got = new ArrayList<>();
        assertEquals(1, lo.receive(got::add, 10, 0));
        assertEquals(1, got.size());
        assertEquals(7, got.get(0).getInt(0));
        assertTrue(got.get(0).release());
        assertEquals(Long.MAX_VALUE, lo.nextEventNs());
        assertEquals("lo", lo.name());
        assertEquals(65535, lo.mtu());
    }

    @Test
    void shouldDropAndReleaseWhenQueueIsFull() {
        LoopbackLink lo = new LoopbackLink(1500, 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(lo.transmit(packet(i), 0));
        }
        ByteBuf overflow = packet(99);

        assertFalse(lo.transmit(overflow, 0));
        assertEquals(0, overflow.refCnt());
        assertEquals(1, lo.queueDrops());
        assertEquals(3, lo.queued());

        List<Integer> ids = new ArrayList<>();
        assertEquals(2, lo.receive(p -> ids.add(take(p)), 2, 0));
        assertTrue(lo.transmit(packet(3), 0), "room again after receive");
        lo.receive(p -> ids.add(take(p)), 10, 0);
        assertEquals(List.of(0, 1, 2, 3), ids);
    }

    @Test
    void shouldWakeOnlyWhenQueueWasEmpty() {
        LoopbackLink lo = new LoopbackLink(1500, 8);
        AtomicInteger wakeups = new AtomicInteger();
        lo.setWakeup(wakeups::incrementAndGet);

        lo.transmit(packet(1), 0);
        lo.transmit(packet(2), 0);
        assertEquals(1, wakeups.get());
        lo.receive(ByteBuf::release, 10, 0);
        lo.transmit(packet(3), 0);
        assertEquals(2, wakeups.get());
        lo.close();
    }

    @Test
    void shouldReleaseQueuedPacketsAndRefuseNewOnesWhenClosed() {
        LoopbackLink lo = new LoopbackLink(1500, 8);
        ByteBuf queued = packet(1);
        lo.transmit(queued, 0);

        lo.close();
        assertEquals(0, queued.refCnt());
        ByteBuf late = packet(2);
        assertFalse(lo.transmit(late, 0));
        assertEquals(0, late.refCnt());
    }

    @Test
    void shouldRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new LoopbackLink(1500, 0));
        assertThrows(IllegalArgumentException.class, () -> new LoopbackLink(0, 8));
    }

    @Test
    void shouldHoldOnePacketWhenCapacityIsOne() {
        LoopbackLink lo = new LoopbackLink(1500, 1);
        assertTrue(lo.transmit(packet(1), 0));
        ByteBuf second = packet(2);
        assertFalse(lo.transmit(second, 0));
        assertEquals(0, second.refCnt());
        List<Integer> ids = new ArrayList<>();
        lo.receive(p -> ids.add(take(p)), 10, 0);
        assertTrue(lo.transmit(packet(3), 0));
        assertFalse(lo.transmit(packet(4), 0));
        lo.receive(p -> ids.add(take(p)), 10, 0);
        assertEquals(List.of(1, 3), ids);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 64})
    @Timeout(30)
    void shouldDeliverEveryPacketOnceWhenManyThreadsTransmit(int capacity) throws InterruptedException {
        LoopbackLink lo = new LoopbackLink(1500, capacity);
        int threads = 4;
        int perThread = 5_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread producer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    while (!lo.transmit(packet(base + i), 0)) {
                        Thread.onSpinWait();
                    }
                }
            });
            producer.start();
            producers.add(producer);
        }
        Set<Integer> seen = new HashSet<>();
        int[] lastPerThread = new int[threads];
        Arrays.fill(lastPerThread, -1);
        start.countDown();
        while (seen.size() < threads * perThread) {
            lo.receive(
                    p -> {
                        int id = take(p);
                        assertTrue(seen.add(id), "duplicate " + id);
                        int t = id / perThread;
                        assertTrue(id > lastPerThread[t], "per-producer FIFO");
                        lastPerThread[t] = id;
                    },
                    32,
                    0);
        }
        for (Thread producer : producers) {
            producer.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertEquals(threads * perThread, seen.size());
        assertTrue(lo.queued() <= capacity);
        assertEquals(0, lo.queued());
    }

    private static int take(ByteBuf p) {
        int id = p.getInt(p.readerIndex());
        p.release();
        return id;
    }
}

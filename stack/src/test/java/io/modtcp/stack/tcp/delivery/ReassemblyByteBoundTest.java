package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.common.InSegment;
import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reassembly queue is bounded in bytes held, not in segments (issue 12): in-window data in ordinary segments is
 * kept however many segments it takes; tiny payloads padded in large buffers are compacted and bounded; newer data is
 * pruned first; the stack-wide budget prunes other connections' queues before refusing.
 */
class ReassemblyByteBoundTest {
    private static final int IRS = 1_000;
    private static final int NXT = IRS + 1;
    private static final int MSS = 1448;

    private final Segments segments = new Segments();
    private final List<ByteBuf> padded = new ArrayList<>();
    private final List<ReliableOrderedDelivery> rods = new ArrayList<>();
    private final CollectingSink sink = new CollectingSink();

    @AfterEach
    void release() {
        rods.forEach(ReliableOrderedDelivery::release);
        segments.close();
        padded.forEach(ByteBuf::release);
    }

    private ReliableOrderedDelivery rod(MemoryBudget memory) {
        ReliableOrderedDelivery d =
                new ReliableOrderedDelivery(TcpConfig.DEFAULT, UnpooledByteBufAllocator.DEFAULT, memory);
        d.initReceive(IRS);
        rods.add(d);
        return d;
    }

    /** A segment of {@code length} pattern bytes at {@code seq} inside a packet buffer of {@code capacity} bytes. */
    private InSegment paddedSegment(int seq, int length, int capacity) {
        ByteBuf packet = Unpooled.buffer(capacity, capacity);
        padded.add(packet);
        packet.writeZero(TcpHeader.MIN_LENGTH);
        int payloadOffset = packet.writerIndex();
        packet.writeBytes(Segments.pattern(seq, length));
        packet.writerIndex(capacity);
        InSegment seg = new InSegment();
        seg.options().clear();
        seg.set(
                Segments.REMOTE,
                Segments.REMOTE_PORT,
                Segments.LOCAL,
                Segments.LOCAL_PORT,
                seq,
                0,
                TcpHeader.ACK,
                65535,
                packet,
                payloadOffset,
                length);
        return seg;
    }

    @Test
    void shouldKeepInWindowDataOfManyMoreThan256Segments() {
        ReliableOrderedDelivery d = rod(MemoryBudget.unlimited());
        int rcvWnd = 1 << 20;
        int count = 700;
        for (int i = 1; i <= count; i++) {
            ReceiveOutcome out = d.receive(segments.data(NXT + i * MSS, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink);
            assertFalse(out.droppedQueueFull(), "segment " + i + " dropped");
        }
        assertEquals(count, d.view().outOfOrderSegments());
        assertEquals(count * MSS, d.view().outOfOrderBytes());
        assertTrue(d.view().outOfOrderHeldBytes() <= 2L * rcvWnd + ReliableOrderedDelivery.OUT_OF_ORDER_HELD_FLOOR);
        // The hole fills: everything is delivered in order and the queue holds nothing.
        ReceiveOutcome out = d.receive(segments.data(NXT, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink);
        assertEquals((count + 1) * MSS, out.bytesDelivered());
        assertArrayEquals(Segments.pattern(NXT, (count + 1) * MSS), sink.bytes());
        assertEquals(0, d.view().outOfOrderHeldBytes());
    }

    @Test
    void shouldCompactTinyPayloadsAndBoundTheQueueByTwiceTheWindow() {
        MemoryBudget memory = MemoryBudget.unlimited();
        ReliableOrderedDelivery d = rod(memory);
        int rcvWnd = 16_384;
        int stored = 0;
        for (int i = 0; i < 1000; i++) {
            // One byte every other sequence number, each in a 1,500-byte packet: nothing coalesces.
            if (!d.receive(paddedSegment(NXT + 2 + 2 * i, 1, 1500), rcvWnd, sink)
                    .droppedQueueFull()) {
                stored++;
            }
        }
        int perEntry = 1 + MemoryBudget.BUFFER_OVERHEAD;
        long bound = 2L * rcvWnd + ReliableOrderedDelivery.OUT_OF_ORDER_HELD_FLOOR;
        assertEquals(bound / perEntry, stored, "as many as twice the window (plus the floor) holds, compacted");
        assertEquals((long) stored * perEntry, d.view().outOfOrderHeldBytes(), "each held as 1 byte plus overhead");
        assertEquals(d.view().outOfOrderHeldBytes(), memory.used());
        assertEquals(stored, memory.counters().get(Counter.TCP_RCV_COLLAPSED), "every tiny payload kept was copied");
        for (ByteBuf p : padded) {
            assertEquals(1, p.refCnt(), "no 1,500-byte packet buffer is pinned by the queue");
        }

        // A lower segment displaces the newest one (Linux's tcp_prune_ofo_queue: newest first).
        int[] before = d.outOfOrderRanges();
        int highest = before[before.length - 2];
        assertFalse(d.receive(paddedSegment(NXT + 1, 1, 1500), rcvWnd, sink).droppedQueueFull());
        int[] after = d.outOfOrderRanges();
        assertEquals(NXT + 1, after[0]);
        assertEquals(before[before.length - 4], after[after.length - 2], "the highest entry was pruned");
        assertTrue(highest != after[after.length - 2]);
        assertEquals(1, memory.counters().get(Counter.TCP_OFO_PRUNED));
        assertTrue(d.view().outOfOrderHeldBytes() <= bound);
    }

    @Test
    void shouldPruneOtherConnectionsNewestFirstThenRefuseUnderStackWidePressure() {
        Counters counters = new Counters();
        MemoryBudget memory = new MemoryBudget(MemoryBudget.MIN_LIMIT, counters);
        ReliableOrderedDelivery a = rod(memory);
        ReliableOrderedDelivery b = rod(memory);
        int rcvWnd = 4 << 20;
        int perSegment = MSS + 60 + MemoryBudget.BUFFER_OVERHEAD; // the test packet's capacity plus overhead
        int fits = (int) (MemoryBudget.MIN_LIMIT / perSegment);
        for (int i = 1; i <= fits; i++) {
            assertFalse(a.receive(segments.data(NXT + i * MSS, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink)
                    .droppedQueueFull());
        }
        assertEquals(0, counters.get(Counter.STACK_MEMORY_PRESSURE));
        // A cannot grow past the budget: its own data is not pruned for itself; the newcomer is refused.
        assertTrue(a.receive(segments.data(NXT + (fits + 1) * MSS, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink)
                .droppedQueueFull());
        assertEquals(1, counters.get(Counter.TCP_OFO_DROP_MEMORY));
        int[] aBefore = a.outOfOrderRanges();

        // B's out-of-order data prunes A's newest segments.
        for (int i = 1; i <= 10; i++) {
            assertFalse(b.receive(segments.data(NXT + i * MSS, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink)
                    .droppedQueueFull());
        }
        assertEquals(10, counters.get(Counter.TCP_OFO_PRUNED));
        int[] aAfter = a.outOfOrderRanges();
        assertEquals(aBefore.length - 20, aAfter.length);
        assertEquals(aBefore[aBefore.length - 21], aAfter[aAfter.length - 1], "A lost its ten newest segments");
        assertTrue(memory.used() <= memory.limit());
        assertTrue(memory.peak() <= memory.limit());
        assertEquals(a.view().outOfOrderHeldBytes() + b.view().outOfOrderHeldBytes(), memory.used());

        // In-order data is refused when nothing can be pruned for it (the budget is held by unread data).
        ReliableOrderedDelivery c = rod(memory);
        a.release();
        b.release();
        assertEquals(0, memory.used());
        memory.charge(memory.limit()); // sockets' unread data: not prunable
        ReceiveOutcome refused = c.receive(segments.data(NXT, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink);
        assertEquals(0, refused.bytesDelivered());
        assertEquals(1, counters.get(Counter.TCP_RCV_DROP_MEMORY));
        assertEquals(NXT, c.view().rcvNxt(), "RCV.NXT did not move: the peer retransmits");
        memory.uncharge(memory.limit());
        assertEquals(
                MSS,
                c.receive(segments.data(NXT, 0, TcpHeader.ACK, 65535, MSS), rcvWnd, sink)
                        .bytesDelivered());
        assertEquals(0, memory.used());
    }
}

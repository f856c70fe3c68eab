package io.modtcp.stack.tcp.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.Seq;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random segmentation, order, duplication and overlap of a byte stream must deliver the stream exactly once, in
 * order: first against {@link ReassemblyQueue} alone, then through {@link ReliableOrderedDelivery#receive}.
 */
class ReassemblyPropertiesTest {
    private record Piece(int offset, int length) {}

    /** Cuts [0, total) into consecutive pieces, adds random overlapping extras and duplicates, and shuffles. */
    private static List<Piece> pieces(SplittableRandom rnd, int total, int maxPiece, int extras) {
        List<Piece> out = new ArrayList<>();
        int at = 0;
        while (at < total) {
            int len = Math.min(total - at, 1 + rnd.nextInt(maxPiece));
            out.add(new Piece(at, len));
            at += len;
        }
        int base = out.size();
        for (int i = 0; i < extras; i++) {
            if (rnd.nextBoolean()) {
                out.add(out.get(rnd.nextInt(base))); // exact duplicate
            } else {
                int start = rnd.nextInt(total);
                out.add(new Piece(start, 1 + rnd.nextInt(Math.min(total - start, 3 * maxPiece))));
            }
        }
        Collections.shuffle(out, new Random(rnd.nextLong()));
        return out;
    }

    private static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    @Property(tries = 300)
    void shouldDeliverEachByteOnceInOrderWhenQueueDrivenDirectly(
            @ForAll long seed,
            @ForAll int startSeq,
            @ForAll @IntRange(min = 1, max = 3000) int total,
            @ForAll @IntRange(min = 1, max = 400) int maxPiece,
            @ForAll @IntRange(min = 0, max = 30) int extras) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] stream = randomBytes(rnd, total);
        ByteBuf source = Unpooled.wrappedBuffer(stream);
        ReassemblyQueue queue = new ReassemblyQueue(10_000);
        CollectingSink sink = new CollectingSink();
        int rcvNxt = startSeq;
        try {
            for (Piece p : pieces(rnd, total, maxPiece, extras)) {
                int seq = startSeq + p.offset();
                int end = seq + p.length();
                if (Seq.leq(end, rcvNxt)) {
                    continue; // old: the receiver drops it before reassembly
                }
                if (Seq.leq(seq, rcvNxt)) {
                    // In order (trimmed to RCV.NXT), as ReliableOrderedDelivery.receive does.
                    int skip = Seq.sub(rcvNxt, seq);
                    sink.deliver(source.retainedSlice(p.offset() + skip, p.length() - skip));
                    rcvNxt = end;
                    rcvNxt = queue.pollContiguous(rcvNxt, sink);
                } else {
                    assertTrue(queue.insert(seq, source.retainedSlice(p.offset(), p.length()), false));
                }
                assertHeldRangesSortedAndDisjoint(queue.ranges(), rcvNxt);
            }
            assertEquals(startSeq + total, rcvNxt);
            assertEquals(0, queue.size());
            assertEquals(0, queue.bytes());
            assertArrayEquals(stream, sink.bytes());
        } finally {
            queue.release();
            source.release();
        }
        assertEquals(0, source.refCnt(), "every retained slice was released");
    }

    private static void assertHeldRangesSortedAndDisjoint(int[] ranges, int rcvNxt) {
        int prevEnd = rcvNxt;
        for (int i = 0; i < ranges.length; i += 2) {
            assertTrue(
                    Seq.gt(ranges[i], prevEnd) || (i > 0 && ranges[i] == prevEnd), "ranges overlap or touch RCV.NXT");
            assertTrue(Seq.lt(ranges[i], ranges[i + 1]), "empty range held");
            prevEnd = ranges[i + 1];
        }
    }

    @Property(tries = 300)
    void shouldDeliverEachByteOnceInOrderWhenReceivedAsSegments(
            @ForAll long seed,
            @ForAll int irs,
            @ForAll @IntRange(min = 1, max = 3000) int total,
            @ForAll @IntRange(min = 1, max = 400) int maxPiece,
            @ForAll @IntRange(min = 0, max = 30) int extras,
            @ForAll boolean fin) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] stream = randomBytes(rnd, total);
        TcpConfig config = TcpConfig.builder().maxOutOfOrderSegments(10_000).build();
        ReliableOrderedDelivery d = new ReliableOrderedDelivery(config, UnpooledByteBufAllocator.DEFAULT);
        d.initReceive(irs);
        int first = irs + 1;
        CollectingSink sink = new CollectingSink();
        int delivered = 0;
        boolean finConsumed = false;
        try (Segments segments = new Segments()) {
            for (Piece p : pieces(rnd, total, maxPiece, extras)) {
                byte[] payload = new byte[p.length()];
                System.arraycopy(stream, p.offset(), payload, 0, p.length());
                boolean last = p.offset() + p.length() == total;
                int flags = TcpHeader.ACK | (fin && last ? TcpHeader.FIN : 0);
                ReceiveOutcome out =
                        d.receive(segments.seg(first + p.offset(), 0, flags, 65535, payload), 1 << 20, sink);
                delivered += out.bytesDelivered();
                if (out.finConsumed()) {
                    finConsumed = true;
                }
            }
        } finally {
            d.release();
        }
        assertEquals(total, delivered);
        assertArrayEquals(stream, sink.bytes());
        assertEquals(fin, finConsumed);
        assertEquals(fin, d.view().isFinReceived());
        assertEquals(first + total + (fin ? 1 : 0), d.view().rcvNxt());
        assertEquals(0, d.view().outOfOrderSegments());
    }
}

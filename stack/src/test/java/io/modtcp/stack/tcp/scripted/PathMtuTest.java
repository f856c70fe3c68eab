package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.wire.Checksum;
import io.modtcp.stack.wire.IcmpHeader;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.SegmentSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Path MTU: ICMP "fragmentation needed" lowers the send MSS (RFC 1191), checked against the window (RFC 5927). */
class PathMtuTest {
    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    /** An ICMP "fragmentation needed" from a router on the path, quoting {@code quoted}'s headers. */
    private static ByteBuf fragNeeded(SegmentSpec quoted, int mtu) {
        ByteBuf original = quoted.encode(ByteBufAllocator.DEFAULT);
        try {
            int quoteLength = Ipv4Header.MIN_LENGTH + 8;
            int icmpLength = IcmpHeader.MIN_LENGTH + quoteLength;
            ByteBuf p = Unpooled.buffer(Ipv4Header.MIN_LENGTH + icmpLength);
            new Ipv4Header()
                    .wrap(p, 0)
                    .write(
                            0,
                            Ipv4Header.MIN_LENGTH + icmpLength,
                            1,
                            false,
                            64,
                            Ipv4Header.PROTO_ICMP,
                            Script.REMOTE.v4(),
                            Script.LOCAL.v4());
            p.writerIndex(Ipv4Header.MIN_LENGTH);
            p.writeByte(IcmpHeader.TYPE_DEST_UNREACHABLE)
                    .writeByte(IcmpHeader.CODE_FRAG_NEEDED)
                    .writeShort(0);
            p.writeShort(0).writeShort(mtu);
            p.writeBytes(original, original.readerIndex(), quoteLength);
            int sum = Checksum.sum(p, Ipv4Header.MIN_LENGTH, icmpLength, 0);
            p.setShort(Ipv4Header.MIN_LENGTH + 2, Checksum.fold(sum));
            return p;
        } finally {
            original.release();
        }
    }

    @Test
    void shouldResendInSmallerSegmentsWhenPathMtuDrops() throws Exception {
        TcpSocket sock = s.establishActive();
        s.write(sock, Script.bytes(3000));
        SegmentSpec first = s.expect(s.out(ACK).seq(1).len(1460)).segment();
        s.expect(s.out(ACK).seq(1461).len(1460));
        // The 80-byte tail waits for an ACK (Nagle).
        s.injectRaw(fragNeeded(first, 1000));
        // Everything unacknowledged goes again at once, in segments of 1000 - 20 - 20 bytes.
        s.expect(s.out(ACK).seq(1).len(960));
        s.expect(s.out(ACK).seq(961).len(960));
        assertEquals(960, s.connection().connection().sendMss());
        assertEquals(1, s.counter(Counter.TCP_PMTU_REDUCTIONS));
    }

    @Test
    void shouldIgnoreMessageQuotingSequenceOutsideTheWindow() throws Exception {
        TcpSocket sock = s.establishActive();
        s.write(sock, Script.bytes(1000));
        SegmentSpec sent = s.expect(s.out(ACK).seq(1).len(1000)).segment();
        // A blind attacker guesses a sequence number far from SND.UNA..SND.MAX (RFC 5927 §4.1).
        s.injectRaw(fragNeeded(sent.withSeq(sent.seq() + 1_000_000), 600));
        s.expectNothing();
        assertEquals(1460, s.connection().connection().sendMss());
        assertEquals(1, s.counter(Counter.TCP_PMTU_IGNORED));
    }

    @Test
    void shouldNotGoBelowTheMinimumSegmentSize() throws Exception {
        TcpSocket sock = s.establishActive();
        s.write(sock, Script.bytes(1000));
        SegmentSpec sent = s.expect(s.out(ACK).seq(1).len(1000)).segment();
        s.injectRaw(fragNeeded(sent, 68));
        assertEquals(536, s.connection().connection().sendMss());
        s.expect(s.out(ACK).seq(1).len(536));
    }

    @Test
    void shouldIgnoreFragmentationNeededForConnectionThatDoesNotExist() throws Exception {
        s.listen(1);
        SegmentSpec fake = s.in(SYN).seq(0).toSpec();
        // A quote of a packet we never sent: source and destination swapped to look like ours.
        s.injectRaw(fragNeeded(fake.reversed(), 576));
        s.expectNothing();
        assertEquals(1, s.counter(Counter.TCP_PMTU_IGNORED));
    }
}

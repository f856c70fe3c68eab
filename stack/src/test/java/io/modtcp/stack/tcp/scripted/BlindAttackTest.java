package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.tcp.scripted.Script.MS;
import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.PSH;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpOptionSpec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blind connection kills by timestamp poisoning (RFC 7323 §4.3, RFC 5961 §4): a forged segment that fails the SYN or
 * ACK check must not move TS.Recent, or PAWS (RFC 7323 §5) would drop the real peer's segments afterwards.
 */
class BlindAttackTest {
    /** The peer's TSval clock at the handshake. */
    private static final int PEER_TS = 1_000;

    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    private final Script s = new Script();

    @AfterEach
    void tearDown() {
        s.close();
    }

    private static TcpOptionSpec ts(int tsVal) {
        return new TcpOptionSpec(-1, -1, false, true, tsVal, 0, List.of());
    }

    /** Active open with window scaling (shift 0), SACK and timestamps; the peer's TSval is {@link #PEER_TS}. */
    private TcpSocket establishWithTimestamps() throws Exception {
        TcpSocket sock = s.connect();
        s.inject(s.in(SYN | ACK)
                .seq(0)
                .ack(1)
                .win(65535)
                .options(new TcpOptionSpec(1460, 0, true, true, PEER_TS, 1, List.of())));
        s.expect(s.out(ACK).seq(1).ack(1).options(o -> o.tsEcr() == PEER_TS, "ecr=" + PEER_TS));
        s.assertState(TcpState.ESTABLISHED);
        return sock;
    }

    @Test
    void shouldKeepTsRecentWhenInWindowSynAndBadAckSegmentCarryFutureTimestamps() throws Exception {
        TcpSocket sock = establishWithTimestamps();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        s.inject(s.in(ACK | PSH).seq(1).ack(1).data(100).options(ts(PEER_TS + 1)));
        got.write(s.read(sock));

        // An in-window SYN with a TSval far in the future: a challenge ACK still echoing the real peer's TSval.
        s.inject(s.in(SYN).seq(1 + 100 + 5_000).options(ts(PEER_TS + 0x4000_0000)));
        s.expect(s.out(ACK).seq(1).ack(101).len(0).options(o -> o.tsEcr() == PEER_TS + 1, "ecr unchanged"));
        assertEquals(PEER_TS + 1, s.connection().delivery().tsRecent());

        // A data segment at RCV.NXT acknowledging bytes never sent (RFC 5961 §5.2), with a future TSval: dropped,
        // answered by a (rate-limited) ACK, TS.Recent untouched.
        s.advance(600 * MS);
        s.inject(s.in(ACK | PSH).seq(101).ack(1 + 100_000).data(100).options(ts(PEER_TS + 0x4000_0000)));
        s.expect(s.out(ACK).seq(1).ack(101).len(0).options(o -> o.tsEcr() == PEER_TS + 1, "ecr unchanged"));
        assertEquals(0, s.read(sock).length, "the bad-ACK segment's data is dropped");
        assertEquals(PEER_TS + 1, s.connection().delivery().tsRecent());

        // The real peer goes on with its own clock: every segment is taken, none dropped by PAWS.
        int seq = 101;
        for (int i = 0; i < 20; i++) {
            s.inject(s.in(ACK | PSH).seq(seq).ack(1).data(1000).options(ts(PEER_TS + 2 + i)));
            seq += 1000;
            got.write(s.read(sock));
        }
        assertEquals(0, s.counter(Counter.TCP_DROP_PAWS));
        assertArrayEquals(Script.bytes(20_100), got.toByteArray(), "the transfer is byte-exact");
        assertEquals(1, s.counter(Counter.TCP_SYN_CHALLENGE));
        assertEquals(2, s.counter(Counter.TCP_CHALLENGE_ACKS));
        assertEquals(PEER_TS + 21, s.connection().delivery().tsRecent());
    }

    /**
     * 100,000 blind SYNs (random sequence numbers and TSvals, from a seeded generator) against an established
     * connection that keeps receiving: each in-window one used to overwrite TS.Recent, after which a future TSval
     * made PAWS drop every real segment. Now every SYN draws at most a rate-limited challenge ACK (those with an old
     * TSval are counted as PAWS drops first), and each real segment is taken as it arrives.
     */
    @Test
    void shouldCompleteTransferByteExactUnderBlindSynFlood() throws Exception {
        TcpSocket sock = establishWithTimestamps();
        SplittableRandom random = new SplittableRandom(20_161_005L);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int rounds = 100;
        int synsPerRound = 1_000;
        int chunk = 1_000;
        int inWindow = 0;
        int futureInWindow = 0;
        int seq = 1;
        for (int round = 0; round < rounds; round++) {
            int rcvNxt = s.connection().delivery().rcvNxt();
            int rcvWnd = s.connection().flow().rcvAdvertisedEdge() - rcvNxt;
            for (int i = 0; i < synsPerRound; i++) {
                int synSeq = random.nextInt();
                int tsVal = random.nextInt();
                if (Integer.compareUnsigned(synSeq - rcvNxt, rcvWnd) < 0) {
                    inWindow++;
                    if (tsVal - (PEER_TS + round) > 0) {
                        futureInWindow++;
                    }
                }
                // Heap buffers outside the leak detector: its paranoid tracing would make 100,000 packets slow.
                s.injectRaw(s.in(SYN).absSeq(synSeq).options(ts(tsVal)).toSpec().encode(HEAP));
            }
            drain();
            s.advance(10 * MS);
            s.inject(s.in(ACK | PSH).seq(seq).ack(1).data(chunk).options(ts(PEER_TS + 1 + round)));
            seq += chunk;
            byte[] read = s.read(sock);
            // The real segment is taken at once: not dropped by PAWS, not waiting for a retransmission.
            assertEquals(chunk, read.length, "round " + round);
            got.write(read);
            drain();
        }
        assertArrayEquals(Script.bytes(rounds * chunk), got.toByteArray(), "the victim's transfer is byte-exact");
        assertTrue(futureInWindow > 0, "the flood must contain in-window SYNs with a future TSval: " + futureInWindow);
        assertEquals(rounds * synsPerRound, s.counter(Counter.TCP_SYN_CHALLENGE));
        // One challenge ACK per 500 ms at most over ~1 s of virtual time.
        long challengeAcks = s.counter(Counter.TCP_CHALLENGE_ACKS);
        assertTrue(challengeAcks <= 3, "challenge ACKs: " + challengeAcks);
        assertEquals(rounds * synsPerRound - challengeAcks, s.counter(Counter.TCP_ACK_SKIPPED_CHALLENGE));
        s.assertState(TcpState.ESTABLISHED);
        System.out.printf(
                "blind SYN flood: %d SYNs, %d in window (%d with a future TSval), %d challenge ACKs sent, "
                        + "%d bytes delivered byte-exact, %d SYNs dropped by PAWS%n",
                rounds * synsPerRound,
                inWindow,
                futureInWindow,
                challengeAcks,
                got.size(),
                s.counter(Counter.TCP_DROP_PAWS));
    }

    /** Takes what the stack sent (ACKs of the data, challenge ACKs) so the queue does not grow. */
    private void drain() {
        for (ScriptedLink.Sent sent = s.link.poll(); sent != null; sent = s.link.poll()) {
            SegmentSpec seg = sent.segment();
            assertTrue(seg != null && seg.has(ACK) && !seg.has(SYN), "only ACKs expected: " + sent);
        }
    }
}

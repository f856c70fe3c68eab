package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.RST;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, attack 7: ISNs repeated when one 4-tuple was reused back to back, because the ISS clock was the poll's
 * single clock reading (1,000 SYN-ACKs over 133 ms carried 78 distinct ISNs). RFC 6528 §3 asks for a clock that
 * ticks every 4 µs; the ISS now reads the clock afresh. Here 500 SYN/RST pairs on one 4-tuple reach the stack in a
 * single poll, and the clock moves 4 µs at every reading, as a real one would during that poll: every SYN-ACK carries
 * an ISN of its own.
 */
class IssClockTest {
    private static final int PAIRS = 500;

    @Test
    void shouldGiveEveryIncarnationOfOneFourTupleItsOwnIssWithinOnePoll() throws Exception {
        long[] t = {Script.SEC};
        ScriptedLink link = new ScriptedLink(1500);
        NetStack stack = NetStack.builder()
                .clock(() -> t[0] += 4_000)
                .config(TcpConfig.DEFAULT)
                .seed(42)
                .addInterface(link, Script.LOCAL, 24, null)
                .build();
        stack.bindToCurrentThread();
        try {
            TcpSocket listener = stack.openSocket();
            listener.bind(Script.LOCAL, Script.LISTEN_PORT);
            listener.listen(PAIRS);
            stack.poll(t[0]);

            int peerIss = 1_000;
            for (int i = 0; i < PAIRS; i++) {
                link.inject(SegmentSpec.of(Script.REMOTE, 50_000, Script.LOCAL, Script.LISTEN_PORT, peerIss, 0, SYN)
                        .withOptions(TcpOptionSpec.NONE.withMss(1460))
                        .encode(stack.alloc()));
                // RFC 9293 §3.10.7.4: a RST whose sequence number is RCV.NXT ends the half-open connection.
                link.inject(SegmentSpec.of(Script.REMOTE, 50_000, Script.LOCAL, Script.LISTEN_PORT, peerIss + 1, 0, RST)
                        .encode(stack.alloc()));
                peerIss += 100_000;
            }
            stack.poll(t[0]);

            Set<Integer> isns = new HashSet<>();
            int synAcks = 0;
            for (ScriptedLink.Sent sent = link.poll(); sent != null; sent = link.poll()) {
                SegmentSpec s = sent.segment();
                if (s != null && s.flags() == (SYN | ACK)) {
                    synAcks++;
                    isns.add(s.seq());
                }
            }
            assertEquals(PAIRS, synAcks, "one SYN-ACK per incarnation");
            assertEquals(PAIRS, isns.size(), "distinct ISNs");
        } finally {
            stack.close();
        }
    }
}

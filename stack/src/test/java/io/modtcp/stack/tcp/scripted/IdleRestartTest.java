package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.socket.TcpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RFC 5681 §4.1: after an idle period longer than the RTO the window restarts from the initial window. */
class IdleRestartTest {
    private static final int SEG = 1460;
    private final Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    private int sendAndAckEach(TcpSocket sock, int from, int segments) throws Exception {
        s.write(sock, Script.bytes(segments * SEG));
        for (int i = 0; i < segments; i++) {
            s.expect(s.out(ACK).seq(from + i * SEG).len(SEG));
        }
        for (int i = 1; i <= segments; i++) {
            s.inject(s.in(ACK).seq(1).ack(from + i * SEG).win(65535));
        }
        return from + segments * SEG;
    }

    @Test
    void shouldRestartFromInitialWindowAfterIdleLongerThanRto() throws Exception {
        TcpSocket sock = s.establishActive();
        int next = sendAndAckEach(sock, 1, 10);
        // Slow start: ten ACKs of a full segment each open the window to 20 segments.
        assertEquals(20 * SEG, s.connection().congestion().cwnd());
        s.advance(3 * Script.SEC);
        s.write(sock, Script.bytes(30 * SEG));
        for (int i = 0; i < 10; i++) {
            s.expect(s.out(ACK).seq(next + i * SEG).len(SEG));
        }
        // Only the restart window (min(IW, cwnd) = 10 segments) goes before an ACK.
        s.expectNothing();
        assertEquals(10 * SEG, s.connection().congestion().cwnd());
    }

    @Test
    void shouldKeepWindowWhenIdleShorterThanRto() throws Exception {
        TcpSocket sock = s.establishActive();
        int next = sendAndAckEach(sock, 1, 10);
        s.advance(50 * Script.MS);
        s.write(sock, Script.bytes(30 * SEG));
        for (int i = 0; i < 20; i++) {
            s.expect(s.out(ACK).seq(next + i * SEG).len(SEG));
        }
        s.expectNothing();
    }
}

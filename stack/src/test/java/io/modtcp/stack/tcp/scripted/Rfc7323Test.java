package io.modtcp.stack.tcp.scripted;

import static io.modtcp.stack.wire.TcpHeader.ACK;
import static io.modtcp.stack.wire.TcpHeader.PSH;
import static io.modtcp.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.wire.TcpOptionSpec;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Window scaling and timestamps (RFC 7323): negotiation in both directions, scaled windows, echoes, PAWS. */
class Rfc7323Test {
    /** Our shift for the default 6 MiB maximum receive buffer: 65535 << 7 >= 6 MiB. */
    private static final int OUR_SHIFT = 7;

    private Script s = new Script();

    @AfterEach
    void close() {
        s.close();
    }

    private static TcpOptionSpec opts(int mss, int ws, boolean sack, boolean ts, int tsVal, int tsEcr) {
        return new TcpOptionSpec(mss, ws, sack, ts, tsVal, tsEcr, List.of());
    }

    @Nested
    class ActiveOpen {
        @Test
        void shouldOfferMssWindowScaleSackAndTimestampsInSyn() throws Exception {
            TcpSocket sock = s.openSocket();
            s.usePeerPort(Script.PEER_LISTEN_PORT);
            sock.connect(Script.REMOTE, Script.PEER_LISTEN_PORT, 0);
            s.poll();
            s.expect(s.out(SYN)
                    .seq(0)
                    .options(
                            o -> o.mss() == 1460
                                    && o.windowScale() == OUR_SHIFT
                                    && o.sackPermitted()
                                    && o.timestamps()
                                    && o.tsEcr() == 0,
                            "mss=1460 ws=7 sackOK ts ecr=0"));
        }

        @Test
        void shouldScaleAndEchoWhenPeerAgrees() throws Exception {
            s.connect();
            s.inject(s.in(SYN | ACK).seq(0).ack(1).win(1000).options(opts(1460, 2, true, true, 5000, 1)));
            // Our ACK echoes the peer's TSval; its window is announced shifted right by our shift.
            s.expect(s.out(ACK)
                    .seq(1)
                    .ack(1)
                    .win((256 * 1024) >> OUR_SHIFT)
                    .options(o -> o.timestamps() && o.tsEcr() == 5000, "ts ecr=5000"));
            // The SYN-ACK's window is not scaled; later windows are, by the peer's shift of 2.
            assertEquals(1000, s.connection().flow().sndWnd());
            s.inject(s.in(ACK).seq(1).ack(1).win(1000).options(opts(-1, -1, false, true, 5001, 1)));
            assertEquals(4000, s.connection().flow().sndWnd());
        }

        @Test
        void shouldUseNoScalingNorTimestampsWhenPeerOffersNone() throws Exception {
            TcpSocket sock = s.connect();
            s.inject(s.in(SYN | ACK).seq(0).ack(1).win(65535).mss(1460));
            s.expect(s.out(ACK).seq(1).ack(1).win(65535).options(TcpOptionSpec::isEmpty, "no options"));
            s.write(sock, Script.bytes(3000));
            s.expect(s.out(ACK).seq(1).len(1460).options(TcpOptionSpec::isEmpty, "no options"));
            s.expect(s.out(ACK | PSH).seq(1461).len(1460));
        }

        @Test
        void shouldShrinkDataSegmentsByTheTimestampOption() throws Exception {
            TcpSocket sock = s.connect();
            s.inject(s.in(SYN | ACK).seq(0).ack(1).win(65535).options(opts(1460, 0, true, true, 77, 1)));
            s.expect(s.out(ACK).seq(1).ack(1));
            s.write(sock, Script.bytes(2000));
            s.expect(s.out(ACK).seq(1).len(1448).options(o -> o.timestamps() && o.tsEcr() == 77, "ts ecr=77"));
        }

        @Test
        void shouldOfferNothingButMssWhenDisabledByConfiguration() throws Exception {
            s.close();
            s = new Script(TcpConfig.builder()
                    .windowScaling(false)
                    .timestamps(false)
                    .sack(false)
                    .build());
            TcpSocket sock = s.openSocket();
            s.usePeerPort(Script.PEER_LISTEN_PORT);
            sock.connect(Script.REMOTE, Script.PEER_LISTEN_PORT, 0);
            s.poll();
            s.expect(s.out(SYN)
                    .seq(0)
                    .options(
                            o -> o.mss() == 1460 && o.windowScale() < 0 && !o.sackPermitted() && !o.timestamps(),
                            "mss only"));
            // A peer that offers everything anyway gets nothing back.
            s.inject(s.in(SYN | ACK).seq(0).ack(1).win(1000).options(opts(1460, 3, true, true, 9, 1)));
            s.expect(s.out(ACK).seq(1).ack(1).options(TcpOptionSpec::isEmpty, "no options"));
            s.inject(s.in(ACK).seq(1).ack(1).win(1000));
            assertEquals(1000, s.connection().flow().sndWnd());
        }
    }

    @Nested
    class PassiveOpen {
        @Test
        void shouldAnswerWithWhatThePeerOffered() throws Exception {
            s.listen(4);
            s.usePeerPort(40_001);
            s.inject(s.in(SYN).seq(0).win(65535).options(opts(1460, 5, true, true, 1234, 0)));
            s.expect(s.out(SYN | ACK)
                    .seq(0)
                    .ack(1)
                    .options(
                            o -> o.mss() == 1460
                                    && o.windowScale() == OUR_SHIFT
                                    && o.sackPermitted()
                                    && o.timestamps()
                                    && o.tsEcr() == 1234,
                            "mss ws=7 sackOK ts ecr=1234"));
        }

        @Test
        void shouldAnswerWithMssOnlyWhenThePeerOfferedNothing() throws Exception {
            s.listen(4);
            s.usePeerPort(40_002);
            s.inject(s.in(SYN).seq(0).win(65535).mss(1460));
            s.expect(s.out(SYN | ACK)
                    .seq(0)
                    .ack(1)
                    .options(
                            o -> o.mss() == 1460 && o.windowScale() < 0 && !o.sackPermitted() && !o.timestamps(),
                            "mss only"));
        }

        @Test
        void shouldAnswerWithTimestampsButNoScalingWhenOnlyTimestampsOffered() throws Exception {
            s.listen(4);
            s.usePeerPort(40_003);
            s.inject(s.in(SYN).seq(0).win(65535).options(opts(1460, -1, false, true, 42, 0)));
            s.expect(s.out(SYN | ACK)
                    .seq(0)
                    .ack(1)
                    .options(o -> o.windowScale() < 0 && o.timestamps() && o.tsEcr() == 42, "ts only"));
        }
    }

    @Nested
    class Paws {
        @Test
        void shouldDropSegmentWithOldTimestampAndAcknowledge() throws Exception {
            TcpSocket sock = s.connect();
            s.inject(s.in(SYN | ACK).seq(0).ack(1).win(1000).options(opts(1460, 0, false, true, 1000, 1)));
            s.expect(s.out(ACK).seq(1).ack(1));
            s.inject(s.in(ACK | PSH).seq(1).ack(1).data(10).options(opts(-1, -1, false, true, 1005, 1)));
            s.advance(Script.SEC);
            s.expect(s.out(ACK).seq(1).ack(11).options(o -> o.tsEcr() == 1005, "echo 1005"));
            assertEquals(10, s.read(sock).length);
            // A duplicate from an earlier incarnation: in window, but its TSval is older than TS.Recent.
            s.inject(s.in(ACK | PSH).seq(11).ack(1).data(10).options(opts(-1, -1, false, true, 900, 1)));
            s.expect(s.out(ACK).seq(1).ack(11).options(o -> o.tsEcr() == 1005, "echo still 1005"));
            assertEquals(0, s.read(sock).length);
            assertEquals(1, s.counter(Counter.TCP_DROP_PAWS));
            // The same bytes with a fresh timestamp are taken.
            s.inject(s.in(ACK | PSH).seq(11).ack(1).data(10).options(opts(-1, -1, false, true, 1010, 1)));
            s.advance(Script.SEC);
            s.expect(s.out(ACK).seq(1).ack(21).options(o -> o.tsEcr() == 1010, "echo 1010"));
        }
    }
}

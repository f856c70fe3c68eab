package io.modtcp.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Seq;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cookie codec (Linux's secure_tcp_syn_cookie / check_tcp_syn_cookie / cookie_init_timestamp). */
class SynCookiesTest {
    private static final IpAddr LOCAL = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr REMOTE = IpAddr.parseV4("192.0.2.2");
    private static final IpAddr REMOTE6 = IpAddr.parse("fd00::2");
    private final SynCookies cookies = new SynCookies(new SipHash(1, 2));

    @Test
    void shouldRoundTripEveryMssIndexWithinTwoPeriods() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            int seq = rnd.nextInt();
            int port = 1024 + rnd.nextInt(60_000);
            int index = rnd.nextInt(4);
            long t = rnd.nextLong(1L << 50);
            IpAddr remote = i % 2 == 0 ? REMOTE : REMOTE6;
            int cookie = cookies.encode(LOCAL, 80, remote, port, seq, index, t);
            assertEquals(index, cookies.check(LOCAL, 80, remote, port, seq, cookie, t));
            assertEquals(index, cookies.check(LOCAL, 80, remote, port, seq, cookie, t + SynCookies.PERIOD_NS));
            long late = (SynCookies.count(t) + 2) * SynCookies.PERIOD_NS;
            assertEquals(-1, cookies.check(LOCAL, 80, remote, port, seq, cookie, late), "expired");
            assertEquals(-1, cookies.check(LOCAL, 80, remote, port + 1, seq, cookie, t), "other 4-tuple");
            assertEquals(-1, cookies.check(LOCAL, 80, remote, port, seq + 7, cookie, t), "other SYN sequence");
        }
    }

    @Test
    void shouldRejectNearlyAllRandomCookies() {
        SplittableRandom rnd = new SplittableRandom(2);
        int valid = 0;
        for (int i = 0; i < 100_000; i++) {
            if (cookies.check(LOCAL, 80, REMOTE, 40_000, 5, rnd.nextInt(), 1000) >= 0) {
                valid++;
            }
        }
        // 2 periods x 4 indices of 2^24 per 2^8 counts: about 2 in 2^21 random guesses pass.
        assertTrue(valid <= 2, "random cookies accepted: " + valid);
    }

    @Test
    void shouldChooseTheLargestMssNotAbovePeer() {
        assertEquals(536, SynCookies.mssOf(true, SynCookies.mssIndex(true, 536)));
        assertEquals(536, SynCookies.mssOf(true, SynCookies.mssIndex(true, 1299)));
        assertEquals(1300, SynCookies.mssOf(true, SynCookies.mssIndex(true, 1400)));
        assertEquals(1440, SynCookies.mssOf(true, SynCookies.mssIndex(true, 1448)));
        assertEquals(1460, SynCookies.mssOf(true, SynCookies.mssIndex(true, 8960)));
        assertEquals(1220, SynCookies.mssOf(false, SynCookies.mssIndex(false, 1220)));
        assertEquals(8940, SynCookies.mssOf(false, SynCookies.mssIndex(false, 65_000)));
    }

    @Test
    void shouldEncodeOptionsInTimestampNeverAboveTheClock() {
        for (int tsNow : new int[] {0, 5, 63, 64, 1000, -1, Integer.MAX_VALUE, Integer.MIN_VALUE + 3}) {
            for (int ws = -1; ws <= 14; ws++) {
                for (boolean sack : new boolean[] {false, true}) {
                    int ts = SynCookies.timestampWithOptions(tsNow, ws, sack);
                    assertTrue(Seq.leq(ts, tsNow) && Seq.gt(ts, tsNow - 128), "ts " + ts + " for " + tsNow);
                    SynCookies.Options o = SynCookies.decode(ts);
                    assertEquals(ws, o.peerWindowShift());
                    assertEquals(sack, o.sackOk());
                }
            }
        }
        assertNull(SynCookies.decode(0x20 | 7), "ECN bit: never sent");
    }
}

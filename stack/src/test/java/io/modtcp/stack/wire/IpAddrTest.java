package io.modtcp.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IpAddrTest {
    @Test
    void shouldPrintIpv6InTheRfc5952Form() {
        assertEquals("::", IpAddr.ANY6.toString());
        assertEquals("::1", IpAddr.LOOPBACK6.toString());
        assertEquals("fd00::2", IpAddr.parse("fd00:0:0:0:0:0:0:2").toString());
        assertEquals("2001:db8::1:0:0:1", IpAddr.parse("2001:db8:0:0:1:0:0:1").toString()); // first of equal runs
        assertEquals("1:0:0:2::3", IpAddr.parse("1:0:0:2:0:0:0:3").toString()); // the longest run
        assertEquals(
                "2001:db8:0:1:1:1:1:1", IpAddr.parse("2001:db8:0:1:1:1:1:1").toString()); // one zero stays
        assertEquals("fe80::", IpAddr.parse("fe80:0:0:0:0:0:0:0").toString());
        assertEquals("192.0.2.1", IpAddr.parseV4("192.0.2.1").toString());
    }

    @Test
    void shouldParseWhatItPrints() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            // Words drawn mostly zero, so that runs of every length occur.
            long hi = 0;
            long lo = 0;
            for (int k = 0; k < 4; k++) {
                hi = hi << 16 | (r.nextInt(3) == 0 ? r.nextInt(0x10000) : 0);
                lo = lo << 16 | (r.nextInt(3) == 0 ? r.nextInt(0x10000) : 0);
            }
            IpAddr a = new IpAddr(hi, lo);
            assertEquals(a, IpAddr.parse(a.toString()), a.toString());
        }
    }
}

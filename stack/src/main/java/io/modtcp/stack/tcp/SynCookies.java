package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Seq;

/**
 * SYN cookies (RFC 4987 §3.6), as Linux's net/ipv4/syncookies.c builds them: a listener whose SYN queue is full
 * answers a SYN with a SYN-ACK whose ISS encodes what the connection needs and keeps no state; the ACK that echoes
 * ISS + 1 proves the peer saw the SYN-ACK and rebuilds the connection.
 *
 * <p>ISS = H0(4-tuple) + SEG.SEQ of the SYN + (count &lt;&lt; 24) + ((H1(4-tuple, count) + mssIndex) mod 2^24), H0
 * and H1 keyed SipHash, count a coarse clock of {@link #PERIOD_NS} ticks (Linux: 60 s; 64 s here) of which the last
 * {@link #MAX_AGE} are accepted, mssIndex an index into a small MSS table (Linux's msstab). Window scale,
 * SACK-permitted and "no ECN" travel in the low {@link #TS_BITS} bits of the SYN-ACK's TSval (Linux's
 * cookie_init_timestamp), which the peer echoes in TSecr; without timestamps these options are lost, as on Linux.
 * Stateless apart from its keys.
 */
final class SynCookies {
    /** Ticks of the cookie clock (Linux's TCP_SYNCOOKIE_PERIOD is 60 s; a power of two of seconds here). */
    static final long PERIOD_NS = 64_000_000_000L;
    /** Cookies of the current and the previous tick validate (Linux's MAX_SYNCOOKIE_AGE). */
    static final int MAX_AGE = 2;
    /** Low bits of the cookie holding the keyed hash plus the MSS index; the count is above them. */
    private static final int COOKIE_BITS = 24;

    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    /** Low TSval bits carrying the options (Linux's TSBITS). */
    static final int TS_BITS = 6;

    private static final int TS_MASK = (1 << TS_BITS) - 1;
    /** Window scale value meaning "the peer offered no window scaling" (Linux's TS_OPT_WSCALE_MASK). */
    private static final int TS_NO_WSCALE = 0xf;

    private static final int TS_SACK = 1 << 4;
    /** Linux's TS_OPT_ECN; never set here (modtcp does not negotiate ECN), and a cookie with it set fails. */
    private static final int TS_ECN = 1 << 5;

    /** Linux's msstab for IPv4: the common MSS values a peer offers. */
    private static final int[] MSS_V4 = {536, 1300, 1440, 1460};
    /** Linux's msstab for IPv6 (MTUs 1280, 1480, 1500, 9000 less 60). */
    private static final int[] MSS_V6 = {1220, 1420, 1440, 8940};

    private final SipHash hash;

    SynCookies(SipHash hash) {
        this.hash = hash;
    }

    /** The MSS table index for a peer that offered {@code peerMss} (0: none): the largest entry not above it. */
    static int mssIndex(boolean v4, int peerMss) {
        int[] table = v4 ? MSS_V4 : MSS_V6;
        int i = table.length - 1;
        while (i > 0 && peerMss < table[i]) {
            i--;
        }
        return i;
    }

    /** The MSS a cookie's index stands for. */
    static int mssOf(boolean v4, int index) {
        return (v4 ? MSS_V4 : MSS_V6)[index];
    }

    static long count(long nowNs) {
        return Math.floorDiv(nowNs, PERIOD_NS);
    }

    /** The ISS for a SYN with SEG.SEQ {@code synSeq} (Linux's secure_tcp_syn_cookie). */
    int encode(IpAddr local, int localPort, IpAddr remote, int remotePort, int synSeq, int mssIndex, long nowNs) {
        int count = (int) count(nowNs);
        return h(local, localPort, remote, remotePort, 0, 0)
                + synSeq
                + (count << COOKIE_BITS)
                + ((h(local, localPort, remote, remotePort, count, 1) + mssIndex) & COOKIE_MASK);
    }

    /**
     * Checks the ISS a peer acknowledged ({@code cookie} = SEG.ACK - 1, {@code synSeq} = SEG.SEQ - 1) (Linux's
     * check_tcp_syn_cookie).
     *
     * @return the MSS table index it encodes, or -1 if it is forged, mangled or older than {@link #MAX_AGE} ticks
     */
    int check(IpAddr local, int localPort, IpAddr remote, int remotePort, int synSeq, int cookie, long nowNs) {
        int count = (int) count(nowNs);
        int c = cookie - h(local, localPort, remote, remotePort, 0, 0) - synSeq;
        int diff = (count - (c >>> COOKIE_BITS)) & (-1 >>> COOKIE_BITS);
        if (diff >= MAX_AGE) {
            return -1;
        }
        int data = (c - h(local, localPort, remote, remotePort, count - diff, 1)) & COOKIE_MASK;
        int entries = (remote.isV4() ? MSS_V4 : MSS_V6).length;
        return data < entries ? data : -1;
    }

    private int h(IpAddr local, int localPort, IpAddr remote, int remotePort, int count, int which) {
        return (int) hash.hash(
                local.hi(),
                local.lo(),
                remote.hi(),
                remote.lo(),
                (long) localPort << 16 | remotePort,
                (long) count << 1 | which);
    }

    /**
     * The TSval of a cookie SYN-ACK (Linux's cookie_init_timestamp): the TSval clock now with its low bits replaced by
     * the options, never above the clock (so the connection's later TSvals do not go backwards).
     *
     * @param peerWindowShift the shift the peer's SYN offered, or -1 without the option
     */
    static int timestampWithOptions(int tsNow, int peerWindowShift, boolean sackOk) {
        int options = peerWindowShift >= 0 ? Math.min(14, peerWindowShift) : TS_NO_WSCALE;
        if (sackOk) {
            options |= TS_SACK;
        }
        int ts = (tsNow & ~TS_MASK) | options;
        return Seq.gt(ts, tsNow) ? ts - (1 << TS_BITS) : ts;
    }

    /** The options decoded from a cookie ACK's TSecr: the peer's window shift (-1: none) and SACK-permitted. */
    record Options(int peerWindowShift, boolean sackOk) {}

    /** Decodes the options of {@link #timestampWithOptions} from TSecr; null if they are not ones we could send. */
    static Options decode(int tsEcr) {
        int options = tsEcr & TS_MASK;
        if ((options & TS_ECN) != 0) {
            return null;
        }
        int wscale = options & TS_NO_WSCALE; // 0..14, or 0xf for none: every value is one we could send
        return new Options(wscale == TS_NO_WSCALE ? -1 : wscale, (options & TS_SACK) != 0);
    }
}

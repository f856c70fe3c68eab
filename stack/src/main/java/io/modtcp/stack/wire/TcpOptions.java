package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * The TCP options this stack understands, parsed from or written to a header's option bytes (RFC 9293 §3.1 "Options",
 * §3.2). A reusable mutable holder: keep one per stack thread and {@link #parse} into it; parsing never allocates.
 *
 * <p>Understood: MSS (RFC 9293 §3.2, RFC 6691), window scale and timestamps (RFC 7323 §2, §3), SACK-permitted and
 * SACK (RFC 2018 §2, §3). Unknown kinds are skipped by their length (RFC 9293 §3.1: "a TCP implementation MUST be
 * able to receive a TCP Option in any segment ... MUST ignore without error any TCP Option it does not implement",
 * MUST-68).
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WSCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    /** Most option bytes a header can carry: 60 - 20 (RFC 9293 §3.1). */
    public static final int MAX_LENGTH = 40;

    /** Largest window shift (RFC 7323 §2.3). */
    public static final int MAX_WINDOW_SCALE = 14;

    /** Most SACK blocks an option can carry: (40 - 2) / 8 (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    public static final int MSS_LENGTH = 4;
    public static final int WSCALE_LENGTH = 3;
    public static final int SACK_PERMITTED_LENGTH = 2;
    public static final int TIMESTAMPS_LENGTH = 10;

    private int mss;
    private int windowScale;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[MAX_SACK_BLOCKS];

    public TcpOptions() {
        clear();
    }

    /** Forgets every option: as if parsed from no option bytes. */
    public void clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
    }

    /**
     * Parses {@code length} option bytes at absolute index {@code offset}, replacing what was held before.
     *
     * @return false if the options are malformed (then this holder is cleared): a length byte missing or below 2, an
     *     option running past the end, a wrong fixed length for MSS, window scale, SACK-permitted or timestamps, or a
     *     SACK length other than 2 + 8n with n in 1..4. Callers should drop such a segment (RFC 9293 §3.2, MUST-64:
     *     "be prepared to handle an illegal option length (e.g., zero); a suggested procedure is to reset the
     *     connection and log an error cause").
     */
    public boolean parse(ByteBuf buf, int offset, int length) {
        clear();
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            // RFC 9293 §3.1: End of Option List ends the options; NOP is a single byte.
            if (kind == KIND_EOL) {
                return true;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return fail();
            }
            int len = buf.getUnsignedByte(i + 1);
            if (len < 2 || i + len > end) {
                return fail();
            }
            int data = i + 2;
            switch (kind) {
                case KIND_MSS:
                    // RFC 9293 §3.2: MSS has length 4.
                    if (len != MSS_LENGTH) {
                        return fail();
                    }
                    mss = buf.getUnsignedShort(data);
                    break;
                case KIND_WSCALE:
                    // RFC 7323 §2.2: length 3. §2.3: a shift above 14 MUST be logged and 14 used instead.
                    if (len != WSCALE_LENGTH) {
                        return fail();
                    }
                    windowScale = Math.min(buf.getUnsignedByte(data), MAX_WINDOW_SCALE);
                    break;
                case KIND_SACK_PERMITTED:
                    // RFC 2018 §2: length 2.
                    if (len != SACK_PERMITTED_LENGTH) {
                        return fail();
                    }
                    sackPermitted = true;
                    break;
                case KIND_TIMESTAMPS:
                    // RFC 7323 §3.2: length 10, TSval then TSecr.
                    if (len != TIMESTAMPS_LENGTH) {
                        return fail();
                    }
                    hasTimestamps = true;
                    tsVal = buf.getInt(data);
                    tsEcr = buf.getInt(data + 4);
                    break;
                case KIND_SACK:
                    // RFC 2018 §3: length 2 + 8n; at most 4 blocks fit in 40 option bytes.
                    int n = (len - 2) >> 3;
                    if (((len - 2) & 7) != 0 || n < 1 || n > MAX_SACK_BLOCKS) {
                        return fail();
                    }
                    for (int b = 0; b < n; b++) {
                        sackLeft[b] = buf.getInt(data + 8 * b);
                        sackRight[b] = buf.getInt(data + 8 * b + 4);
                    }
                    sackBlockCount = n;
                    break;
                default:
                    // RFC 9293 §3.2 (MUST-68): ignore options not implemented, skipping by their length.
                    break;
            }
            i += len;
        }
        return true;
    }

    private boolean fail() {
        clear();
        return false;
    }

    /** Maximum segment size the peer can receive (RFC 9293 §3.7.1, RFC 6691); -1 when absent. */
    public int mss() {
        return mss;
    }

    /** Window shift count, already clamped to 14 (RFC 7323 §2.3); -1 when absent. */
    public int windowScale() {
        return windowScale;
    }

    /** Whether SACK-permitted was present (RFC 2018 §2). */
    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** Whether a timestamps option was present (RFC 7323 §3). */
    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    /** TSval (RFC 7323 §3.2); 0 without timestamps. */
    public int tsVal() {
        return tsVal;
    }

    /** TSecr (RFC 7323 §3.2); 0 without timestamps. */
    public int tsEcr() {
        return tsEcr;
    }

    /** SACK blocks in the last SACK option (RFC 2018 §3), 0..4. */
    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of SACK block {@code i}: the first sequence number of the block (RFC 2018 §3). */
    public int sackLeft(int i) {
        if (i >= sackBlockCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return sackLeft[i];
    }

    /** Right edge of SACK block {@code i}: the sequence number just after the block (RFC 2018 §3). */
    public int sackRight(int i) {
        if (i >= sackBlockCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return sackRight[i];
    }

    /** Writes MSS (kind 2, length 4; RFC 9293 §3.2) at {@code idx}; returns {@code idx + 4}. */
    public static int writeMss(ByteBuf b, int idx, int mss) {
        b.setByte(idx, KIND_MSS);
        b.setByte(idx + 1, MSS_LENGTH);
        b.setShort(idx + 2, mss);
        return idx + 4;
    }

    /** Writes NOP + window scale (kind 3, length 3; RFC 7323 §2.2, Appendix A layout); returns {@code idx + 4}. */
    public static int writeWindowScale(ByteBuf b, int idx, int shift) {
        b.setByte(idx, KIND_NOP);
        b.setByte(idx + 1, KIND_WSCALE);
        b.setByte(idx + 2, WSCALE_LENGTH);
        b.setByte(idx + 3, shift);
        return idx + 4;
    }

    /** Writes NOP NOP + SACK-permitted (kind 4, length 2; RFC 2018 §2); returns {@code idx + 4}. */
    public static int writeSackPermitted(ByteBuf b, int idx) {
        b.setByte(idx, KIND_NOP);
        b.setByte(idx + 1, KIND_NOP);
        b.setByte(idx + 2, KIND_SACK_PERMITTED);
        b.setByte(idx + 3, SACK_PERMITTED_LENGTH);
        return idx + 4;
    }

    /** Writes NOP NOP + timestamps (kind 8, length 10; RFC 7323 §3.2, Appendix A); returns {@code idx + 12}. */
    public static int writeTimestamps(ByteBuf b, int idx, int tsVal, int tsEcr) {
        b.setByte(idx, KIND_NOP);
        b.setByte(idx + 1, KIND_NOP);
        b.setByte(idx + 2, KIND_TIMESTAMPS);
        b.setByte(idx + 3, TIMESTAMPS_LENGTH);
        b.setInt(idx + 4, tsVal);
        b.setInt(idx + 8, tsEcr);
        return idx + 12;
    }

    /**
     * Writes SACK-permitted then timestamps with no NOPs (kind 4 length 2, kind 8 length 10), the 12-byte aligned
     * layout Linux uses on a SYN (RFC 2018 §2, RFC 7323 §3.2); returns {@code idx + 12}.
     */
    public static int writeSackPermittedAndTimestamps(ByteBuf b, int idx, int tsVal, int tsEcr) {
        b.setByte(idx, KIND_SACK_PERMITTED);
        b.setByte(idx + 1, SACK_PERMITTED_LENGTH);
        b.setByte(idx + 2, KIND_TIMESTAMPS);
        b.setByte(idx + 3, TIMESTAMPS_LENGTH);
        b.setInt(idx + 4, tsVal);
        b.setInt(idx + 8, tsEcr);
        return idx + 12;
    }

    /**
     * Writes NOP NOP + a SACK option (kind 5, length 2 + 8n; RFC 2018 §3) with the first {@code count} blocks;
     * returns the index after it. {@code count} must be 1..4 (only 3 fit beside timestamps, RFC 2018 §3).
     */
    public static int writeSack(ByteBuf b, int idx, int[] left, int[] right, int count) {
        if (count < 1 || count > MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("SACK block count must be 1..4: " + count);
        }
        b.setByte(idx, KIND_NOP);
        b.setByte(idx + 1, KIND_NOP);
        b.setByte(idx + 2, KIND_SACK);
        b.setByte(idx + 3, 2 + 8 * count);
        int p = idx + 4;
        for (int i = 0; i < count; i++) {
            b.setInt(p, left[i]);
            b.setInt(p + 4, right[i]);
            p += 8;
        }
        return p;
    }

    /**
     * Writes zero bytes (EOL, RFC 9293 §3.1: "the TCP header padding is composed of zeros") from {@code idx} until
     * {@code idx - start} is a multiple of 4; returns the new index.
     */
    public static int padToWord(ByteBuf b, int start, int idx) {
        while (((idx - start) & 3) != 0) {
            b.setByte(idx++, KIND_EOL);
        }
        return idx;
    }
}

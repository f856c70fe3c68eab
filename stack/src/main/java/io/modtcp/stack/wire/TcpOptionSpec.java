package io.modtcp.stack.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Record form of the TCP options {@link TcpOptions} understands, for {@link SegmentSpec}: MSS (RFC 9293 §3.2, RFC
 * 6691), window scale and timestamps (RFC 7323 §2, §3), SACK-permitted and SACK blocks (RFC 2018 §2, §3).
 *
 * @param mss the MSS option value, or -1 for none
 * @param windowScale the window scale shift, or -1 for none (0..255 accepted, so tests can send illegal shifts;
 *     receivers clamp above 14, RFC 7323 §2.3)
 * @param sackPermitted whether SACK-permitted is present
 * @param timestamps whether the timestamps option is present; when false, {@code tsVal} and {@code tsEcr} are
 *     normalised to 0
 * @param sackBlocks SACK blocks as {@code {left, right}} pairs, 0..4 of them; copied
 */
public record TcpOptionSpec(
        int mss,
        int windowScale,
        boolean sackPermitted,
        boolean timestamps,
        int tsVal,
        int tsEcr,
        List<int[]> sackBlocks) {

    /** No options at all. */
    public static final TcpOptionSpec NONE = new TcpOptionSpec(-1, -1, false, false, 0, 0, List.of());

    public TcpOptionSpec {
        if (mss < -1 || mss > 0xffff) {
            throw new IllegalArgumentException("mss must be -1..65535: " + mss);
        }
        if (windowScale < -1 || windowScale > 0xff) {
            throw new IllegalArgumentException("windowScale must be -1..255: " + windowScale);
        }
        if (!timestamps) {
            tsVal = 0;
            tsEcr = 0;
        }
        List<int[]> copy = new ArrayList<>();
        if (sackBlocks != null) {
            for (int[] block : sackBlocks) {
                if (block == null || block.length != 2) {
                    throw new IllegalArgumentException("a SACK block is {left, right}");
                }
                copy.add(block.clone());
            }
        }
        if (copy.size() > TcpOptions.MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("at most 4 SACK blocks (RFC 2018 §3): " + copy.size());
        }
        sackBlocks = Collections.unmodifiableList(copy);
    }

    /** Options as Linux sends them on a SYN: MSS, SACK-permitted, timestamps and window scale. */
    public static TcpOptionSpec syn(int mss, int windowScale, int tsVal) {
        return new TcpOptionSpec(mss, windowScale, true, true, tsVal, 0, List.of());
    }

    /** SACK blocks, copied on the way out so the record stays immutable. */
    @Override
    public List<int[]> sackBlocks() {
        List<int[]> copy = new ArrayList<>(sackBlocks.size());
        for (int[] block : sackBlocks) {
            copy.add(block.clone());
        }
        return Collections.unmodifiableList(copy);
    }

    public int sackBlockCount() {
        return sackBlocks.size();
    }

    public int sackLeft(int i) {
        return sackBlocks.get(i)[0];
    }

    public int sackRight(int i) {
        return sackBlocks.get(i)[1];
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public TcpOptionSpec withMss(int mss) {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpOptionSpec withWindowScale(int windowScale) {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpOptionSpec withSackPermitted(boolean sackPermitted) {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    /** Timestamps present with these values. */
    public TcpOptionSpec withTimestamps(int tsVal, int tsEcr) {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, true, tsVal, tsEcr, sackBlocks);
    }

    public TcpOptionSpec withoutTimestamps() {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, false, 0, 0, sackBlocks);
    }

    public TcpOptionSpec withSackBlocks(List<int[]> sackBlocks) {
        return new TcpOptionSpec(mss, windowScale, sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    /** Bytes these options take when written by {@link SegmentSpec#encode}, padded to a multiple of 4. */
    public int encodedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (sackPermitted && timestamps) {
            n += 12; // SACK-permitted takes the place of the NOPs before timestamps
        } else if (sackPermitted) {
            n += 4;
        } else if (timestamps) {
            n += 12;
        }
        if (windowScale >= 0) {
            n += 4;
        }
        if (!sackBlocks.isEmpty()) {
            n += 4 + 8 * sackBlocks.size();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TcpOptionSpec other)) {
            return false;
        }
        if (mss != other.mss
                || windowScale != other.windowScale
                || sackPermitted != other.sackPermitted
                || timestamps != other.timestamps
                || tsVal != other.tsVal
                || tsEcr != other.tsEcr
                || sackBlocks.size() != other.sackBlocks.size()) {
            return false;
        }
        for (int i = 0; i < sackBlocks.size(); i++) {
            if (sackLeft(i) != other.sackLeft(i) || sackRight(i) != other.sackRight(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = mss;
        h = 31 * h + windowScale;
        h = 31 * h + Boolean.hashCode(sackPermitted);
        h = 31 * h + Boolean.hashCode(timestamps);
        h = 31 * h + tsVal;
        h = 31 * h + tsEcr;
        for (int[] block : sackBlocks) {
            h = 31 * h + block[0];
            h = 31 * h + block[1];
        }
        return h;
    }

    /** Like {@code mss=1460,ws=7,sackOK,ts=1/0,sack=[1-2,5-9]}; sequence numbers unsigned. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (mss >= 0) {
            sb.append("mss=").append(mss);
        }
        if (windowScale >= 0) {
            sep(sb).append("ws=").append(windowScale);
        }
        if (sackPermitted) {
            sep(sb).append("sackOK");
        }
        if (timestamps) {
            sep(sb).append("ts=")
                    .append(Integer.toUnsignedString(tsVal))
                    .append('/')
                    .append(Integer.toUnsignedString(tsEcr));
        }
        if (!sackBlocks.isEmpty()) {
            sep(sb).append("sack=[");
            for (int i = 0; i < sackBlocks.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(Integer.toUnsignedString(sackLeft(i)))
                        .append('-')
                        .append(Integer.toUnsignedString(sackRight(i)));
            }
            sb.append(']');
        }
        return sb.toString();
    }

    private static StringBuilder sep(StringBuilder sb) {
        return sb.length() > 0 ? sb.append(',') : sb;
    }
}

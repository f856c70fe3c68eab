package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071; RFC 791 §3.1 "Header Checksum", RFC 9293 §3.1 "Checksum", RFC 792): the 16-bit
 * one's complement of the one's complement sum of all 16-bit big-endian words.
 *
 * <p>{@link #sum} returns a <em>partial</em> sum that can be fed back as {@code initial} to continue over more
 * bytes (for instance a pseudo header, then a TCP segment); {@link #fold} turns it into the value written in the
 * header. A partial sum returned here is always in {@code [0, 0xffff]} (carries already wrapped around, RFC 1071
 * §2(B)), so a caller may also add a few partial sums with plain {@code int} addition before folding. Each partial sum
 * must cover an even number of bytes except the last one, since an odd trailing byte is padded with zero (RFC 9293
 * §3.1).
 */
public final class Checksum {
    private Checksum() {}

    /**
     * Adds {@code length} bytes of {@code buf} starting at absolute index {@code offset} to the partial sum {@code
     * initial} (treated as unsigned). Words are big-endian and counted from {@code offset}; an odd trailing byte is
     * padded on the right with a zero byte (RFC 9293 §3.1, RFC 791 §3.1). Neither index of {@code buf} moves.
     *
     * @return the partial sum, in {@code [0, 0xffff]}, not complemented
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        // RFC 1071 §2(C): sum 32-bit chunks into a 64-bit accumulator and fold the carries once at the end; the
        // one's complement sum is independent of the word size as long as carries wrap around (§2(B)).
        long acc = initial & 0xffff_ffffL;
        int i = offset;
        int end = offset + length;
        int end8 = end - 7;
        while (i < end8) {
            long v = buf.getLong(i);
            acc += (v >>> 32) + (v & 0xffff_ffffL);
            i += 8;
        }
        if (end - i >= 4) {
            acc += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            acc += (long) buf.getUnsignedByte(i) << 8;
        }
        return reduce(acc);
    }

    /** The checksum field value for a partial sum: the one's complement of the folded sum (RFC 1071 §1). */
    public static int fold(int sum) {
        return ~reduce(sum & 0xffff_ffffL) & 0xffff;
    }

    /**
     * The partial sum of the pseudo header: the IPv4 one (RFC 9293 §3.1: source, destination, zero, PTCL, TCP length)
     * when both addresses are IPv4, else the IPv6 one (RFC 8200 §8.1: source, destination, upper-layer packet length
     * as 32 bits, three zero bytes, next header).
     *
     * @param protocol the IP protocol number ({@link Ipv4Header#PROTO_TCP}, ...)
     * @param length the upper-layer length in bytes (header plus data)
     */
    public static int pseudoHeader(IpAddr src, IpAddr dst, int protocol, int length) {
        if (src.isV4() && dst.isV4()) {
            return pseudoHeader4(src.v4(), dst.v4(), protocol, length);
        }
        return pseudoHeader6(src.hi(), src.lo(), dst.hi(), dst.lo(), protocol, length);
    }

    /**
     * The IPv4 pseudo header from raw addresses, for the segment path where no {@link IpAddr} exists (RFC 9293 §3.1:
     * source, destination, zero, PTCL, 16-bit TCP length).
     */
    public static int pseudoHeader4(int src, int dst, int protocol, int length) {
        return reduce((src & 0xffff_ffffL) + (dst & 0xffff_ffffL) + (protocol & 0xff) + (length & 0xffff));
    }

    /**
     * The IPv6 pseudo header from raw address halves (RFC 8200 §8.1: source, destination, 32-bit upper-layer length,
     * three zero bytes, next header).
     */
    public static int pseudoHeader6(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int length) {
        long acc = halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo);
        return reduce(acc + (length & 0xffff_ffffL) + (protocol & 0xff));
    }

    private static long halves(long v) {
        return (v >>> 32) + (v & 0xffff_ffffL);
    }

    /** Wraps carries around until the sum fits 16 bits (RFC 1071 §2(B) end-around carry). */
    private static int reduce(long acc) {
        acc = (acc >>> 32) + (acc & 0xffff_ffffL);
        acc = (acc >>> 32) + (acc & 0xffff_ffffL);
        acc = (acc >>> 16) + (acc & 0xffff);
        acc = (acc >>> 16) + (acc & 0xffff);
        acc = (acc >>> 16) + (acc & 0xffff);
        return (int) acc;
    }
}

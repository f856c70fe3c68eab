package io.modtcp.stack.ip;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.IpAddr;

/**
 * An address assigned to a link, with the prefix it makes reachable directly (for example 192.0.2.2/24), and an
 * optional gateway for everything else.
 */
public record NetInterface(Link link, IpAddr address, int prefixLength, IpAddr gateway) {
    public NetInterface {
        if (prefixLength < 0 || prefixLength > (address.isV4() ? 32 : 128)) {
            throw new IllegalArgumentException("bad prefix length " + prefixLength + " for " + address);
        }
    }

    /** True if {@code dst} is inside this interface's prefix. */
    public boolean contains(IpAddr dst) {
        if (dst.isV4() != address.isV4()) {
            return false;
        }
        if (address.isV4()) {
            if (prefixLength == 0) {
                return true;
            }
            int mask = -1 << (32 - prefixLength);
            return (dst.v4() & mask) == (address.v4() & mask);
        }
        if (prefixLength <= 64) {
            long mask = prefixLength == 0 ? 0 : -1L << (64 - prefixLength);
            return (dst.hi() & mask) == (address.hi() & mask);
        }
        long mask = -1L << (128 - prefixLength);
        return dst.hi() == address.hi() && (dst.lo() & mask) == (address.lo() & mask);
    }
}

package io.modtcp.stack.wire;

/**
 * An IP address as 128 bits. IPv4 addresses are stored IPv4-mapped ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2), so
 * one representation serves both families and a 4-tuple is six primitives.
 */
public record IpAddr(long hi, long lo) {
    private static final long V4_MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

    public static final IpAddr ANY4 = v4(0);
    public static final IpAddr ANY6 = new IpAddr(0, 0);

    public static IpAddr v4(int address) {
        return new IpAddr(0, V4_MAPPED_LO_PREFIX | (address & 0xffff_ffffL));
    }

    /** Parses dotted-quad IPv4 text; throws IllegalArgumentException on anything else. */
    public static IpAddr parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + text, e);
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = value << 8 | octet;
        }
        return v4(value);
    }

    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_LO_PREFIX;
    }

    public boolean isV4() {
        return isV4(hi, lo);
    }

    /** The IPv4 address; only meaningful when {@link #isV4()}. */
    public int v4() {
        return (int) lo;
    }

    public boolean isAnyLocal() {
        return (hi == 0 && lo == 0) || (isV4() && v4() == 0);
    }

    public boolean isLoopback() {
        return isV4() ? (v4() >>> 24) == 127 : hi == 0 && lo == 1;
    }

    @Override
    public String toString() {
        if (isV4()) {
            int a = v4();
            return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4));
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Long.toHexString(word & 0xffff));
        }
        return sb.toString();
    }
}

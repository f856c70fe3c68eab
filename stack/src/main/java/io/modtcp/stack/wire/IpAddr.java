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

    /** The IPv6 loopback address {@code ::1}. */
    public static final IpAddr LOOPBACK6 = new IpAddr(0, 1);

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (RFC 4291 §2.2: {@code ::} compression and a trailing dotted
     * quad allowed; brackets and zone ids are not). Never resolves names. Throws IllegalArgumentException otherwise.
     */
    public static IpAddr parse(String text) {
        if (text.indexOf(':') < 0) {
            return parseV4(text);
        }
        int[] words = new int[8];
        String body = text;
        int v4Words = 0;
        int lastColon = body.lastIndexOf(':');
        if (body.indexOf('.', lastColon) >= 0) {
            int v4 = parseV4(body.substring(lastColon + 1)).v4();
            body = body.substring(0, lastColon + 1) + "0:0";
            v4Words = v4;
        }
        int gap = body.indexOf("::");
        if (gap >= 0 && body.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        String[] head = gap >= 0 ? split6(body.substring(0, gap), text) : split6(body, text);
        String[] tail = gap >= 0 ? split6(body.substring(gap + 2), text) : new String[0];
        if (gap < 0 && head.length != 8 || gap >= 0 && head.length + tail.length > 7) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        for (int i = 0; i < head.length; i++) {
            words[i] = word6(head[i], text);
        }
        for (int i = 0; i < tail.length; i++) {
            words[8 - tail.length + i] = word6(tail[i], text);
        }
        if (body != text) {
            words[6] = v4Words >>> 16;
            words[7] = v4Words & 0xffff;
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | words[i];
            lo = lo << 16 | words[i + 4];
        }
        return new IpAddr(hi, lo);
    }

    private static String[] split6(String part, String text) {
        if (part.isEmpty()) {
            return new String[0];
        }
        String[] words = part.split(":", -1);
        for (String w : words) {
            if (w.isEmpty()) {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
        }
        return words;
    }

    private static int word6(String w, String text) {
        if (w.length() > 4) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            return Integer.parseInt(w, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
    }

    /** From the 4 or 16 bytes of {@link java.net.InetAddress#getAddress()}. */
    public static IpAddr fromBytes(byte[] bytes) {
        if (bytes.length == 4) {
            return v4((bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff));
        }
        if (bytes.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (bytes[i] & 0xff);
            lo = lo << 8 | (bytes[i + 8] & 0xff);
        }
        return new IpAddr(hi, lo);
    }

    /** 4 bytes for IPv4, else 16, as {@link java.net.InetAddress#getByAddress(byte[])} takes them. */
    public byte[] toBytes() {
        if (isV4()) {
            int a = v4();
            return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (hi >>> (56 - 8 * i));
            out[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return out;
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
        // RFC 5952 §4: lower-case hex, no leading zeros, the longest run of two or more zero words (the first of
        // equal runs) as "::".
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (int) ((i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4))) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }
}

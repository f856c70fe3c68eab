package io.modtcp.stack.tcp.common;

/**
 * When a listener answers a SYN with a SYN cookie instead of a SYN-queue entry (RFC 4987 §3.6; Linux's
 * {@code net.ipv4.tcp_syncookies} 0, 1, 2).
 */
public enum SynCookieMode {
    /** Never: a SYN that finds the SYN queue full is dropped (the peer retransmits). */
    OFF,
    /** When the listener's SYN queue is full (Linux's default, 1). */
    AUTO,
    /** For every SYN: no half-open state at all (Linux's 2; for tests and for listeners under constant attack). */
    ALWAYS;

    /** Parses {@code off}, {@code auto} or {@code always} (any case). */
    public static SynCookieMode parse(String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "off":
                return OFF;
            case "auto":
                return AUTO;
            case "always":
                return ALWAYS;
            default:
                throw new IllegalArgumentException("expected off, auto or always: " + text);
        }
    }
}

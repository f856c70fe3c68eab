package io.modtcp.stack.wire;

/** Outcome of {@link Ipv6Header#validate(int)}, checked in declaration order (RFC 8200 §3). */
public enum Ipv6Validation {
    /** The fixed header is well-formed and the payload fits. */
    OK,
    /** Fewer than {@link Ipv6Header#LENGTH} bytes available. */
    TRUNCATED,
    /** Version is not 6 (RFC 8200 §3). */
    BAD_VERSION,
    /** Payload length runs past the available bytes, or is 0 (jumbograms, RFC 2675, are not supported). */
    BAD_PAYLOAD_LENGTH
}

package io.modtcp.stack.wire;

/** Outcome of {@link Ipv4Header#validate(int)}, checked in declaration order (RFC 791 §3.1, RFC 1122 §3.2.1). */
public enum Ipv4Validation {
    /** The header is well-formed and the datagram is not a fragment. */
    OK,
    /** Fewer than {@link Ipv4Header#MIN_LENGTH} bytes available. */
    TRUNCATED,
    /** Version is not 4 (RFC 1122 §3.2.1.1: silently discard). */
    BAD_VERSION,
    /** IHL below 5 words, or longer than the available bytes or the total length (RFC 791 §3.1). */
    BAD_HEADER_LENGTH,
    /** Total length longer than the available bytes or shorter than the header (RFC 791 §3.1). */
    BAD_TOTAL_LENGTH,
    /** Header checksum does not verify (RFC 1122 §3.2.1.2: silently discard). */
    BAD_CHECKSUM,
    /** More-fragments set or non-zero fragment offset; reassembly is not implemented (RFC 791 §3.2). */
    FRAGMENT
}

package io.modtcp.stack.wire;

/** Outcome of {@link TcpHeader#validate(int)} (RFC 9293 §3.1). */
public enum TcpValidation {
    /** The fixed header and the options fit in the segment. */
    OK,
    /** The segment is shorter than {@link TcpHeader#MIN_LENGTH}. */
    TRUNCATED,
    /** Data offset below 5 words or beyond the end of the segment (RFC 9293 §3.1 "Data Offset"). */
    BAD_DATA_OFFSET
}

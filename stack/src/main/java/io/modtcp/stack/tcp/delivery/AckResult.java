package io.modtcp.stack.tcp.delivery;

/** How an arriving ACK field relates to the send sequence space (RFC 9293 §3.10.7.4, RFC 5961 §5.2). */
public enum AckResult {
    /** SEG.ACK > SND.MAX: acknowledges something not yet sent; send an ACK and drop the segment. */
    TOO_NEW,
    /** SEG.ACK < SND.UNA - MAX.SND.WND: outside the RFC 5961 acceptable range; send an ACK and drop. */
    TOO_OLD,
    /** SND.UNA - MAX.SND.WND <= SEG.ACK < SND.UNA: an old ACK; ignore it and go on with the segment. */
    OLD,
    /** SEG.ACK = SND.UNA: may be a duplicate ACK (RFC 5681 §2). */
    SAME,
    /** SND.UNA < SEG.ACK <= SND.MAX: acknowledges new data. */
    NEW
}

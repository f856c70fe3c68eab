package io.modtcp.stack.tcp.delivery;

/**
 * What a new ACK acknowledged.
 *
 * @param dataBytesAcked data bytes (not SYN or FIN) newly acknowledged
 * @param synAcked our SYN became acknowledged with this ACK
 * @param finAcked our FIN became acknowledged with this ACK
 * @param rttSampled an RTT sample was taken
 */
public record AckOutcome(int dataBytesAcked, boolean synAcked, boolean finAcked, boolean rttSampled) {}

/**
 * Wire formats: flyweights that read and write packet bytes, and record forms of packets for tests and tools. No
 * protocol state lives here (STYLE §1.3, "wire is not state").
 *
 * <p>Owns no TCB state. Contents:
 *
 * <ul>
 *   <li>{@link io.modtcp.stack.wire.Seq}: sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
 *   <li>{@link io.modtcp.stack.wire.Checksum}: the Internet checksum and pseudo headers (RFC 1071, RFC 9293 §3.1,
 *       RFC 8200 §8.1).
 *   <li>{@link io.modtcp.stack.wire.Ipv4Header} (RFC 791 §3.1, RFC 1122 §3.2.1), {@link
 *       io.modtcp.stack.wire.Ipv6Header} (RFC 8200 §3), {@link io.modtcp.stack.wire.TcpHeader} (RFC 9293 §3.1),
 *       {@link io.modtcp.stack.wire.TcpOptions} (RFC 9293 §3.2, RFC 6691, RFC 7323, RFC 2018), {@link
 *       io.modtcp.stack.wire.IcmpHeader} (RFC 792, RFC 1191): reusable flyweights, one per thread, absolute indexing
 *       only, no allocation per packet.
 *   <li>{@link io.modtcp.stack.wire.SegmentSpec} and {@link io.modtcp.stack.wire.TcpOptionSpec}: immutable record
 *       forms that encode to and decode from whole IP packets; they allocate and are not for the segment path.
 * </ul>
 *
 * <p>Heads up: on untrusted input, call {@code validate(available)} before any other accessor; accessors do not
 * check lengths beyond the buffer's own bounds checks. Not implemented: IPv4 options (skipped, not parsed), IPv4
 * reassembly (fragments are reported as {@link io.modtcp.stack.wire.Ipv4Validation#FRAGMENT}), IPv6 extension headers
 * and jumbograms, TCP-AO/MD5 (RFC 5925, RFC 2385), TFO (RFC 7413), MPTCP, AccECN.
 */
package io.modtcp.stack.wire;

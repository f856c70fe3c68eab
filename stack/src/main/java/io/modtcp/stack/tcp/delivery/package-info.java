/**
 * ReliableOrderedDelivery, component (2) of five: the sequence space and everything that makes bytes arrive once
 * and in order.
 *
 * <p><b>Owns (writes):</b> ISS and IRS, SND.UNA, SND.NXT, the highest sequence sent (SND.MAX), RCV.NXT (RFC 9293
 * §3.3.1); the send buffer, which is also the retransmission queue; the reassembly queue of out-of-order segments;
 * the RTT estimator and RTO (RFC 6298, Karn's rule); the retransmission timer and retry count; the duplicate-ACK
 * count and the duplicate-ACK classification (RFC 5681 §2, §3.2); the delayed-ACK state (RFC 1122 §4.2.3.2, RFC 5681
 * §4.2); the TSval clock (per-connection offset, last TSval sent: RFC 7323 §5.4, §7.1) and TS.Recent; the SACK
 * scoreboard, pipe and the choice of the next segment in SACK recovery (RFC 6675 §4 NextSeg).
 *
 * <p><b>Reads:</b> nothing of the other components directly: the receive window, the send window (to tell a window
 * update from a duplicate ACK) and the MSS come in as arguments.
 *
 * <p><b>Heads up:</b> read RFC 9293 §3.4 and §3.10.7.4 (acceptability, ACK processing), RFC 5961 §5 (ACK
 * acceptability) and RFC 6298 before touching it; compare sequence numbers only with {@code Seq}.
 */
package io.modtcp.stack.tcp.delivery;

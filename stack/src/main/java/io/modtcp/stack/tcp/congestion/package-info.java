/**
 * CongestionControl, component (4) of five: how much the network can take.
 *
 * <p><b>Owns (writes):</b> cwnd, ssthresh, the recovery point and the fast-recovery flag (RFC 5681 §3, RFC 6582
 * §3.2), and the state of the pluggable {@link io.modtcp.stack.tcp.congestion.CongestionAlgorithm} (NewReno by
 * default).
 *
 * <p><b>Reads:</b> {@code DeliveryView} (FlightSize, SND.UNA, SND.MAX) passed as arguments.
 *
 * <p><b>Heads up:</b> read RFC 5681 §3.1 and §3.2 and RFC 6582 §3.2 before touching recovery; the recovery point
 * ("recover") is what keeps one loss episode from halving the window twice.
 */
package io.modtcp.stack.tcp.congestion;

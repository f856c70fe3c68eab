/**
 * FlowControl, component (3) of five: the windows that keep each side within the other's buffer.
 *
 * <p><b>Owns (writes):</b> SND.WND, SND.WL1, SND.WL2 and the largest window the peer ever offered (RFC 9293
 * §3.10.7.4 fifth step, RFC 5961 §5.2 MAX.SND.WND); the receive window we advertise and its right edge (RFC 9293
 * §3.8.6.2.2, RFC 1122 §4.2.3.3 receiver-side silly window syndrome avoidance); the window scale shifts (RFC 7323
 * §2, fixed at zero until scaling is negotiated); the persist timer, its backoff and its override of silly-window
 * avoidance (RFC 9293 §3.8.6.1, §3.8.6.2.1, RFC 1122 §4.2.2.17); the decision whether a short segment may go
 * (sender-side SWS avoidance and Nagle, RFC 9293 §3.8.6.2.1 and §3.7.4, RFC 896).
 *
 * <p><b>Reads:</b> {@code DeliveryView} (SND.UNA, SND.NXT, SND.MAX, RCV.NXT, what is queued) and
 * {@code ConnectionView} (TCP_NODELAY) passed as arguments.
 *
 * <p><b>Heads up:</b> never shrink the right edge we advertised (RFC 9293 §3.8.6.2.2: "the receiver MUST NOT
 * shrink the window"); the window update test uses WL1/WL2 so that old segments cannot reopen a window.
 */
package io.modtcp.stack.tcp.flow;

/**
 * ConnectionManagement, component (1) of five: the connection state machine.
 *
 * <p><b>Owns (writes):</b> the state (RFC 9293 §3.3.2, eleven states), the 4-tuple, the negotiated options (the
 * send MSS, RFC 9293 §3.7.1 and RFC 6691), the per-connection flags the application sets (TCP_NODELAY, keepalive
 * configuration, linger), the close intents, the keepalive probe state (RFC 1122 §4.2.3.6), the TIME-WAIT deadline
 * (RFC 9293 §3.10.7.4) and the reason a connection ended; whether the application closed it (an orphan), an
 * orphan's FIN-WAIT-2 deadline and probe budget (Linux's tcp_fin_timeout, tcp_orphan_retries), and when the
 * connection last answered an invalid segment (the per-connection rate limit of RFC 5961 §7, Linux's
 * tcp_invalid_ratelimit).
 *
 * <p><b>Reads:</b> nothing of the other components; the orchestrator tells it what the others concluded (for example
 * "our FIN is acknowledged") through event methods.
 *
 * <p><b>Heads up:</b> read RFC 9293 §3.5 (establishing), §3.6 (closing) and §3.10 (event processing) before changing
 * a transition; simultaneous open and simultaneous close are the cases that break first.
 */
package io.modtcp.stack.tcp.connection;

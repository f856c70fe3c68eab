/**
 * Demux, component (5) of five: which connection or listener an arriving segment belongs to.
 *
 * <p><b>Owns (writes):</b> the connection table keyed by the 4-tuple (O(1), keyed hash so that peers cannot choose
 * colliding tuples), the listener table, the bound-port table (for BindException and SO_REUSEADDR), each connection's SO_REUSEADDR and the
 * port-conflict test against connections holding a port (Linux's inet_csk_bind_conflict), and the
 * ephemeral port allocator (RFC 6056 §3.3.3, algorithm 3, keyed with a secret from an injected random source).
 * Connections in TIME-WAIT stay in the connection table until their timer expires (RFC 9293 §3.6).
 *
 * <p><b>Reads:</b> nothing of the other components: tuples and ports come in as arguments. It stores the
 * orchestrator's connection and listener objects opaquely (type parameters), never calling them.
 *
 * <p><b>Heads up:</b> RFC 6056 §3.3.3 and §3.5 before changing port selection; lookups are on the per-packet path
 * and must not allocate.
 */
package io.modtcp.stack.tcp.demux;

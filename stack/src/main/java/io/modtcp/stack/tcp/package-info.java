/**
 * The TCP orchestrator: the only code that holds the five components' mutable objects and sequences them for
 * segment arrival (RFC 9293 §3.10.7), user calls (§3.10.1 to §3.10.6) and timeouts (§3.10.8). It writes no
 * component's state itself: every change goes through the owning component's event method, whose result the
 * orchestrator acts on (send a segment, notify the socket, delete the connection).
 */
package io.modtcp.stack.tcp;

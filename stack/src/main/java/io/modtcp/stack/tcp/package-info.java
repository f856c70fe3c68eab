/**
 * The TCP orchestrator: the only code that holds the five components' mutable objects and sequences them for
 * segment arrival (RFC 9293 §3.10.7), user calls (§3.10.1 to §3.10.6) and timeouts (§3.10.8). It writes no
 * component's state itself: every change goes through the owning component's event method, whose result the
 * orchestrator acts on (send a segment, notify the socket, delete the connection). Protocol decisions live in the
 * component that owns the state they read (duplicate-ACK classification and NextSeg in ReliableOrderedDelivery,
 * Nagle and silly-window avoidance in FlowControl, port conflicts in Demux); the orchestrator only sequences them.
 *
 * <p>It is split as gVisor's tcp package is:
 *
 * <ul>
 *   <li>{@link io.modtcp.stack.tcp.TcpEngine}: the facade. User calls, the segment parser and dispatch, path MTU,
 *       batching of output, the end of a connection; it wires the classes below together.
 *   <li>{@code HandshakeInput}: CLOSED, LISTEN and SYN-SENT input (RFC 9293 §3.10.7.1 to §3.10.7.3), creation of a
 *       connection (ISS by RFC 6528 from a fresh clock reading, TSval offset, MSS, option negotiation).
 *   <li>{@code SynchronizedInput}: SYN-RECEIVED and synchronized-state input (§3.10.7.4): PAWS, acceptability,
 *       RST/SYN checks and challenge ACKs (RFC 5961), ACK processing, SACK information, text and FIN.
 *   <li>{@code Sender}: what a connection sends when it may: SYN, data, FIN, the SACK recovery loop "while pipe &lt;
 *       cwnd send NextSeg", fast retransmission, bare ACKs, the persist timer.
 *   <li>{@code SegmentWriter}: the one place a segment is built: header (every field written whole), option layout,
 *       payload, checksum.
 *   <li>{@code TimerHandler}: one timer-wheel entry per connection at the earliest component deadline; RTO, persist,
 *       keepalive, TIME-WAIT and delayed ACK expiry.
 * </ul>
 *
 * <p><b>Per-connection orchestration bookkeeping.</b> {@link io.modtcp.stack.tcp.TcpConnection} holds the four
 * per-connection components and only the fields below, none of which is protocol state of a component (an ArchUnit
 * test, {@code OrchestratorFieldsTest}, pins the class to exactly this list):
 *
 * <!-- connection-fields -->
 * <ul>
 *   <li>{@code cm}, {@code rod}, {@code flow}, {@code cc}: the components themselves.
 *   <li>{@code route}: the IP route the connection's segments take (the IP layer's, looked up once).
 *   <li>{@code handler}: the socket-side receiver of the connection's events.
 *   <li>{@code payloadSink}: the one callback object that counts and hands in-order payload to the handler.
 *   <li>{@code listener}, {@code inAcceptQueue}: which listener's SYN or accept queue the child counts in.
 *   <li>{@code removed}: the connection left the stack (its components are released).
 *   <li>{@code outputPending}: queued for output at the end of the received batch.
 *   <li>{@code timerHandle}, {@code timerDeadlineNs}: its one timer-wheel entry.
 *   <li>{@code receiveBufferBytes}, {@code sendBufferBytes}, {@code autotuneReceiveBuffer}, {@code receiveQueued}:
 *       socket-level buffer accounting (Linux keeps these in {@code struct sock}: sk_rcvbuf, sk_sndbuf, the bytes
 *       queued to the reader), handed to FlowControl and ReliableOrderedDelivery as arguments.
 *   <li>{@code observedState}, {@code observedRecovery}, {@code recoveryStartNs}: what the observer (TcpObserver) was
 *       last told (state, loss recovery and when it began), so that changes are reported once (JFR events).
 *   <li>{@code bytesSent}, {@code bytesReceived}, {@code retransmits}: per-connection totals for tools (Linux's
 *       tcpi_bytes_sent, tcpi_bytes_received, tcpi_total_retrans), counted where segments leave and payload is
 *       delivered.
 * </ul>
 * <!-- /connection-fields -->
 *
 * <p>{@link io.modtcp.stack.tcp.TcpListener} holds its address, port, backlog and handler, the SYN and accept queue
 * counts, whether it is closed, the congestion-control algorithm of accepted connections, and when it last sent a
 * SYN cookie ({@code lastCookieSentNs}, RFC 4987 §3.6; Linux's synq_overflow_ts).
 *
 * <p>No public method of the package returns a component's mutable class: outside it, only views are reachable.
 */
package io.modtcp.stack.tcp;

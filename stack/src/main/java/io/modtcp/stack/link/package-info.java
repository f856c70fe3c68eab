/**
 * Links: the {@link io.modtcp.stack.link.Link} SPI that carries whole IP packets, the loopback link, an in-memory
 * {@link io.modtcp.stack.link.LinkPair} with seeded faults ({@link io.modtcp.stack.link.FaultModel}) for the
 * deterministic simulation, and pcap capture ({@link io.modtcp.stack.link.PcapWriter},
 * {@link io.modtcp.stack.link.TappedLink}).
 *
 * <p>Owns: the packets queued or in flight on each link (every queue bounded; overflow is a counted drop) and the
 * per-direction counters. Buffers pass by ownership: a link releases what it drops, a sink releases what it takes.
 * Time is a parameter ({@code nowNs}); nothing here reads a clock.
 *
 * <p>Read before touching: DESIGN.md §3 (bounded queues, time as a parameter); Linux netem (the fault model's
 * shape); the libpcap file format (draft-ietf-opsawg-pcap) for {@code PcapWriter}.
 */
package io.modtcp.stack.link;

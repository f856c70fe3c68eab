package io.modtcp.stack.ip;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.wire.IpAddr;

/**
 * Where a packet to some destination goes: the link, the source address to use, and the largest IP packet.
 *
 * @param nextHop the neighbour the packet is for (the destination itself, or a gateway); informative on links
 *     without link-layer addressing, such as TUN and the in-memory pair
 */
public record Route(Link link, IpAddr source, IpAddr nextHop, int mtu) {}

package io.modtcp.stack.ip;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.Offload;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.wire.Checksum;
import io.modtcp.stack.wire.IcmpHeader;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.Ipv4Header;
import io.modtcp.stack.wire.Ipv4Validation;
import io.modtcp.stack.wire.Ipv6Header;
import io.modtcp.stack.wire.Ipv6Validation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 and IPv6 input and output (RFC 791, RFC 1122 §3.2, RFC 8200), ICMP and ICMPv6 echo (RFC 792, RFC 4443). Runs on the stack thread only. Malformed
 * packets are dropped and counted, never thrown.
 */
public final class IpLayer {
    public static final int DEFAULT_TTL = 64;
    /** ICMPv6's next-header value (RFC 4443). */
    public static final int PROTO_ICMPV6 = 58;

    private static final int ICMPV6_PACKET_TOO_BIG = 2;
    private static final int ICMPV6_ECHO_REQUEST = 128;
    private static final int ICMPV6_ECHO_REPLY = 129;

    /** The IP header length for packets to {@code dst}. */
    public static int headerLength(IpAddr dst) {
        return dst.isV4() ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
    }

    private final List<NetInterface> interfaces = new ArrayList<>();
    private final Counters counters;
    private final ByteBufAllocator alloc;
    private final MemoryBudget memory;
    private final Ipv4Header rxIp = new Ipv4Header();
    private final Ipv4Header txIp = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final Ipv6Header rxIp6 = new Ipv6Header();
    private final Ipv6Header txIp6 = new Ipv6Header();
    private TransportHandler tcp;
    private Link localDelivery;
    private IpAddr lastLocal;
    private IpAddr lastRemote;
    private int nextId;

    public IpLayer(Counters counters, ByteBufAllocator alloc) {
        this(counters, alloc, MemoryBudget.unlimited());
    }

    /** @param memory the stack's budget for received data held, handed on to the transport (see {@link #memory}) */
    public IpLayer(Counters counters, ByteBufAllocator alloc, MemoryBudget memory) {
        this.counters = counters;
        this.alloc = alloc;
        this.memory = memory;
    }

    public void setTcp(TransportHandler tcp) {
        this.tcp = tcp;
    }

    public void addInterface(NetInterface netif) {
        interfaces.add(netif);
    }

    /**
     * The link that carries packets to this host's own non-loopback addresses (a loopback link the stack polls): set
     * by the stack when it has such addresses.
     */
    public void setLocalDelivery(Link link) {
        this.localDelivery = link;
    }

    public List<NetInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** The stack's budget for received data held by the transport (its queues charge it). */
    public MemoryBudget memory() {
        return memory;
    }

    /** True if {@code addr} is one of this host's addresses (loopback addresses count for a loopback interface). */
    public boolean isLocal(IpAddr addr) {
        for (NetInterface netif : interfaces) {
            if (netif.address().equals(addr) || (netif.address().isLoopback() && netif.contains(addr))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The route to {@code dst}: the interface whose prefix holds it (longest prefix first), else the first
     * interface of the family with a gateway; null when there is none. {@code preferredSource} (may be null or a
     * wildcard) picks the interface that owns that address.
     */
    public Route route(IpAddr dst, IpAddr preferredSource) {
        if (localDelivery != null && isOwnNonLoopbackAddress(dst)) {
            // Traffic to one of our own addresses stays in the stack, as the kernel's local routes keep it off the
            // wire.
            IpAddr source = preferredSource != null && !preferredSource.isAnyLocal() ? preferredSource : dst;
            return new Route(localDelivery, source, dst, localDelivery.mtu());
        }
        NetInterface best = null;
        for (NetInterface netif : interfaces) {
            if (preferredSource != null && !preferredSource.isAnyLocal() && !owns(netif, preferredSource)) {
                continue;
            }
            if (netif.contains(dst) && (best == null || netif.prefixLength() > best.prefixLength())) {
                best = netif;
            }
        }
        if (best != null) {
            IpAddr source = best.address().isLoopback() && dst.isLoopback()
                    ? loopbackSource(best, preferredSource)
                    : best.address();
            return new Route(best.link(), source, dst, best.link().mtu());
        }
        for (NetInterface netif : interfaces) {
            if (netif.gateway() != null && netif.address().isV4() == dst.isV4()) {
                if (preferredSource == null || preferredSource.isAnyLocal() || owns(netif, preferredSource)) {
                    return new Route(
                            netif.link(),
                            netif.address(),
                            netif.gateway(),
                            netif.link().mtu());
                }
            }
        }
        return null;
    }

    private boolean isOwnNonLoopbackAddress(IpAddr addr) {
        for (NetInterface netif : interfaces) {
            if (!netif.address().isLoopback() && netif.address().equals(addr)) {
                return true;
            }
        }
        return false;
    }

    private static boolean owns(NetInterface netif, IpAddr addr) {
        return netif.address().equals(addr) || (netif.address().isLoopback() && netif.contains(addr));
    }

    private static IpAddr loopbackSource(NetInterface netif, IpAddr preferred) {
        return preferred != null && !preferred.isAnyLocal() ? preferred : netif.address();
    }

    // ---- input ----

    /**
     * True if {@code link} is a loopback link: one carrying a loopback interface, or the link the stack uses to deliver
     * packets to its own addresses. Packets from our own or loopback addresses are normal there and nowhere else.
     */
    private boolean isLoopbackLink(Link link) {
        if (link == localDelivery) {
            return true;
        }
        for (int i = 0; i < interfaces.size(); i++) {
            NetInterface netif = interfaces.get(i);
            if (netif.link() == link && netif.address().isLoopback()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Martian source filtering (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7; Linux's {@code ip_route_input_slow} "martian
     * source"): before any state is looked up, a packet is dropped if its source is unspecified or "this network"
     * (0/8), the limited broadcast (255.255.255.255), multicast (224/4), a directed broadcast of one of the arrival
     * link's subnets, a loopback address (127/8) on a non-loopback link, or one of our own addresses on a non-loopback
     * link (the "land" attack: source = destination makes the stack answer itself). No allocation.
     *
     * @return the counter of the drop, or null if the source is acceptable
     */
    private Counter martianV4(Link link, int src) {
        int top = src >>> 24;
        if (top == 0 || src == -1 || (src >>> 28) == 0xe) {
            return Counter.IP_DROP_MARTIAN_SOURCE;
        }
        boolean loopbackLink = isLoopbackLink(link);
        if (top == 127 && !loopbackLink) {
            return Counter.IP_DROP_MARTIAN_SOURCE;
        }
        for (int i = 0; i < interfaces.size(); i++) {
            NetInterface netif = interfaces.get(i);
            IpAddr own = netif.address();
            if (!own.isV4()) {
                continue;
            }
            int prefix = netif.prefixLength();
            if (netif.link() == link && prefix > 0 && prefix <= 30) {
                int hostMask = -1 >>> prefix;
                if (src == (own.v4() | hostMask)) {
                    return Counter.IP_DROP_MARTIAN_SOURCE; // the directed broadcast of this subnet
                }
            }
            if (!loopbackLink && own.v4() == src) {
                return Counter.IP_DROP_OWN_SOURCE;
            }
        }
        return null;
    }

    /**
     * IPv6's martian sources (RFC 4291 §2.5.2, §2.5.3, §2.5.5.2, §2.7; RFC 8200 and Linux's {@code ip6_rcv_core}):
     * unspecified (::), multicast (ff00::/8), IPv4-mapped (::ffff:0:0/96, never on the wire; it would also alias an
     * IPv4 connection here), loopback (::1) on a non-loopback link, one of our own addresses on a non-loopback link.
     */
    private Counter martianV6(Link link, long hi, long lo) {
        if ((hi == 0 && lo == 0) || (hi >>> 56) == 0xff || IpAddr.isV4(hi, lo)) {
            return Counter.IP_DROP_MARTIAN_SOURCE;
        }
        boolean loopbackLink = isLoopbackLink(link);
        if (hi == 0 && lo == 1 && !loopbackLink) {
            return Counter.IP_DROP_MARTIAN_SOURCE;
        }
        if (!loopbackLink) {
            for (int i = 0; i < interfaces.size(); i++) {
                IpAddr own = interfaces.get(i).address();
                if (own.hi() == hi && own.lo() == lo) {
                    return Counter.IP_DROP_OWN_SOURCE;
                }
            }
        }
        return null;
    }

    /** The cached address object for a local IPv4 address, or null if not local (no allocation per packet). */
    private IpAddr localV4(int addr) {
        if (lastLocal != null && lastLocal.v4() == addr) {
            return lastLocal;
        }
        IpAddr candidate = IpAddr.v4(addr);
        if (!isLocal(candidate)) {
            return null;
        }
        lastLocal = candidate;
        return candidate;
    }

    /** The peer's address; the last one is reused, since packets come in runs from one peer. */
    private IpAddr remoteV4(int addr) {
        if (lastRemote == null || lastRemote.v4() != addr) {
            lastRemote = IpAddr.v4(addr);
        }
        return lastRemote;
    }

    /** One packet from {@code link}; consumes (releases) it. */
    public void input(Link link, ByteBuf packet, long nowNs) {
        input(link, packet, 0, nowNs);
    }

    /**
     * One packet from {@code link} with the link's {@link Offload} receive hints; consumes (releases) it. A TCP
     * super-segment ({@link Offload#RX_GSO}) is taken whole: nothing here bounds a received packet by the MTU (only
     * by its own length fields), as Linux's IP input takes GRO packets. {@link Offload#RX_CSUM_OK} tells TCP not to
     * verify its checksum; the IPv4 header checksum is verified as always (the kernel fills it in full).
     */
    public void input(Link link, ByteBuf packet, int rxOffload, long nowNs) {
        boolean checksumOk = (rxOffload & Offload.RX_CSUM_OK) != 0;
        try {
            counters.inc(Counter.IP_IN_RECEIVES);
            int offset = packet.readerIndex();
            int available = packet.readableBytes();
            if (available < 1) {
                counters.inc(Counter.IP_DROP_TRUNCATED);
                return;
            }
            int version = (packet.getUnsignedByte(offset) >>> 4);
            if (version == 6) {
                input6(link, packet, offset, available, checksumOk, nowNs);
                return;
            }
            if (version != 4) {
                counters.inc(Counter.IP_DROP_BAD_VERSION);
                return;
            }
            rxIp.wrap(packet, offset);
            Ipv4Validation v = rxIp.validate(available);
            if (v != Ipv4Validation.OK) {
                counters.inc(dropCounter(v));
                return;
            }
            IpAddr dst = localV4(rxIp.dst());
            if (dst == null) {
                counters.inc(Counter.IP_DROP_NOT_FOR_US);
                return;
            }
            Counter martian = martianV4(link, rxIp.src());
            if (martian != null) {
                counters.inc(martian);
                return;
            }
            IpAddr src = remoteV4(rxIp.src());
            int headerLength = rxIp.headerLength();
            int payloadOffset = offset + headerLength;
            int payloadLength = rxIp.totalLength() - headerLength;
            switch (rxIp.protocol()) {
                case Ipv4Header.PROTO_TCP:
                    counters.inc(Counter.IP_IN_DELIVERS);
                    if (tcp != null) {
                        tcp.onSegment(src, dst, packet, payloadOffset, payloadLength, checksumOk, nowNs);
                    }
                    break;
                case Ipv4Header.PROTO_ICMP:
                    counters.inc(Counter.IP_IN_DELIVERS);
                    icmpInput(src, dst, packet, payloadOffset, payloadLength, nowNs);
                    break;
                default:
                    counters.inc(Counter.IP_DROP_UNKNOWN_PROTOCOL);
                    break;
            }
        } finally {
            packet.release();
        }
    }

    /** IPv6 (RFC 8200): the fixed header, then the extension headers a host must skip, then TCP or ICMPv6. */
    private void input6(Link link, ByteBuf packet, int offset, int available, boolean checksumOk, long nowNs) {
        rxIp6.wrap(packet, offset);
        Ipv6Validation v = rxIp6.validate(available);
        if (v != Ipv6Validation.OK) {
            counters.inc(
                    v == Ipv6Validation.TRUNCATED
                            ? Counter.IP_DROP_TRUNCATED
                            : v == Ipv6Validation.BAD_VERSION
                                    ? Counter.IP_DROP_BAD_VERSION
                                    : Counter.IP_DROP_BAD_TOTAL_LENGTH);
            return;
        }
        IpAddr dst = new IpAddr(rxIp6.dstHi(), rxIp6.dstLo());
        // An IPv4-mapped destination (RFC 4291 §2.5.5.2) is never ours in an IPv6 header, even if it maps an IPv4
        // address of ours.
        if (dst.isV4() || !isLocal(dst)) {
            counters.inc(Counter.IP_DROP_NOT_FOR_US);
            return;
        }
        Counter martian = martianV6(link, rxIp6.srcHi(), rxIp6.srcLo());
        if (martian != null) {
            counters.inc(martian);
            return;
        }
        IpAddr src = new IpAddr(rxIp6.srcHi(), rxIp6.srcLo());
        int next = rxIp6.nextHeader();
        int at = offset + Ipv6Header.LENGTH;
        int end = at + rxIp6.payloadLength();
        // RFC 8200 §4: hop-by-hop (0), routing (43) and destination options (60) are skipped by their length;
        // a fragment header (44) means a fragment, which is not reassembled.
        while (next == 0 || next == 43 || next == 60) {
            if (end - at < 8) {
                counters.inc(Counter.IP_DROP_TRUNCATED);
                return;
            }
            int length = (packet.getUnsignedByte(at + 1) + 1) * 8;
            if (end - at < length) {
                counters.inc(Counter.IP_DROP_TRUNCATED);
                return;
            }
            next = packet.getUnsignedByte(at);
            at += length;
        }
        if (next == 44) {
            counters.inc(Counter.IP_DROP_FRAGMENT);
            return;
        }
        switch (next) {
            case Ipv4Header.PROTO_TCP:
                counters.inc(Counter.IP_IN_DELIVERS);
                if (tcp != null) {
                    tcp.onSegment(src, dst, packet, at, end - at, checksumOk, nowNs);
                }
                break;
            case PROTO_ICMPV6:
                counters.inc(Counter.IP_IN_DELIVERS);
                icmp6Input(src, dst, packet, at, end - at, nowNs);
                break;
            default:
                counters.inc(Counter.IP_DROP_UNKNOWN_PROTOCOL);
                break;
        }
    }

    /** ICMPv6 (RFC 4443 §4.1): an echo request gets an echo reply; other types are counted and dropped. */
    private void icmp6Input(IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, long nowNs) {
        counters.inc(Counter.ICMP_IN_MSGS);
        if (length < IcmpHeader.MIN_LENGTH) {
            counters.inc(Counter.ICMP_DROP_TRUNCATED);
            return;
        }
        int sum = Checksum.sum(packet, offset, length, Checksum.pseudoHeader(src, dst, PROTO_ICMPV6, length));
        if (Checksum.fold(sum) != 0) {
            counters.inc(Counter.ICMP_DROP_BAD_CHECKSUM);
            return;
        }
        icmp.wrap(packet, offset);
        if (icmp.type() == ICMPV6_PACKET_TOO_BIG) {
            packetTooBig(packet, offset, length, nowNs);
            return;
        }
        if (icmp.type() != ICMPV6_ECHO_REQUEST) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        echoReply(src, dst, packet, offset, length, nowNs);
    }

    /**
     * RFC 1191 §4 / RFC 792: the message quotes our IPv4 header and at least 8 bytes of the TCP header (ports and
     * sequence number); the next-hop MTU is in the ICMP header. Only messages about our own packets are used.
     */
    private void fragmentationNeeded(ByteBuf packet, int offset, int length, long nowNs) {
        int inner = offset + IcmpHeader.MIN_LENGTH;
        int available = offset + length - inner;
        if (available < Ipv4Header.MIN_LENGTH + 8) {
            counters.inc(Counter.ICMP_DROP_TRUNCATED);
            return;
        }
        Ipv4Header quoted = new Ipv4Header().wrap(packet, inner);
        int ihl = quoted.headerLength();
        if (quoted.version() != 4
                || ihl < Ipv4Header.MIN_LENGTH
                || available < ihl + 8
                || quoted.protocol() != Ipv4Header.PROTO_TCP) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        IpAddr local = IpAddr.v4(quoted.src());
        if (!isLocal(local)) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        pathMtu(local, IpAddr.v4(quoted.dst()), packet, inner + ihl, packet.getUnsignedShort(offset + 6), nowNs);
    }

    /** RFC 8201 §4 / RFC 4443 §3.2: the MTU is a 32-bit field; the quoted packet starts with our IPv6 header. */
    private void packetTooBig(ByteBuf packet, int offset, int length, long nowNs) {
        int inner = offset + IcmpHeader.MIN_LENGTH;
        int available = offset + length - inner;
        if (available < Ipv6Header.LENGTH + 8) {
            counters.inc(Counter.ICMP_DROP_TRUNCATED);
            return;
        }
        Ipv6Header quoted = new Ipv6Header().wrap(packet, inner);
        if (quoted.version() != 6 || quoted.nextHeader() != Ipv4Header.PROTO_TCP) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        IpAddr local = new IpAddr(quoted.srcHi(), quoted.srcLo());
        if (!isLocal(local)) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        long mtu = packet.getUnsignedInt(offset + 4);
        pathMtu(
                local,
                new IpAddr(quoted.dstHi(), quoted.dstLo()),
                packet,
                inner + Ipv6Header.LENGTH,
                (int) Math.min(mtu, 65535),
                nowNs);
    }

    /**
     * A usable path-MTU message about one of our TCP segments, quoted from {@code tcp0} on (its ports and sequence
     * number): counted and handed to TCP.
     */
    private void pathMtu(IpAddr local, IpAddr remote, ByteBuf packet, int tcp0, int mtu, long nowNs) {
        counters.inc(Counter.ICMP_IN_PMTU);
        if (tcp != null) {
            tcp.onPathMtu(
                    local,
                    packet.getUnsignedShort(tcp0),
                    remote,
                    packet.getUnsignedShort(tcp0 + 2),
                    packet.getInt(tcp0 + 4),
                    mtu,
                    nowNs);
        }
    }

    private static Counter dropCounter(Ipv4Validation v) {
        switch (v) {
            case TRUNCATED:
                return Counter.IP_DROP_TRUNCATED;
            case BAD_VERSION:
                return Counter.IP_DROP_BAD_VERSION;
            case BAD_HEADER_LENGTH:
                return Counter.IP_DROP_BAD_HEADER_LENGTH;
            case BAD_TOTAL_LENGTH:
                return Counter.IP_DROP_BAD_TOTAL_LENGTH;
            case BAD_CHECKSUM:
                return Counter.IP_DROP_BAD_CHECKSUM;
            case FRAGMENT:
                return Counter.IP_DROP_FRAGMENT;
            default:
                throw new AssertionError(v);
        }
    }

    /** ICMP (RFC 792): an echo request gets an echo reply carrying the same identifier, sequence and data. */
    private void icmpInput(IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, long nowNs) {
        counters.inc(Counter.ICMP_IN_MSGS);
        if (length < IcmpHeader.MIN_LENGTH) {
            counters.inc(Counter.ICMP_DROP_TRUNCATED);
            return;
        }
        if (!IcmpHeader.isChecksumValid(packet, offset, length)) {
            counters.inc(Counter.ICMP_DROP_BAD_CHECKSUM);
            return;
        }
        icmp.wrap(packet, offset);
        if (icmp.type() == IcmpHeader.TYPE_DEST_UNREACHABLE && icmp.code() == IcmpHeader.CODE_FRAG_NEEDED) {
            fragmentationNeeded(packet, offset, length, nowNs);
            return;
        }
        if (icmp.type() != IcmpHeader.TYPE_ECHO_REQUEST) {
            counters.inc(Counter.ICMP_DROP_UNHANDLED_TYPE);
            return;
        }
        echoReply(src, dst, packet, offset, length, nowNs);
    }

    /**
     * Answers an echo request (RFC 792, RFC 4443 §4.2) from the address it was sent to, carrying the same
     * identifier, sequence number and data; ICMPv6 covers the pseudo header in its checksum, ICMPv4 does not.
     */
    private void echoReply(IpAddr src, IpAddr dst, ByteBuf packet, int offset, int length, long nowNs) {
        counters.inc(Counter.ICMP_IN_ECHOS);
        Route route = route(src, dst);
        if (route == null) {
            counters.inc(Counter.IP_DROP_NO_ROUTE);
            return;
        }
        boolean v4 = src.isV4();
        int protocol = v4 ? Ipv4Header.PROTO_ICMP : PROTO_ICMPV6;
        ByteBuf reply = newPacket(dst, src, protocol, length);
        int icmpOffset = reply.writerIndex();
        reply.writeBytes(packet, offset, length);
        icmp.wrap(reply, icmpOffset)
                .type(v4 ? IcmpHeader.TYPE_ECHO_REPLY : ICMPV6_ECHO_REPLY)
                .code(0)
                .checksum(0);
        int initial = v4 ? 0 : Checksum.pseudoHeader(dst, src, PROTO_ICMPV6, length);
        icmp.checksum(Checksum.fold(Checksum.sum(reply, icmpOffset, length, initial)));
        counters.inc(Counter.ICMP_OUT_ECHO_REPS);
        transmit(route, reply, nowNs);
    }

    // ---- output ----

    /**
     * A new packet buffer with the IPv4 header for {@code payloadLength} bytes already written; the writer index
     * stands at the start of the payload.
     */
    public ByteBuf newPacket(IpAddr src, IpAddr dst, int protocol, int payloadLength) {
        if (!dst.isV4()) {
            ByteBuf buf = alloc.buffer(Ipv6Header.LENGTH + payloadLength);
            int offset = buf.writerIndex();
            txIp6.wrap(buf, offset).write(0, 0, payloadLength, protocol, DEFAULT_TTL, src, dst);
            buf.writerIndex(offset + Ipv6Header.LENGTH);
            return buf;
        }
        int total = Ipv4Header.MIN_LENGTH + payloadLength;
        ByteBuf buf = alloc.buffer(total);
        int offset = buf.writerIndex();
        txIp.wrap(buf, offset).write(0, total, nextId++ & 0xffff, true, DEFAULT_TTL, protocol, src.v4(), dst.v4());
        buf.writerIndex(offset + Ipv4Header.MIN_LENGTH);
        return buf;
    }

    /** Sends a finished packet on the route's link (ownership passes). */
    public void transmit(Route route, ByteBuf packet, long nowNs) {
        counters.inc(Counter.IP_OUT_REQUESTS);
        if (!route.link().transmit(packet, nowNs)) {
            counters.inc(Counter.IP_DROP_LINK_QUEUE_FULL);
        }
    }

    /**
     * Sends a TCP packet whose checksum field holds the pseudo-header sum only, on a route whose link offers
     * {@link Offload#TX_CSUM} (and TSO if the packet is larger than the MTU); the link completes the checksum and
     * segments the payload into {@code segmentPayload}-byte pieces where it must. Ownership passes.
     */
    public void transmitOffloaded(Route route, ByteBuf packet, int segmentPayload, long nowNs) {
        counters.inc(Counter.IP_OUT_REQUESTS);
        if (!route.link().transmitOffloaded(packet, segmentPayload, nowNs)) {
            counters.inc(Counter.IP_DROP_LINK_QUEUE_FULL);
        }
    }
}

package io.modtcp.stack.tcp.demux;

import io.modtcp.stack.tcp.common.SipHash;
import io.modtcp.stack.wire.IpAddr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Connection and listener tables, port bindings and ephemeral ports; see the package documentation.
 *
 * @param <C> the orchestrator's connection type, stored opaquely
 * @param <L> the orchestrator's listener type, stored opaquely
 */
public final class Demux<C, L> {
    /** Linux's default ephemeral range (net.ipv4.ip_local_port_range). */
    public static final int DEFAULT_EPHEMERAL_MIN = 32768;

    public static final int DEFAULT_EPHEMERAL_MAX = 60999;
    private static final int PERTURBATION_TABLE = 256;

    private final ConnectionTable<C> connections;
    private final Map<Integer, List<Binding>> bindings = new HashMap<>();
    private final Map<Integer, List<ListenerEntry<L>>> listeners = new HashMap<>();
    private final SipHash offsetHash;
    private final SipHash indexHash;
    private final int[] perturbation = new int[PERTURBATION_TABLE];
    private final int ephemeralMin;
    private final int ephemeralMax;
    private final DemuxView view = new View();
    /** Connections per local port (TIME-WAIT included): a port with any is not handed out as an ephemeral bind. */
    private final int[] connectionsPerPort = new int[65536];

    private record Binding(IpAddr addr, Object owner, boolean reusePort) {}

    private record ListenerEntry<L>(IpAddr addr, L listener) {}

    /**
     * @param secret five random words: the table hash seed and the two RFC 6056 keys (two words each)
     */
    public Demux(long[] secret, int ephemeralMin, int ephemeralMax) {
        if (secret.length < 5) {
            throw new IllegalArgumentException("need five secret words");
        }
        if (ephemeralMin < 1 || ephemeralMax > 65535 || ephemeralMin > ephemeralMax) {
            throw new IllegalArgumentException("bad ephemeral port range " + ephemeralMin + "-" + ephemeralMax);
        }
        this.connections = new ConnectionTable<>(secret[0], 64);
        this.offsetHash = new SipHash(secret[1], secret[2]);
        this.indexHash = new SipHash(secret[3], secret[4]);
        this.ephemeralMin = ephemeralMin;
        this.ephemeralMax = ephemeralMax;
    }

    public DemuxView view() {
        return view;
    }

    // ---- connections ----

    public C lookup(IpAddr local, int localPort, IpAddr remote, int remotePort) {
        return connections.get(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort);
    }

    /** Adds a connection; throws if the 4-tuple is taken (the orchestrator checks first). */
    public void addConnection(IpAddr local, int localPort, IpAddr remote, int remotePort, C connection) {
        C old = connections.put(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort, connection);
        if (old != null) {
            connections.put(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort, old);
            throw new IllegalStateException(
                    "4-tuple in use: " + local + ":" + localPort + " " + remote + ":" + remotePort);
        }
        connectionsPerPort[localPort]++;
    }

    public boolean removeConnection(IpAddr local, int localPort, IpAddr remote, int remotePort, C connection) {
        C current = lookup(local, localPort, remote, remotePort);
        if (current != connection) {
            return false;
        }
        connections.remove(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort);
        connectionsPerPort[localPort]--;
        return true;
    }

    /**
     * SO_REUSEADDR of the connection on this 4-tuple: a later fixed-port {@link #bind} that sets it too does not
     * conflict with the connection (see {@link #bind(IpAddr, int, boolean, boolean, Object)}).
     */
    public void setReuseAddress(IpAddr local, int localPort, IpAddr remote, int remotePort, boolean on) {
        connections.setFlag(local.hi(), local.lo(), localPort, remote.hi(), remote.lo(), remotePort, on);
    }

    /** True while some connection (in any state, TIME-WAIT included) has local port {@code port}. */
    public boolean hasConnectionsOn(int port) {
        return connectionsPerPort[port] > 0;
    }

    public List<C> connections() {
        return connections.values();
    }

    // ---- listeners ----

    /** A copy of every listener, in no particular order (for tools: ss's table). */
    public List<L> listeners() {
        List<L> all = new ArrayList<>();
        for (List<ListenerEntry<L>> l : listeners.values()) {
            for (int i = 0; i < l.size(); i++) {
                all.add(l.get(i).listener());
            }
        }
        return all;
    }

    public void addListener(IpAddr local, int port, L listener) {
        listeners.computeIfAbsent(port, p -> new ArrayList<>(1)).add(new ListenerEntry<>(local, listener));
    }

    public void removeListener(int port, L listener) {
        List<ListenerEntry<L>> list = listeners.get(port);
        if (list != null) {
            list.removeIf(e -> e.listener() == listener);
            if (list.isEmpty()) {
                listeners.remove(port);
            }
        }
    }

    /**
     * The listener for a segment to {@code local:port}: one bound to exactly that address first, then the wildcard
     * of the same family, then the IPv6 wildcard (which accepts IPv4 too, as Linux's dual-stack sockets do).
     */
    public L lookupListener(IpAddr local, int port) {
        List<ListenerEntry<L>> list = listeners.get(port);
        if (list == null) {
            return null;
        }
        L wildcard = null;
        L wildcard6 = null;
        for (int i = 0; i < list.size(); i++) {
            ListenerEntry<L> e = list.get(i);
            if (e.addr().equals(local)) {
                return e.listener();
            }
            if (e.addr().equals(IpAddr.ANY6)) {
                wildcard6 = e.listener();
            } else if (e.addr().isAnyLocal() && e.addr().isV4() == local.isV4()) {
                wildcard = e.listener();
            }
        }
        return wildcard != null ? wildcard : wildcard6;
    }

    // ---- bindings (RFC 9293 §3.9.1.1 OPEN; JDK bind semantics) ----

    /** Outcome of {@link #bind}. */
    public sealed interface BindResult {
        record Bound(int port) implements BindResult {}

        record InUse(int port) implements BindResult {}

        record Exhausted() implements BindResult {}
    }

    /**
     * As {@link #bind(IpAddr, int, boolean, Object)}; a fixed port is also in use while a connection on an
     * overlapping address holds it (TIME-WAIT and the other closing states included), unless both that connection
     * and this binding set SO_REUSEADDR (Linux's rule for connections that are not listening, inet_csk_bind_conflict).
     * Only the connections of that port are looked at, in place.
     */
    public BindResult bind(IpAddr addr, int port, boolean reusePort, boolean reuseAddress, Object owner) {
        if (port != 0
                && connectionsPerPort[port] > 0
                && connections.anyOnLocalPort(
                        port,
                        (hi, lo, connReuse) -> !(reuseAddress && connReuse) && overlaps(new IpAddr(hi, lo), addr))) {
            return new BindResult.InUse(port);
        }
        return bind(addr, port, reusePort, owner);
    }

    /**
     * Reserves {@code port} (or, for 0, an ephemeral port) on {@code addr} for {@code owner}. Two bindings of one
     * port conflict when their addresses overlap (equal, or either a wildcard), unless both set SO_REUSEPORT.
     * Connections holding the port are not looked at (see {@link #bind(IpAddr, int, boolean, boolean, Object)}).
     */
    public BindResult bind(IpAddr addr, int port, boolean reusePort, Object owner) {
        if (port == 0) {
            int span = ephemeralMax - ephemeralMin + 1;
            int start = (int) Math.floorMod(offsetHash.hash(addr.hi(), addr.lo(), perturbation[0]++), (long) span);
            for (int i = 0; i < span; i++) {
                int candidate = ephemeralMin + (start + i) % span;
                // As Linux's bind to port 0: a port any socket holds, a connection's included, is not free.
                if (!bindings.containsKey(candidate)
                        && !listeners.containsKey(candidate)
                        && connectionsPerPort[candidate] == 0) {
                    add(addr, candidate, reusePort, owner);
                    return new BindResult.Bound(candidate);
                }
            }
            return new BindResult.Exhausted();
        }
        List<Binding> list = bindings.get(port);
        if (list != null) {
            for (Binding b : list) {
                if (overlaps(b.addr(), addr) && !(b.reusePort() && reusePort)) {
                    return new BindResult.InUse(port);
                }
            }
        }
        add(addr, port, reusePort, owner);
        return new BindResult.Bound(port);
    }

    private void add(IpAddr addr, int port, boolean reusePort, Object owner) {
        bindings.computeIfAbsent(port, p -> new ArrayList<>(1)).add(new Binding(addr, owner, reusePort));
    }

    /** True when bindings of one port on {@code a} and {@code b} overlap: equal, or either is a wildcard. */
    public static boolean overlaps(IpAddr a, IpAddr b) {
        return a.equals(b)
                || a.equals(IpAddr.ANY6)
                || b.equals(IpAddr.ANY6)
                || (a.isAnyLocal() && a.isV4() == b.isV4())
                || (b.isAnyLocal() && b.isV4() == a.isV4());
    }

    public void unbind(int port, Object owner) {
        List<Binding> list = bindings.get(port);
        if (list != null) {
            list.removeIf(b -> b.owner() == owner);
            if (list.isEmpty()) {
                bindings.remove(port);
            }
        }
    }

    /**
     * An ephemeral port for a connection from {@code local} to {@code remote:remotePort}, by RFC 6056 §3.3.3
     * (algorithm 3, "simple hash-based"): a keyed hash of the destination picks the start, a perturbation table
     * spreads successive connections. A port is suitable when it is not bound or listened on and the 4-tuple is free.
     *
     * @return the port, or -1 when every port is in use for this destination
     */
    public int allocateEphemeral(IpAddr local, IpAddr remote, int remotePort) {
        int span = ephemeralMax - ephemeralMin + 1;
        long offset = offsetHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), remotePort);
        int index = Math.floorMod(
                indexHash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), remotePort), PERTURBATION_TABLE);
        for (int count = 0; count < span; count++) {
            int port = ephemeralMin + (int) Math.floorMod(offset + perturbation[index], (long) span);
            perturbation[index]++;
            if (!bindings.containsKey(port)
                    && !listeners.containsKey(port)
                    && lookup(local, port, remote, remotePort) == null) {
                return port;
            }
        }
        return -1;
    }

    private final class View implements DemuxView {
        @Override
        public int connectionCount() {
            return connections.size();
        }

        @Override
        public int listenerCount() {
            int n = 0;
            for (List<ListenerEntry<L>> l : listeners.values()) {
                n += l.size();
            }
            return n;
        }

        @Override
        public int boundPortCount() {
            return bindings.size();
        }

        @Override
        public boolean isBound(int port) {
            return bindings.containsKey(port);
        }
    }
}

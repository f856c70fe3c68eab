package io.modtcp.provider;

import io.modtcp.stack.stats.MemoryBudget;
import io.modtcp.stack.tcp.common.SynCookieMode;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithms;
import io.modtcp.stack.wire.IpAddr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The provider's configuration: system properties {@code modtcp.KEY}, or agent arguments {@code KEY=VALUE,...} with
 * the same keys. Every key is listed in {@link #KEYS} (docs/provider.md has the same table). A bad value fails with an
 * {@link IllegalArgumentException} whose message starts with the key.
 *
 * @param tun the TUN device name, or null for the in-JVM loopback only
 * @param address the stack's IPv4 address on the TUN link, with {@code prefixLength}
 * @param gateway the TUN link's IPv4 gateway, or null
 * @param address6 the stack's IPv6 address on the TUN link, with {@code prefixLength6}, or null
 * @param mtu the TUN link's MTU
 * @param pcap a capture file for every link, or null
 * @param kernel destination prefixes routed to the platform stack instead of modtcp
 * @param loopback whether the in-JVM loopback link (127.0.0.1/8) is present
 * @param sendBufferBytes default SO_SNDBUF, or 0 for the stack's default
 * @param receiveBufferBytes default SO_RCVBUF, or 0 for the stack's default
 * @param seed the stack's random seed, or null for a random one
 * @param congestion the congestion-control algorithm of new connections ({@code cubic} or {@code newreno})
 * @param receiveMemoryBytes the stack-wide budget of received data held, or 0 for the default
 * @param hostLoopback where connections to a loopback address (127.0.0.0/8, ::1) go
 * @param synCookies when listeners answer SYNs with SYN cookies (RFC 4987 §3.6), or null for the stack's default
 * @param offload whether the TUN link uses the virtio-net header with checksum offload and TSO (docs/tun.md)
 * @param finTimeoutSeconds an orphan's FIN-WAIT-2 timeout in seconds, or 0 for the stack's default (60)
 * @param maxOrphans the stack's orphan limit, or -1 for the stack's default (16384)
 * @param orphanRetries an orphan's retransmission and zero-window probe budget, or 0 for the default (8)
 * @param invalidRateLimitMs least milliseconds between a connection's answers to invalid segments, or -1 for the
 *     default (500)
 * @param challengeAckLimit stack-wide challenge ACKs per second (randomised), or 0 for the default (1000)
 * @param faults the faults injected on every link from boot (docs/faults.md); {@link FaultSpec#NONE} for none
 * @param spinMicros how long the stack thread keeps polling after a round that did work before it sleeps, in
 *     microseconds ({@link io.modtcp.stack.runtime.IdleSpin}); 0 for never
 */
public record ModTcpConfig(
        String tun,
        IpAddr address,
        int prefixLength,
        IpAddr gateway,
        IpAddr address6,
        int prefixLength6,
        int mtu,
        Path pcap,
        List<Prefix> kernel,
        boolean loopback,
        int sendBufferBytes,
        int receiveBufferBytes,
        Long seed,
        String congestion,
        long receiveMemoryBytes,
        HostLoopback hostLoopback,
        SynCookieMode synCookies,
        boolean offload,
        int finTimeoutSeconds,
        int maxOrphans,
        int orphanRetries,
        int invalidRateLimitMs,
        int challengeAckLimit,
        FaultSpec faults,
        int spinMicros) {

    /** Where a connection to a loopback address (127.0.0.0/8, ::1) goes ({@code modtcp.hostloopback}). */
    public enum HostLoopback {
        /** To a modtcp listener bound there (the address or a wildcard, that port) if there is one, else the kernel. */
        AUTO,
        /** Always modtcp's in-JVM loopback (nothing listening there: "Connection refused"). */
        MODTCP,
        /** Always the kernel's loopback (the program's own modtcp listeners are then not reachable on it). */
        KERNEL
    }

    /** The system-property prefix. */
    public static final String PREFIX = "modtcp.";

    /**
     * The agent key that lets Netty's native transports (epoll, kqueue, io_uring), which bypass the JDK's socket API
     * and so modtcp, stay on: {@code guard} (the default) or {@code allow}.
     */
    public static final String NATIVE_TRANSPORTS = "nativeTransports";

    /**
     * {@code spin_us} when not set: off. Measured on 2 vCPUs (docs/benchmarks.md, "The stack thread's idle spin"): 50 µs
     * shortened round trips and raised connections/s, but Jetty's requests/s fell in two runs of three, so the spin
     * is for machines with a core to spare.
     */
    public static final int DEFAULT_SPIN_MICROS = 0;

    /** The largest {@code spin_us} accepted ({@link io.modtcp.stack.runtime.IdleSpin#MAX_SPIN_NS}). */
    public static final int MAX_SPIN_MICROS = (int) (io.modtcp.stack.runtime.IdleSpin.MAX_SPIN_NS / 1000);

    /** Every key, with its meaning (the table in docs/provider.md). */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("tun", "TUN device name (e.g. mt0); absent: in-JVM loopback only");
        k.put("address", "address/prefix on the TUN link, e.g. 192.0.2.2/24 (required with tun)");
        k.put("gateway", "gateway on the TUN link, e.g. 192.0.2.1 (optional)");
        k.put("address6", "IPv6 address/prefix on the TUN link, e.g. fd00::2/64 (optional)");
        k.put("mtu", "TUN MTU in bytes, 576..65535 (default 1500)");
        k.put("pcap", "capture every packet of every link to this pcap file");
        k.put("kernel", "destination prefixes (a.b.c.d/n separated by ';') routed to the platform stack");
        k.put("loopback", "true/false: keep the in-JVM loopback link 127.0.0.1/8 (default true)");
        k.put("sndbuf", "default SO_SNDBUF in bytes");
        k.put("rcvbuf", "default SO_RCVBUF in bytes, 1024..6291456 (auto-tuning may grow it)");
        k.put("seed", "stack random seed (ISS, ephemeral ports, fault draws) for reproducible runs");
        k.put("congestion", "congestion control of new connections: cubic (default) or newreno");
        k.put(
                NATIVE_TRANSPORTS,
                "agent only: guard (default) makes Netty's native transports fall back to NIO; allow leaves them on");
        k.put(
                "rxmem",
                "stack-wide budget in bytes for received data held (out-of-order and unread), 1048576.."
                        + " (default a quarter of the maximum heap); docs/security.md");
        k.put(
                "hostloopback",
                "where connections to 127.0.0.0/8 and ::1 go: auto (a modtcp listener there if one is bound, else the"
                        + " kernel's loopback; default), modtcp, kernel");
        k.put("syncookies", "SYN cookies when a listener's SYN queue is full: auto (default), always or off");
        k.put("offload", "on/off: TUN checksum offload and TSO/GSO super-segments (default on; docs/tun.md)");
        k.put("fin_timeout", "seconds an orphan waits in FIN-WAIT-2 for the peer's FIN, 1..86400 (default 60)");
        k.put("max_orphans", "closed connections still finishing, at most; beyond, a close resets (default 16384)");
        k.put("orphan_retries", "retransmissions and zero-window probes of an orphan, 1..100 (default 8)");
        k.put("invalid_ratelimit", "ms between a connection's ACKs to invalid segments, 0..60000 (default 500)");
        k.put("challenge_ack_limit", "challenge ACKs per second per stack, randomised (default 1000)");
        k.put(
                "spin_us",
                "microseconds the stack thread keeps polling after a round that did work before it sleeps, 0.."
                        + MAX_SPIN_MICROS + " (default " + DEFAULT_SPIN_MICROS
                        + ": never; it costs a core; docs/benchmarks.md)");
        k.putAll(FaultSpec.KEYS);
        KEYS = Collections.unmodifiableMap(k);
    }

    public ModTcpConfig {
        kernel = List.copyOf(kernel);
        java.util.Objects.requireNonNull(faults, "faults");
    }

    /** An IPv4 prefix. */
    public record Prefix(int network, int length) {
        public boolean contains(IpAddr a) {
            if (!a.isV4()) {
                return false;
            }
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (a.v4() & mask) == (network & mask);
        }
    }

    /** The defaults: the in-JVM loopback only, nothing set. */
    public static ModTcpConfig defaults() {
        return parse(Map.of());
    }

    /** From the {@code modtcp.*} system properties. */
    public static ModTcpConfig fromSystemProperties() {
        return fromSystemProperties(System.getProperties());
    }

    static ModTcpConfig fromSystemProperties(Properties props) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS.keySet()) {
            String v = props.getProperty(PREFIX + key);
            if (v != null) {
                values.put(key, v);
            }
        }
        return parse(values);
    }

    /**
     * Parses agent arguments {@code key=value,key=value} (keys without the prefix).
     *
     * @throws IllegalArgumentException naming the key for an unknown key or a malformed pair
     */
    public static Map<String, String> parseAgentArgs(String args) {
        Map<String, String> values = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return values;
        }
        for (String pair : args.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("modtcp agent argument '" + pair + "': expected key=value");
            }
            String key = pair.substring(0, eq).trim();
            if (key.startsWith(PREFIX)) {
                key = key.substring(PREFIX.length());
            }
            if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("modtcp." + key + ": unknown key (known: " + KEYS.keySet() + ")");
            }
            values.put(key, pair.substring(eq + 1).trim());
        }
        return values;
    }

    /** Parses and validates {@code values} (keys without prefix). */
    public static ModTcpConfig parse(Map<String, String> values) {
        String tun = blankToNull(values.get("tun"));
        IpAddr address = null;
        int prefixLength = 0;
        String addressText = blankToNull(values.get("address"));
        if (addressText != null) {
            int slash = addressText.indexOf('/');
            if (slash < 0) {
                throw bad("address", addressText, "expected a.b.c.d/prefix");
            }
            address = ipv4("address", addressText.substring(0, slash));
            prefixLength = integer("address", addressText.substring(slash + 1), 1, 32);
        }
        IpAddr gateway = values.containsKey("gateway") ? ipv4("gateway", values.get("gateway")) : null;
        IpAddr address6 = null;
        int prefixLength6 = 0;
        String address6Text = blankToNull(values.get("address6"));
        if (address6Text != null) {
            int slash = address6Text.indexOf('/');
            if (slash < 0) {
                throw bad("address6", address6Text, "expected an IPv6 address/prefix, e.g. fd00::2/64");
            }
            try {
                address6 = IpAddr.parse(address6Text.substring(0, slash));
            } catch (RuntimeException e) {
                throw bad("address6", address6Text, "not an IPv6 address");
            }
            if (address6.isV4() || address6.isAnyLocal() || address6.isLoopback()) {
                throw bad("address6", address6Text, "not a unicast IPv6 address");
            }
            prefixLength6 = integer("address6", address6Text.substring(slash + 1), 1, 128);
        }
        if (tun == null && (address != null || gateway != null || address6 != null)) {
            throw new IllegalArgumentException("modtcp."
                    + (address != null ? "address" : gateway != null ? "gateway" : "address6")
                    + ": needs modtcp.tun (a TUN device)");
        }
        if (tun != null && address == null) {
            throw new IllegalArgumentException("modtcp.address: required with modtcp.tun=" + tun);
        }
        int mtu = values.containsKey("mtu") ? integer("mtu", values.get("mtu"), 576, 65535) : 1500;
        Path pcap = values.containsKey("pcap") ? Path.of(values.get("pcap").trim()) : null;
        List<Prefix> kernel = new ArrayList<>();
        String kernelText = blankToNull(values.get("kernel"));
        if (kernelText != null) {
            for (String p : kernelText.split("[;\\s]+")) {
                if (p.isEmpty()) {
                    continue;
                }
                int slash = p.indexOf('/');
                IpAddr net = ipv4("kernel", slash < 0 ? p : p.substring(0, slash));
                int len = slash < 0 ? 32 : integer("kernel", p.substring(slash + 1), 0, 32);
                kernel.add(new Prefix(net.v4(), len));
            }
        }
        boolean loopback = bool("loopback", values.getOrDefault("loopback", "true"));
        int sndbuf = values.containsKey("sndbuf") ? integer("sndbuf", values.get("sndbuf"), 2048, 1 << 30) : 0;
        int rcvbuf = values.containsKey("rcvbuf") ? integer("rcvbuf", values.get("rcvbuf"), 1024, 6 << 20) : 0;
        Long seed = null;
        if (values.containsKey("seed")) {
            try {
                seed = Long.parseLong(values.get("seed").trim());
            } catch (NumberFormatException e) {
                throw bad("seed", values.get("seed"), "not a number");
            }
        }
        String congestion = blankToNull(values.get("congestion"));
        if (congestion != null) {
            try {
                CongestionAlgorithms.byName(congestion);
            } catch (IllegalArgumentException e) {
                throw bad("congestion", congestion, "known: " + CongestionAlgorithms.names());
            }
        }
        nativeTransportsAllowed(values.get(NATIVE_TRANSPORTS)); // validated here, applied by the agent
        long rxmem = 0;
        if (values.containsKey("rxmem")) {
            try {
                rxmem = Long.parseLong(values.get("rxmem").trim());
            } catch (NumberFormatException e) {
                throw bad("rxmem", values.get("rxmem"), "not a number");
            }
            if (rxmem < MemoryBudget.MIN_LIMIT) {
                throw bad("rxmem", values.get("rxmem"), "below " + MemoryBudget.MIN_LIMIT);
            }
        }
        HostLoopback hostLoopback;
        String hl = blankToNull(values.get("hostloopback"));
        if (hl == null) {
            hostLoopback = HostLoopback.AUTO;
        } else {
            try {
                hostLoopback = HostLoopback.valueOf(hl.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("hostloopback", hl, "expected auto, modtcp or kernel");
            }
        }
        SynCookieMode synCookies = null;
        String synCookiesText = blankToNull(values.get("syncookies"));
        if (synCookiesText != null) {
            try {
                synCookies = SynCookieMode.parse(synCookiesText);
            } catch (IllegalArgumentException e) {
                throw bad("syncookies", synCookiesText, "expected off, auto or always");
            }
        }
        boolean offload = onOff("offload", values.getOrDefault("offload", "on"));
        int finTimeout =
                values.containsKey("fin_timeout") ? integer("fin_timeout", values.get("fin_timeout"), 1, 86_400) : 0;
        int maxOrphans = values.containsKey("max_orphans")
                ? integer("max_orphans", values.get("max_orphans"), 0, Integer.MAX_VALUE)
                : -1;
        int orphanRetries = values.containsKey("orphan_retries")
                ? integer("orphan_retries", values.get("orphan_retries"), 1, 100)
                : 0;
        int invalidRateLimit = values.containsKey("invalid_ratelimit")
                ? integer("invalid_ratelimit", values.get("invalid_ratelimit"), 0, 60_000)
                : -1;
        int challengeAckLimit = values.containsKey("challenge_ack_limit")
                ? integer("challenge_ack_limit", values.get("challenge_ack_limit"), 1, Integer.MAX_VALUE)
                : 0;
        int spinMicros = values.containsKey("spin_us")
                ? integer("spin_us", values.get("spin_us"), 0, MAX_SPIN_MICROS)
                : DEFAULT_SPIN_MICROS;
        FaultSpec faults = FaultSpec.parse(values);
        if (!loopback && tun == null) {
            throw new IllegalArgumentException("modtcp.loopback: false leaves no link (set modtcp.tun)");
        }
        return new ModTcpConfig(
                tun,
                address,
                prefixLength,
                gateway,
                address6,
                prefixLength6,
                mtu,
                pcap,
                kernel,
                loopback,
                sndbuf,
                rcvbuf,
                seed,
                congestion,
                rxmem,
                hostLoopback,
                synCookies,
                offload,
                finTimeout,
                maxOrphans,
                orphanRetries,
                invalidRateLimit,
                challengeAckLimit,
                faults,
                spinMicros);
    }

    /**
     * The value of {@link #NATIVE_TRANSPORTS}: true for {@code allow}, false for {@code guard} or absent.
     *
     * @throws IllegalArgumentException naming the key for any other value
     */
    public static boolean nativeTransportsAllowed(String value) {
        String v = blankToNull(value);
        if (v == null || v.equals("guard")) {
            return false;
        }
        if (v.equals("allow")) {
            return true;
        }
        throw bad(NATIVE_TRANSPORTS, value, "expected guard or allow");
    }

    /**
     * True when connections to {@code dst} go to the platform stack by the {@code kernel} prefixes (a loopback
     * destination is decided by {@link ModTcpRuntime#routesToKernel(IpAddr, int)} with {@link #hostLoopback}).
     */
    public boolean routesToKernel(IpAddr dst) {
        for (Prefix p : kernel) {
            if (p.contains(dst)) {
                return true;
            }
        }
        return false;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static IpAddr ipv4(String key, String text) {
        try {
            return IpAddr.parseV4(text.trim());
        } catch (RuntimeException e) {
            throw bad(key, text, "not an IPv4 address");
        }
    }

    private static int integer(String key, String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw bad(key, text, "not a number");
        }
        if (v < min || v > max) {
            throw bad(key, text, "out of range " + min + ".." + max);
        }
        return v;
    }

    private static boolean bool(String key, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw bad(key, text, "expected true or false");
    }

    private static boolean onOff(String key, String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("on") || t.equals("true")) {
            return true;
        }
        if (t.equals("off") || t.equals("false")) {
            return false;
        }
        throw bad(key, text, "expected on or off");
    }

    private static IllegalArgumentException bad(String key, String value, String why) {
        return new IllegalArgumentException("modtcp." + key + "='" + value + "': " + why);
    }
}

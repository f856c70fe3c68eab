package io.modtcp.provider;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.ip.NetInterface;
import io.modtcp.stack.link.FaultLink;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.LinkStats;
import io.modtcp.stack.link.LoopbackLink;
import io.modtcp.stack.link.PcapWriter;
import io.modtcp.stack.link.TappedLink;
import io.modtcp.stack.runtime.FlightRecorderSupport;
import io.modtcp.stack.runtime.ParkWaiter;
import io.modtcp.stack.runtime.StackThread;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.congestion.CongestionAlgorithms;
import io.modtcp.stack.wire.IpAddr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A modtcp stack behind a provider: one {@link NetStack} and the {@link StackThread} that drives it.
 *
 * <p>The process-wide one ({@link #get()}) boots lazily on first use from {@link ModTcpConfig#fromSystemProperties()}
 * and logs one line; it is what the agent, the system property and {@code new ModTcpSelectorProvider()} use. More
 * stacks in one JVM (each with its own addresses, ports and links) come from {@link #start(ModTcpConfig)} or {@link
 * #start(NetStack, String)}, and {@link ModTcpSelectorProvider#ModTcpSelectorProvider(ModTcpRuntime)} puts channels
 * and sockets on one of them. Such a runtime is closed with {@link #close()}; the process-wide one lives as long as
 * the JVM.
 */
public final class ModTcpRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.modtcp.provider");
    /** The TUN link class of the tun-backend module, named when {@code modtcp.tun} is set and it is missing. */
    static final String TUN_LINK_CLASS = "io.modtcp.tun.TunLink";

    private static volatile ModTcpRuntime instance;

    private final ModTcpConfig config;
    private final NetStack stack;
    private final StackThread thread;
    /** The fault injectors, one per link (outermost wrapper), for {@link #setFaults}. Empty for a given stack. */
    private final List<FaultLink> faultLinks;
    /** The seed of fault draws when a {@link FaultSpec} has none: the {@code seed} key, else chosen at boot. */
    private final long faultSeed;
    /** Stack thread writes, any thread reads: the faults in effect and the retransmission count when set. */
    private volatile FaultSpec faults = FaultSpec.NONE;

    private volatile long retransmitsAtFaultSet;

    /** The modtcp listeners of this runtime's provider (the TcpSockets), for the loopback routing decision. */
    private final java.util.Set<TcpSocket> listeners = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final LongAdder kernelLoopbackConnects = new LongAdder();
    final LongAdder socketChannels = new LongAdder();
    final LongAdder serverChannels = new LongAdder();
    final LongAdder selectors = new LongAdder();
    final LongAdder socketImpls = new LongAdder();

    /** What takes the JFR events off the stack (null without jdk.jfr), and what unregisters the MBean; guarded. */
    private AutoCloseable flightRecorder;

    private AutoCloseable mbean;
    private boolean observabilitySetUp;
    private boolean closed;

    private ModTcpRuntime(
            ModTcpConfig config, NetStack stack, StackThread thread, List<FaultLink> faultLinks, long faultSeed) {
        this.config = config;
        this.stack = stack;
        this.faultLinks = List.copyOf(faultLinks);
        this.faultSeed = faultSeed;
        if (!config.faults().isNone()) {
            // Before the stack thread starts, so the first packet already meets the faults.
            applyFaults(config.faults());
        }
        this.thread = thread.start();
        if (FlightRecorderSupport.recorderInitialized()) {
            // A recording is already on (-XX:StartFlightRecording): the events attach now, before the first
            // connection, rather than from the background thread.
            this.flightRecorder = FlightRecorderSupport.install(stack);
        }
    }

    /**
     * Sets up the JFR events and the MBean ({@code name} null: {@code io.modtcp:type=Stack}) on a daemon thread: the
     * JMX and JFR classes take a few hundred ms to load, which the first socket call must not wait for.
     */
    private ModTcpRuntime observeInBackground(String name) {
        Thread t = new Thread(() -> setUpObservability(name), "modtcp-observability");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** Installs the JFR events and registers the MBean, once; each only when its module is present. */
    private synchronized void setUpObservability(String name) {
        if (closed || observabilitySetUp) {
            return;
        }
        observabilitySetUp = true;
        if (flightRecorder == null) {
            flightRecorder = FlightRecorderSupport.install(stack);
        }
        mbean = Management.register(this, name);
    }

    /**
     * Boots a stack of its own from {@code config} (not the process-wide one), with its stack thread started and the
     * boot line logged. Close it with {@link #close()}.
     */
    public static ModTcpRuntime start(ModTcpConfig config) {
        return boot(config).observeInBackground("modtcp-stack");
    }

    /**
     * Runs an already built stack (any links, e.g. an in-memory {@code LinkPair} between two stacks) on a new stack
     * thread named {@code threadName}, with the default configuration (no kernel routes). Close it with {@link
     * #close()}, which closes the stack too.
     */
    public static ModTcpRuntime start(NetStack stack, String threadName) {
        return new ModTcpRuntime(ModTcpConfig.defaults(), stack, new StackThread(stack, threadName), List.of(), 0)
                .observeInBackground(threadName);
    }

    /** The runtime, booting it on first use. */
    public static ModTcpRuntime get() {
        ModTcpRuntime r = instance;
        if (r == null) {
            synchronized (ModTcpRuntime.class) {
                r = instance;
                if (r == null) {
                    // Privileged: the stack thread inherits this context, and the first socket call may come from
                    // application code with fewer permissions than the agent (security manager, JDK 17).
                    r = Privileged.run(() -> boot(ModTcpConfig.fromSystemProperties()));
                    instance = r;
                    ModTcpRuntime booted = r;
                    Privileged.run(() -> booted.observeInBackground(null));
                }
            }
        }
        return r;
    }

    /** True once the stack has booted. */
    public static boolean isBooted() {
        return instance != null;
    }

    /**
     * Checks what can be checked before boot: the values (already parsed) and that tun-backend, which a configured TUN
     * link needs, is on the class path (an application using the provider jar may leave it out). Throws with a message
     * naming the key.
     */
    public static void validate(ModTcpConfig config) {
        if (config.tun() != null && !TunSupport.present()) {
            throw new IllegalStateException("modtcp.tun=" + config.tun() + ": the tun-backend module (" + TUN_LINK_CLASS
                    + ") is not on the class path");
        }
    }

    private static ModTcpRuntime boot(ModTcpConfig config) {
        validate(config);
        NetStack.Builder b = NetStack.builder();
        TcpConfig.Builder tcp = TcpConfig.DEFAULT.toBuilder();
        if (config.sendBufferBytes() > 0) {
            tcp.sendBufferBytes(config.sendBufferBytes());
        }
        if (config.receiveBufferBytes() > 0) {
            tcp.receiveBufferBytes(config.receiveBufferBytes());
        }
        if (config.synCookies() != null) {
            tcp.synCookies(config.synCookies());
        }
        if (config.finTimeoutSeconds() > 0) {
            tcp.finWait2TimeoutNs(TimeUnit.SECONDS.toNanos(config.finTimeoutSeconds()));
        }
        if (config.maxOrphans() >= 0) {
            tcp.maxOrphans(config.maxOrphans());
        }
        if (config.orphanRetries() > 0) {
            tcp.orphanRetries(config.orphanRetries());
        }
        if (config.invalidRateLimitMs() >= 0) {
            tcp.invalidAckRateLimitNs(TimeUnit.MILLISECONDS.toNanos(config.invalidRateLimitMs()));
        }
        if (config.challengeAckLimit() > 0) {
            tcp.challengeAckLimitPerSecond(config.challengeAckLimit());
        }
        b.config(tcp.build());
        if (config.congestion() != null) {
            b.congestion(CongestionAlgorithms.byName(config.congestion()));
        }
        if (config.seed() != null) {
            b.seed(config.seed());
        }
        if (config.receiveMemoryBytes() > 0) {
            b.memoryBudgetBytes(config.receiveMemoryBytes());
        }
        PcapWriter pcap = null;
        if (config.pcap() != null) {
            try {
                PcapWriter writer = new PcapWriter(config.pcap());
                // Records are buffered: push them out when the JVM exits (the stack thread is a daemon).
                Runtime.getRuntime().addShutdownHook(new Thread(writer::flush, "modtcp-pcap-flush"));
                pcap = writer;
            } catch (IOException e) {
                throw new UncheckedIOException("modtcp.pcap=" + config.pcap() + ": cannot open: " + e.getMessage(), e);
            }
        }
        List<FaultLink> faultLinks = new ArrayList<>();
        if (config.loopback()) {
            Link lo = faulty(tap(LoopbackLink.inJvm(), pcap), faultLinks);
            b.addInterface(lo, IpAddr.parseV4("127.0.0.1"), 8, null);
            b.addInterface(lo, IpAddr.LOOPBACK6, 128, null);
        }
        Link tun = null;
        if (config.tun() != null) {
            tun = TunSupport.open(config.tun(), config.mtu(), config.offload());
            Link tapped = faulty(tap(tun, pcap), faultLinks);
            b.addInterface(tapped, config.address(), config.prefixLength(), config.gateway());
            if (config.address6() != null) {
                b.addInterface(tapped, config.address6(), config.prefixLength6(), null);
            }
        }
        NetStack stack = b.build();
        long faultSeed = config.seed() != null ? config.seed() : new SplittableRandom().nextLong();
        ModTcpRuntime r = new ModTcpRuntime(
                config,
                stack,
                tun == null
                        ? new StackThread(stack, "modtcp-stack", new ParkWaiter(), spinNs(config))
                        : TunSupport.stackThread(stack, tun, config.tun(), spinNs(config)),
                faultLinks,
                faultSeed);
        // One entry per link, its addresses in order: "lo 127.0.0.1/8 ::1/128 mtu 65535, mt0 192.0.2.2/24 via ...".
        Map<Link, StringBuilder> byLink = new LinkedHashMap<>();
        for (NetInterface netif : stack.interfaces()) {
            StringBuilder sb = byLink.computeIfAbsent(netif.link(), l -> new StringBuilder(l.name()));
            sb.append(' ').append(netif.address()).append('/').append(netif.prefixLength());
            if (netif.gateway() != null) {
                sb.append(" via ").append(netif.gateway());
            }
        }
        StringJoiner links = new StringJoiner(", ");
        byLink.forEach((link, sb) -> links.add(sb + " mtu " + link.mtu()));
        LOG.log(
                System.Logger.Level.INFO,
                "modtcp stack up: " + links + (pcap != null ? "; capturing to " + config.pcap() : "")
                        + (config.kernel().isEmpty() ? "" : "; kernel routes " + config.kernel())
                        + (config.faults().isNone() ? "" : "; faults " + r.faults()));
        return r;
    }

    /** {@code modtcp.spin_us} in nanoseconds. */
    private static long spinNs(ModTcpConfig config) {
        return TimeUnit.MICROSECONDS.toNanos(config.spinMicros());
    }

    private static Link tap(Link link, PcapWriter pcap) {
        return pcap == null ? link : new TappedLink(link, pcap);
    }

    /** Outermost: a packet the faults drop is never captured, a delayed one is captured when it leaves. */
    private static Link faulty(Link link, List<FaultLink> faultLinks) {
        FaultLink f = new FaultLink(link);
        faultLinks.add(f);
        return f;
    }

    /**
     * Applies {@code spec} to every link of this runtime, on the stack thread, and returns once it is in effect; the
     * counters ({@link #faultCounters()}) start again from zero. A spec without a seed uses the {@code seed} key,
     * else the seed chosen at boot ({@link #faults()} shows it).
     *
     * @throws IllegalStateException for a runtime built from a given {@link NetStack} (it has no fault links)
     */
    public void setFaults(FaultSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        if (faultLinks.isEmpty()) {
            throw new IllegalStateException("this modtcp runtime has no fault links (built from a given NetStack)");
        }
        stack.callUnchecked(() -> {
            applyFaults(spec);
            return null;
        });
    }

    /** Stack thread (or before it starts). */
    private void applyFaults(FaultSpec spec) {
        FaultSpec seeded = spec.seed() != null ? spec : spec.withSeed(faultSeed);
        for (FaultLink f : faultLinks) {
            f.configure(seeded.model(), seeded.seed(), seeded.pureAcks());
        }
        retransmitsAtFaultSet = stack.counters().get(Counter.TCP_RETRANS_SEGS);
        faults = seeded;
    }

    /** The faults in effect, with the seed of their draws. */
    public FaultSpec faults() {
        return faults;
    }

    /** The fault counters of every link since the faults were last set, and the retransmissions since. */
    public FaultCounters faultCounters() {
        long sent = 0;
        long lost = 0;
        long duplicated = 0;
        long reordered = 0;
        long corrupted = 0;
        long queueDrops = 0;
        long fingerprint = 0;
        long lostFirstSends = 0;
        for (FaultLink f : faultLinks) {
            lostFirstSends += f.lostFirstSends();
            fingerprint += f.lostFingerprint();
            LinkStats s = f.stats();
            sent += s.sent();
            lost += s.lost();
            duplicated += s.duplicated();
            reordered += s.reordered();
            corrupted += s.corrupted();
            queueDrops += s.queueDrops();
        }
        long retransmits = stack.counters().get(Counter.TCP_RETRANS_SEGS) - retransmitsAtFaultSet;
        return new FaultCounters(
                sent, lost, duplicated, reordered, corrupted, queueDrops, retransmits, lostFirstSends, fingerprint);
    }

    public NetStack stack() {
        return stack;
    }

    /**
     * A new socket for the JDK-facing classes. Its blocked calls ignore interrupts, as the JDK's do: a channel's
     * blocked call ends because the interrupt closes the channel ({@code ClosedByInterruptException}), and a
     * {@code java.net.Socket}'s is not interruptible.
     */
    TcpSocket openSocket() {
        TcpSocket s = stack.openSocket();
        s.setInterruptible(false);
        return s;
    }

    public ModTcpConfig config() {
        return config;
    }

    /** A provider listener started listening ({@code on}) or closed; see {@link #routesToKernel(IpAddr, int)}. */
    void listening(TcpSocket listener, boolean on) {
        if (on) {
            listeners.add(listener);
        } else {
            listeners.remove(listener);
        }
    }

    /**
     * True when a connection to {@code dst:port} goes to the platform stack: a {@code kernel} prefix holds it, or it is
     * a loopback address (127.0.0.0/8, ::1) and {@code hostloopback} is {@code kernel}, or {@code auto} and no modtcp
     * listener of this runtime is bound to that address (or a wildcard that covers it) and port. A listener bound
     * after this decision does not get the connection (it went to the kernel).
     */
    boolean routesToKernel(IpAddr dst, int port) {
        if (config.routesToKernel(dst)) {
            return true;
        }
        if (!dst.isLoopback()) {
            return false;
        }
        switch (config.hostLoopback()) {
            case MODTCP:
                return false;
            case KERNEL:
                kernelLoopbackConnects.increment();
                return true;
            default:
                for (TcpSocket l : listeners) {
                    IpAddr a = l.localAddress();
                    if (l.localPort() == port
                            && l.isListening()
                            && a != null
                            && (a.equals(dst) || (a.isAnyLocal() && (!a.isV4() || dst.isV4())))) {
                        return false;
                    }
                }
                kernelLoopbackConnects.increment();
                return true;
        }
    }

    /** One line of figures: what the provider opened and what the stack carried. */
    public String status() {
        return "modtcp: socketChannels=" + socketChannels.sum() + " serverChannels=" + serverChannels.sum()
                + " selectors=" + selectors.sum() + " socketImpls=" + socketImpls.sum() + " tcpActiveOpens="
                + stack.counters().get(Counter.TCP_ACTIVE_OPENS) + " tcpPassiveOpens="
                + stack.counters().get(Counter.TCP_PASSIVE_OPENS) + " tcpInSegs="
                + stack.counters().get(Counter.TCP_IN_SEGS) + " tcpOutSegs="
                + stack.counters().get(Counter.TCP_OUT_SEGS) + " kernelLoopbackConnects="
                + kernelLoopbackConnects.sum();
    }

    /**
     * Starts the JMX connector that {@code java -jar modtcp-agent.jar ss <pid>} reads the MBeans through, once, and
     * returns its address (also in the system property {@code io.modtcp.jmx.address}). See docs/observability.md.
     */
    public static String startJmxConnector() throws Exception {
        ModTcpRuntime r = instance;
        if (r != null) {
            r.setUpObservability(null); // the MBean is there before the connector's address is handed out
        }
        return Management.startConnector();
    }

    Thread stackThread() {
        return thread.thread();
    }

    /**
     * Stops the stack thread and closes the stack with its links (open sockets then fail as closed). For runtimes from
     * {@link #start}; the process-wide one refuses, as the JVM's sockets depend on it.
     */
    @Override
    public void close() {
        if (this == instance) {
            throw new IllegalStateException("the process-wide modtcp runtime lives as long as the JVM");
        }
        synchronized (this) {
            closed = true;
            closeQuietly(mbean);
            closeQuietly(flightRecorder);
        }
        thread.close();
        stack.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "modtcp: " + e, e);
            }
        }
    }
}

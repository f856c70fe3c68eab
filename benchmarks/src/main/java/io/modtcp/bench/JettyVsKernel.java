package io.modtcp.bench;

import io.modtcp.tun.Netns;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Unmodified server programs on the kernel's TCP next to the same programs on modtcp over a TUN device, under the same
 * load, in one run (root; all traffic inside network namespaces this program creates and deletes):
 *
 * <ol>
 *   <li><b>Jetty and wrk</b>: the {@code JettyHello} sample answering {@code wrk --latency} ({@code GET /bytes/N}):
 *       requests/s and the latency percentiles;
 *   <li><b>connections per second</b>: the {@code Echo} sample (a {@code ServerSocket}, a thread per connection) and
 *       {@link ConnectLoad} (threads that connect, exchange 8 bytes and close, on the kernel);
 *   <li><b>memory per idle connection</b>: {@link IdleServer} (NIO, one selector) holding N connections that
 *       {@link IdleClient} opened from the kernel; heap after a full GC before and after, per connection, and for the
 *       kernel server the socket slabs the kernel allocated.
 * </ol>
 *
 * <p>Kernel case: the server JVM (no agent) in namespace A at {@value #SERVER}/24, the client in namespace B at
 * {@value #CLIENT}/24, joined by a veth pair. modtcp case: the server JVM with {@code
 * -javaagent:modtcp-agent.jar=tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1} in namespace C, which holds the
 * persistent TUN device {@code mt0} (kernel side {@value #TUN_KERNEL}/24, MTU {@value #MTU}); the client runs in C on
 * the kernel. The samples run from {@code samples/target} exactly as built.
 *
 * <p>Options (in {@code -Dbench.args="..."}): {@code --seconds 15 --warmup 5 --threads 2 --connections 50 --body 1024
 * --cps-seconds 10 --cps-threads 4 --idle 10000 --idle-threads 4 --idle-xmx 2g --java PATH --agent-args KEY=VALUE,...
 * --only jetty,cps,idle}. The environment variable {@value #MODTCP_JVM_ARGS_ENV} adds JVM arguments to the modtcp
 * servers (a profiler agent: docs/benchmarks.md).
 *
 * <p>Longer than the ~700 lines STYLE.md aims at: a benchmark driver, not product code. Each row is a short method,
 * and most of the length is the set-up and clean-up of the namespaces, devices and processes of both cases, kept in
 * one file so that what a figure measured can be read in one place.
 */
public final class JettyVsKernel {
    static final String SERVER = "198.51.100.2";
    static final String CLIENT = "198.51.100.1";
    static final String TUN_KERNEL = "192.0.2.1";
    static final String TUN_MODTCP = "192.0.2.2";
    static final String DEVICE = "mt0";
    static final int MTU = 1500;
    static final String AGENT_ARGS =
            "tun=" + DEVICE + ",address=" + TUN_MODTCP + "/24,gateway=" + TUN_KERNEL + ",mtu=" + MTU;
    static final int HTTP_PORT = 8080;
    static final int ECHO_PORT = 7007;
    static final int IDLE_PORT = 7100;
    static final int RR_PORT = 7010;
    static final int BULK_PORT = 7200;
    static final List<String> PARTS = List.of("bulk", "rr", "jetty", "cps", "idle", "loopback");
    private static final String USAGE = "JettyVsKernel [--seconds 15] [--warmup 5] [--threads 2] [--connections 50]"
            + " [--body 1024] [--cps-seconds 10] [--cps-threads 4] [--idle 10000] [--idle-threads 4] [--idle-xmx 2g]"
            + " [--bulk-mb 1024] [--bulk-warmup-mb 128] [--rr 20000] [--rr-warmup 5000] [--loopback-mb 1024]"
            + " [--out benchmarks/target/bench-table.md] [--java PATH] [--agent-args KEY=VALUE,...] [--only "
            + String.join(",", PARTS) + "]";

    /**
     * Extra JVM arguments of every server JVM on modtcp, separated by spaces (e.g. a profiler's {@code -agentpath:});
     * {@code {name}} in them becomes the run's name ({@code rr-modtcp-pinned}, {@code jetty-modtcp}, ...).
     */
    static final String MODTCP_JVM_ARGS_ENV = "BENCH_MODTCP_JVM_ARGS";

    /** The wrk script: exact figures (microseconds) from {@code done()}, next to wrk's own {@code --latency} text. */
    private static final String WRK_LUA = String.join(
            "\n",
            "done = function(summary, latency, requests)",
            "  io.write(string.format(\"bench-result requests=%.0f duration_us=%.0f bytes=%.0f connect=%.0f"
                    + " read=%.0f write=%.0f status=%.0f timeout=%.0f mean_us=%.1f max_us=%.0f p50_us=%.0f"
                    + " p75_us=%.0f p90_us=%.0f p99_us=%.0f\\n\",",
            "    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,",
            "    summary.errors.write, summary.errors.status, summary.errors.timeout, latency.mean, latency.max,",
            "    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99)))",
            "end",
            "");

    private JettyVsKernel() {}

    /** The options, with their defaults. */
    static final class Options {
        int seconds = 15;
        int warmup = 5;
        int threads = 2;
        int connections = 50;
        int body = 1024;
        int cpsSeconds = 10;
        int cpsThreads = 4;
        int idle = 10_000;
        int idleThreads = 4;
        String idleXmx = "2g";
        int bulkMb = 1024;
        int bulkWarmupMb = 128;
        int rr = 20_000;
        int rrWarmup = 5_000;
        int loopbackMb = 1024;
        String out = "benchmarks/target/bench-table.md";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        /** Appended to {@link #AGENT_ARGS} for every modtcp server (e.g. {@code offload=off}); empty: none. */
        String agentArgs = "";

        Set<String> parts = new LinkedHashSet<>(PARTS);

        static Options parse(String[] args) {
            // exec:exec passes -Dbench.args as one argument: split it
            String[] a = String.join(" ", args).trim().split("\\s+");
            Options o = new Options();
            for (int i = 0; i < a.length; i++) {
                if (a[i].isEmpty()) {
                    continue;
                }
                if (!a[i].startsWith("--") || i + 1 >= a.length) {
                    throw new IllegalArgumentException("bad argument `" + a[i] + "`");
                }
                String v = a[++i];
                switch (a[i - 1]) {
                    case "--seconds" -> o.seconds = positive(v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--threads" -> o.threads = positive(v);
                    case "--connections" -> o.connections = positive(v);
                    case "--body" -> o.body = Integer.parseInt(v);
                    case "--cps-seconds" -> o.cpsSeconds = positive(v);
                    case "--cps-threads" -> o.cpsThreads = positive(v);
                    case "--idle" -> o.idle = positive(v);
                    case "--idle-threads" -> o.idleThreads = positive(v);
                    case "--idle-xmx" -> o.idleXmx = v;
                    case "--bulk-mb" -> o.bulkMb = positive(v);
                    case "--bulk-warmup-mb" -> o.bulkWarmupMb = Integer.parseInt(v);
                    case "--rr" -> o.rr = positive(v);
                    case "--rr-warmup" -> o.rrWarmup = Integer.parseInt(v);
                    case "--loopback-mb" -> o.loopbackMb = positive(v);
                    case "--out" -> o.out = v;
                    case "--java" -> o.java = v;
                    case "--agent-args" -> o.agentArgs = "," + v;
                    case "--only" -> {
                        o.parts = new LinkedHashSet<>(List.of(v.split(",")));
                        if (!PARTS.containsAll(o.parts)) {
                            throw new IllegalArgumentException("--only takes " + String.join(",", PARTS));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a[i - 1]);
                }
            }
            if (o.connections < o.threads) {
                throw new IllegalArgumentException("wrk needs --connections >= --threads");
            }
            return o;
        }

        private static int positive(String v) {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new IllegalArgumentException(v + " must be positive");
            }
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("JettyVsKernel: " + e.getMessage() + "\nusage: " + USAGE);
            System.exit(2);
            return;
        }
        Path repo = repo();
        Path agent = repo.resolve("provider/target/modtcp-agent.jar");
        Path samplesJar = repo.resolve("samples/target/modtcp-samples-0.1.0-SNAPSHOT.jar");
        Path samplesLib = repo.resolve("samples/target/lib");
        List<String> missing = new ArrayList<>(Netns.missingCapabilities("wrk", "curl", "sysctl", "ss", "taskset"));
        for (Path p : List.of(agent, samplesJar, samplesLib)) {
            if (!Files.exists(p)) {
                missing.add("no " + p + " (build first: mvn -q -B install -DskipTests)");
            }
        }
        if (!Files.isExecutable(Path.of(o.java))) {
            missing.add("no java at " + o.java);
        }
        if (!missing.isEmpty()) {
            System.err.println("JettyVsKernel cannot run here:\n  - " + String.join("\n  - ", missing)
                    + "\nIt needs root (network namespaces, a TUN device), /dev/net/tun, iproute2 (ip, ss), wrk, curl,"
                    + " sysctl and taskset; nothing was changed on this machine.");
            System.exit(2);
            return;
        }
        Bench bench = new Bench(o, agent, samplesClassPath(samplesJar, samplesLib), benchClassPath());
        System.out.println("JettyVsKernel: " + String.join(" ", args).trim());
        bench.loadStart = loadAverage();
        bench.machine = Runtime.getRuntime().availableProcessors() + " CPUs, server and client JVMs " + o.java
                + " (this program on Java " + System.getProperty("java.version") + ")";
        System.out.println("machine: " + bench.machine + ", load average " + bench.loadStart);
        long t0 = System.nanoTime();
        int rc = 0;
        try (Net net = Net.create()) {
            bench.run(net);
        } catch (Exception e) {
            System.out.println();
            System.out.println("JettyVsKernel FAILED: " + e);
            e.printStackTrace(System.out);
            rc = 1;
        }
        if (o.parts.contains("loopback") && rc == 0) {
            try {
                bench.loopback();
            } catch (Exception e) {
                System.out.println("loopback FAILED: " + e);
                e.printStackTrace(System.out);
                rc = 1;
            }
        }
        System.out.println();
        bench.printSummary();
        bench.loadEnd = loadAverage();
        bench.seconds = (System.nanoTime() - t0) / 1e9;
        String table = bench.goalTable();
        System.out.println(table);
        Path out = repo.resolve(o.out);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);
        System.out.printf(
                Locale.ROOT,
                "took %.0f s; load average at the end %s; namespaces deleted; table written to %s%n",
                bench.seconds,
                bench.loadEnd,
                out);
        System.exit(rc);
    }

    /** The repository root: {@code -Dmodtcp.repo}, else two levels above this class's {@code target/classes}. */
    private static Path repo() throws URISyntaxException {
        String prop = System.getProperty("modtcp.repo");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path classes = Path.of(JettyVsKernel.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        return classes.getParent().getParent().getParent();
    }

    /** The class path of the helper programs: this module's classes only (they use nothing but the JDK). */
    private static String benchClassPath() throws URISyntaxException {
        return Path.of(JettyVsKernel.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }

    private static String samplesClassPath(Path jar, Path lib) throws IOException {
        List<String> cp = new ArrayList<>();
        cp.add(jar.toString());
        try (Stream<Path> jars = Files.list(lib)) {
            jars.map(Path::toString).filter(s -> s.endsWith(".jar")).sorted().forEach(cp::add);
        }
        return String.join(File.pathSeparator, cp);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The three namespaces: {@link #server} (A) and {@link #client} (B) joined by a veth pair, {@link #tun} (C) with
     * the TUN device. In both client namespaces the ephemeral port range is widened and TIME-WAIT reuse turned on, so a
     * few seconds of connect/close cannot run out of ports.
     */
    static final class Net implements AutoCloseable {
        final List<Netns> all = new ArrayList<>();
        Netns server;
        Netns client;
        Netns tun;

        static Net create() throws IOException {
            Net net = new Net();
            try {
                net.server = net.add(Netns.create());
                net.client = net.add(Netns.create());
                net.tun = net.add(Netns.create());
                net.server.ip(
                        "link", "add", "vsrv0", "type", "veth", "peer", "name", "vcli0", "netns", net.client.name());
                net.server.ip("addr", "add", SERVER + "/24", "dev", "vsrv0");
                net.server.ip("link", "set", "vsrv0", "mtu", Integer.toString(MTU), "up");
                net.client.ip("addr", "add", CLIENT + "/24", "dev", "vcli0");
                net.client.ip("link", "set", "vcli0", "mtu", Integer.toString(MTU), "up");
                net.tun.addTun(DEVICE, TUN_KERNEL + "/24", MTU);
                for (Netns ns : List.of(net.client, net.tun)) {
                    ns.run(Duration.ofSeconds(10), "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535");
                    ns.run(Duration.ofSeconds(10), "sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1");
                }
                System.out.println("namespaces: A " + net.server.name() + " (kernel servers, vsrv0 " + SERVER
                        + "/24), B " + net.client.name() + " (kernel-case clients, vcli0 " + CLIENT + "/24), C "
                        + net.tun.name() + " (" + DEVICE + " " + TUN_KERNEL + "/24 mtu " + MTU
                        + ": modtcp servers at " + TUN_MODTCP + " and their clients)");
                return net;
            } catch (IOException | RuntimeException e) {
                net.close();
                throw e;
            }
        }

        private Netns add(Netns ns) {
            all.add(ns);
            return ns;
        }

        @Override
        public void close() {
            for (Netns ns : all) {
                ns.close();
            }
        }
    }

    /** wrk's figures: {@code bench-result} from the Lua {@code done()}. */
    record Wrk(Map<String, Double> f, String text) {
        static Wrk parse(String text) throws IOException {
            Matcher m = Pattern.compile("bench-result ((?:\\w+=[\\d.]+ ?)+)").matcher(text);
            if (!m.find()) {
                throw new IOException("no bench-result line in wrk's output:\n" + text);
            }
            Map<String, Double> f = new LinkedHashMap<>();
            for (String kv : m.group(1).trim().split(" ")) {
                String[] p = kv.split("=");
                f.put(p[0], Double.parseDouble(p[1]));
            }
            return new Wrk(f, text);
        }

        double rps() {
            return f.get("requests") / (f.get("duration_us") / 1e6);
        }

        double get(String k) {
            return f.get(k);
        }

        String errors() {
            long socket = (long) (get("connect") + get("read") + get("write") + get("timeout"));
            return socket == 0 && get("status") == 0
                    ? "none"
                    : String.format(
                            Locale.ROOT,
                            "socket errors connect %.0f, read %.0f, write %.0f, timeout %.0f; non-2xx/3xx %.0f",
                            get("connect"),
                            get("read"),
                            get("write"),
                            get("timeout"),
                            get("status"));
        }
    }

    record Cps(long connections, long errors, double perSecond, long p50us, long p99us, String errorKinds) {}

    /** One bulk transfer: the client's rate and the server JVM's CPU time over it. */
    record BulkRun(long bytes, double secs, double mbit, long serverCpuNs) {
        double gbit() {
            return mbit / 1000;
        }

        /** The server JVM's CPU seconds per GB (10^9 bytes) moved. */
        double cpuSecondsPerGb() {
            return serverCpuNs / 1e9 / (bytes / 1e9);
        }
    }

    /** 1-byte round trips: median, 99th percentile and mean, in microseconds. */
    record Rr(double medianUs, double p99Us, double meanUs) {}

    /** In-JVM loopback (modtcp provider) against the platform's loopback, and the stack thread's allocation. */
    record Loopback(double platformMBs, double modtcpMBs, double stackBytesPerSegment, double directMBs) {}

    /** The idle-connection figures of one server. */
    record Idle(
            int open,
            double connectSeconds,
            Map<String, Long> before,
            Map<String, Long> after,
            Slabs.Delta slabs,
            String sockstatServer,
            String sockstatClient) {
        long perConnection(String key) {
            long scale = key.endsWith("_kb") ? 1024 : 1;
            return open == 0 ? 0 : (after.get(key) - before.get(key)) * scale / open;
        }
    }

    /** Runs the parts and keeps their results for {@link #printSummary}. */
    static final class Bench {
        final Options o;
        final Path agent;
        final String samplesCp;
        final String benchCp;
        Wrk jettyKernel;
        Wrk jettyModtcp;
        Cps cpsKernel;
        Cps cpsModtcp;
        Idle idleKernel;
        Idle idleModtcp;
        /** Keys: kernel, modtcp (offload on), modtcp-off; then {@code -D} (server sends) or {@code -U}. */
        final Map<String, BulkRun> bulk = new LinkedHashMap<>();
        /** Keys: kernel, modtcp, kernel-pinned, modtcp-pinned. */
        final Map<String, Rr> rr = new LinkedHashMap<>();

        Loopback loopback;
        String machine = "";
        String loadStart = "";
        String loadEnd = "";
        double seconds;

        Bench(Options o, Path agent, String samplesCp, String benchCp) {
            this.o = o;
            this.agent = agent;
            this.samplesCp = samplesCp;
            this.benchCp = benchCp;
        }

        void run(Net net) throws Exception {
            if (o.parts.contains("bulk")) {
                bulk(net, "kernel", null);
                bulk(net, "modtcp", agentArgs());
                bulk(net, "modtcp-off", agentArgs() + ",offload=off");
            }
            if (o.parts.contains("rr")) {
                for (boolean pinned : new boolean[] {false, true}) {
                    rr.put("kernel" + (pinned ? "-pinned" : ""), rr(net, false, pinned));
                    rr.put("modtcp" + (pinned ? "-pinned" : ""), rr(net, true, pinned));
                }
            }
            if (o.parts.contains("jetty")) {
                Path lua = Files.createTempFile("jetty-vs-kernel-", ".lua");
                try {
                    Files.writeString(lua, WRK_LUA, StandardCharsets.UTF_8);
                    jettyKernel = jetty(net, false, lua);
                    jettyModtcp = jetty(net, true, lua);
                } finally {
                    Files.deleteIfExists(lua);
                }
            }
            if (o.parts.contains("cps")) {
                cpsKernel = cps(net, false);
                cpsModtcp = cps(net, true);
            }
            if (o.parts.contains("idle")) {
                idleKernel = idle(net, false);
                idleModtcp = idle(net, true);
            }
        }

        private List<String> java(boolean modtcp, String xmx, String cp) {
            return java(modtcp ? agentArgs() : null, xmx, cp, false);
        }

        /** The agent arguments of a modtcp server: the TUN link and {@code --agent-args}. */
        private String agentArgs() {
            return AGENT_ARGS + o.agentArgs;
        }

        /** A JVM command: with the agent when {@code agentArgs} is not null, on CPU 0 only when {@code pinned}. */
        private List<String> java(String agentArgs, String xmx, String cp, boolean pinned) {
            List<String> cmd = new ArrayList<>();
            if (pinned) {
                cmd.addAll(List.of("taskset", "-c", "0"));
            }
            cmd.addAll(List.of(o.java, "-Xmx" + xmx));
            if (agentArgs != null) {
                String extra = System.getenv(MODTCP_JVM_ARGS_ENV);
                if (extra != null && !extra.isBlank()) {
                    cmd.addAll(List.of(extra.trim().split("\\s+")));
                }
                cmd.add("-javaagent:" + agent + "=" + agentArgs);
            }
            cmd.add("-cp");
            cmd.add(cp);
            return cmd;
        }

        /**
         * Bulk both ways against {@link BulkPeer}'s server on the kernel ({@code agentArgs} null: namespace A, client
         * in B over the veth pair) or on modtcp (namespace C, client on the kernel side of the TUN device): a
         * warm-up transfer each way, then one measured transfer each way.
         */
        void bulk(Net net, String key, String agentArgs) throws Exception {
            boolean modtcp = agentArgs != null;
            Netns serverNs = modtcp ? net.tun : net.server;
            Netns clientNs = modtcp ? net.tun : net.client;
            String host = modtcp ? TUN_MODTCP : SERVER;
            System.out.println();
            System.out.println("== Bulk on " + key + ": BulkPeer server at " + host + ":" + BULK_PORT
                    + ", BulkPeer client (kernel) in namespace " + clientNs.name() + ", " + o.bulkMb + " MiB each way");
            List<String> cmd = java(agentArgs, "1g", benchCp, false);
            cmd.addAll(List.of(BulkPeer.class.getName(), "server", host, Integer.toString(BULK_PORT)));
            try (Child server = Child.start(serverNs, "bulk-" + key, cmd)) {
                Matcher m = server.await("bulk-server listening on \\S+ provider=(\\S+)", 90_000);
                checkStack(modtcp, m.group(1), server);
                for (String dir : List.of("D", "U")) {
                    if (o.bulkWarmupMb > 0) {
                        transfer(server, clientNs, host, key, dir, o.bulkWarmupMb);
                    }
                    BulkRun r = transfer(server, clientNs, host, key, dir, o.bulkMb);
                    System.out.printf(
                            Locale.ROOT,
                            "  %s %s: %.2f Gbit/s, server JVM %.2f CPU s per GB%n",
                            key,
                            dir.equals("D") ? "download (server sends)" : "upload (server receives)",
                            r.gbit(),
                            r.cpuSecondsPerGb());
                    bulk.put(key + "-" + dir, r);
                }
            }
        }

        private BulkRun transfer(Child server, Netns clientNs, String host, String key, String dir, int mb)
                throws Exception {
            int mark = server.mark();
            List<String> client = java(null, "512m", benchCp, false);
            client.addAll(List.of(
                    BulkPeer.class.getName(), "client", host, Integer.toString(BULK_PORT), dir, Integer.toString(mb)));
            try (Child c = Child.start(clientNs, "bulk-client-" + key + "-" + dir, client)) {
                int rc = c.waitFor(300_000);
                Matcher r = c.await("bulk-client dir=. bytes=(\\d+) secs=([\\d.]+) mbit=([\\d.]+)", 1000);
                if (rc != 0) {
                    throw new IOException("BulkPeer client exited with " + rc + ":\n" + c.output());
                }
                Matcher s =
                        server.await(mark, "bulk-server dir=" + dir + " bytes=(\\d+) secs=\\S+ cpu_ns=(\\d+)", 60_000);
                long bytes = Long.parseLong(r.group(1));
                if (Long.parseLong(s.group(1)) != bytes) {
                    throw new IOException("server moved " + s.group(1) + " bytes, the client " + bytes);
                }
                return new BulkRun(
                        bytes,
                        Double.parseDouble(r.group(2)),
                        Double.parseDouble(r.group(3)),
                        Long.parseLong(s.group(2)));
            }
        }

        /** 1-byte round trips from {@link RrClient} (kernel) to the {@code Echo} sample; pinned: both on CPU 0. */
        Rr rr(Net net, boolean modtcp, boolean pinned) throws Exception {
            Netns serverNs = modtcp ? net.tun : net.server;
            Netns clientNs = modtcp ? net.tun : net.client;
            String host = modtcp ? TUN_MODTCP : SERVER;
            int port = RR_PORT + (pinned ? 1 : 0);
            String name = "rr-" + label(modtcp) + (pinned ? "-pinned" : "");
            System.out.println();
            System.out.println("== 1-byte round trips on " + label(modtcp)
                    + (pinned ? ", server and client on CPU 0" : "") + ": Echo server at " + host + ":" + port
                    + ", RrClient (kernel) in namespace " + clientNs.name());
            List<String> cmd = java(modtcp ? agentArgs() : null, "1g", samplesCp, pinned);
            cmd.addAll(List.of("io.modtcp.samples.Echo", "server", "--host", host, "--port", Integer.toString(port)));
            try (Child server = Child.start(serverNs, name, cmd)) {
                Matcher m = server.await("echo listening on \\S+ provider=(\\S+)", 90_000);
                checkStack(modtcp, m.group(1), server);
                List<String> client = java(null, "512m", benchCp, pinned);
                client.addAll(List.of(
                        RrClient.class.getName(),
                        host,
                        Integer.toString(port),
                        Integer.toString(o.rr),
                        Integer.toString(o.rrWarmup)));
                try (Child c = Child.start(clientNs, name + "-client", client)) {
                    int rc = c.waitFor(300_000);
                    Matcher r = c.await("rr count=\\d+ median_us=([\\d.]+) p99_us=([\\d.]+) mean_us=([\\d.]+)", 1000);
                    if (rc != 0) {
                        throw new IOException("RrClient exited with " + rc + ":\n" + c.output());
                    }
                    Rr result = new Rr(
                            Double.parseDouble(r.group(1)),
                            Double.parseDouble(r.group(2)),
                            Double.parseDouble(r.group(3)));
                    System.out.printf(
                            Locale.ROOT,
                            "  %s: median %.1f µs, p99 %.1f µs, mean %.1f µs%n",
                            name,
                            result.medianUs(),
                            result.p99Us(),
                            result.meanUs());
                    return result;
                }
            }
        }

        /**
         * In this JVM: bulk through the platform provider on 127.0.0.1 (the kernel's loopback) and through modtcp's
         * provider (its in-JVM loopback), the same blocking-channel code ({@link ProviderBench#bulk}); then the stack
         * thread's allocation per segment over a bulk transfer on the in-JVM loopback ({@link LoopbackBulk}).
         */
        void loopback() throws Exception {
            System.out.println();
            System.out.println(
                    "== In-JVM loopback bulk against the platform's loopback, " + o.loopbackMb + " MiB each");
            long bytes = (long) o.loopbackMb << 20;
            java.nio.channels.spi.SelectorProvider platform =
                    io.modtcp.provider.ModTcpSelectorProvider.platformProvider();
            if (platform == null) {
                throw new IllegalStateException("run with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
            }
            io.modtcp.provider.ModTcpSelectorProvider modtcp = new io.modtcp.provider.ModTcpSelectorProvider();
            ProviderBench.bulk(platform, Math.min(bytes, 256L << 20)); // warm-up
            double p = ProviderBench.bulk(platform, bytes);
            ProviderBench.bulk(modtcp, Math.min(bytes, 256L << 20));
            double m = ProviderBench.bulk(modtcp, bytes);
            System.out.printf(Locale.ROOT, "  platform %.0f MB/s, modtcp %.0f MB/s%n", p, m);
            LoopbackBulk.Result warm = LoopbackBulk.run(Math.min(bytes, 256L << 20));
            LoopbackBulk.Result r = LoopbackBulk.run(bytes);
            System.out.printf(
                    Locale.ROOT,
                    "  TcpSocket on the in-JVM loopback: %.0f MB/s (warm-up %.0f), allocation per segment: stack"
                            + " thread %.1f B, writer %.1f B, reader %.1f B%n",
                    r.mbPerSecond(),
                    warm.mbPerSecond(),
                    r.stackBytesPerSegment(),
                    r.writerBytesPerSegment(),
                    r.readerBytesPerSegment());
            loopback = new Loopback(p, m, r.stackBytesPerSegment(), r.mbPerSecond());
        }

        private static String label(boolean modtcp) {
            return modtcp ? "modtcp" : "kernel";
        }

        /** The server really is on the stack it should be: the provider it printed, and modtcp on mt0. */
        private static void checkStack(boolean modtcp, String provider, Child server) throws IOException {
            boolean onModtcp = provider.startsWith("io.modtcp.");
            if (onModtcp != modtcp) {
                throw new IOException(server.name + " runs on " + provider + ", expected " + label(modtcp));
            }
            if (modtcp && !server.output().matches("(?s).*modtcp stack up: .*" + DEVICE + " " + TUN_MODTCP + "/24.*")) {
                throw new IOException(server.name + ": no `modtcp stack up: ... " + DEVICE + " " + TUN_MODTCP
                        + "/24` line:\n" + server.output());
            }
        }

        private List<String> wrk(int seconds, Path lua, String url) {
            return List.of(
                    "wrk",
                    "-t" + o.threads,
                    "-c" + o.connections,
                    "-d" + seconds + "s",
                    "--timeout",
                    "5s",
                    "--latency",
                    "-s",
                    lua.toString(),
                    url);
        }

        Wrk jetty(Net net, boolean modtcp, Path lua) throws Exception {
            Netns serverNs = modtcp ? net.tun : net.server;
            Netns clientNs = modtcp ? net.tun : net.client;
            String host = modtcp ? TUN_MODTCP : SERVER;
            System.out.println();
            System.out.println("== Jetty on " + label(modtcp) + ": JettyHello at " + host + ":" + HTTP_PORT
                    + ", wrk in namespace " + clientNs.name());
            List<String> cmd = java(modtcp, "1g", samplesCp);
            cmd.addAll(List.of("io.modtcp.samples.JettyHello", "--host", host, "--port", Integer.toString(HTTP_PORT)));
            try (Child server = Child.start(serverNs, "jetty-" + label(modtcp), cmd)) {
                Matcher m = server.await("jetty listening on \\S+ .*provider=(\\S+)", 90_000);
                checkStack(modtcp, m.group(1), server);
                String url = "http://" + host + ":" + HTTP_PORT + "/bytes/" + o.body;
                String probe = clientNs.run(
                                Duration.ofSeconds(30),
                                "curl",
                                "-sS",
                                "-o",
                                "/dev/null",
                                "-w",
                                "%{http_code} %{size_download}",
                                url)
                        .trim();
                if (!probe.equals("200 " + o.body)) {
                    throw new IOException("curl " + url + ": expected `200 " + o.body + "`, got `" + probe + "`");
                }
                if (o.warmup > 0) {
                    Wrk w = Wrk.parse(clientNs.run(
                            Duration.ofSeconds(o.warmup + 60L),
                            wrk(o.warmup, lua, url).toArray(String[]::new)));
                    System.out.printf(
                            Locale.ROOT, "  warm-up %d s: %.0f requests/s (%s)%n", o.warmup, w.rps(), w.errors());
                }
                List<String> run = wrk(o.seconds, lua, url);
                System.out.println("  $ " + String.join(" ", run));
                Wrk w = Wrk.parse(clientNs.run(Duration.ofSeconds(o.seconds + 60L), run.toArray(String[]::new)));
                for (String line : w.text().split("\n")) {
                    if (!line.startsWith("bench-result")) {
                        System.out.println("  | " + line);
                    }
                }
                printStates(serverNs, clientNs);
                return w;
            }
        }

        Cps cps(Net net, boolean modtcp) throws Exception {
            Netns serverNs = modtcp ? net.tun : net.server;
            Netns clientNs = modtcp ? net.tun : net.client;
            String host = modtcp ? TUN_MODTCP : SERVER;
            int warmup = 2;
            System.out.println();
            System.out.println("== Connections/s on " + label(modtcp) + ": Echo server at " + host + ":" + ECHO_PORT
                    + ", ConnectLoad (" + o.cpsThreads + " threads, kernel) in namespace " + clientNs.name());
            List<String> cmd = java(modtcp, "1g", samplesCp);
            cmd.addAll(
                    List.of("io.modtcp.samples.Echo", "server", "--host", host, "--port", Integer.toString(ECHO_PORT)));
            try (Child server = Child.start(serverNs, "echo-" + label(modtcp), cmd)) {
                Matcher m = server.await("echo listening on \\S+ provider=(\\S+)", 90_000);
                checkStack(modtcp, m.group(1), server);
                List<String> client = java(false, "512m", benchCp);
                client.addAll(List.of(
                        ConnectLoad.class.getName(),
                        host,
                        Integer.toString(ECHO_PORT),
                        Integer.toString(o.cpsSeconds),
                        Integer.toString(o.cpsThreads),
                        Integer.toString(warmup)));
                try (Child load = Child.start(clientNs, "connect-" + label(modtcp), client)) {
                    int rc = load.waitFor((o.cpsSeconds + warmup + 60L) * 1000);
                    Matcher r = load.await(
                            "connect-load connections=(\\d+) errors=(\\d+) seconds=\\S+ per_second=([\\d.]+)"
                                    + " p50_us=(\\d+) p99_us=(\\d+)",
                            1000);
                    if (rc != 0) {
                        throw new IOException("ConnectLoad exited with " + rc + ":\n" + load.output());
                    }
                    printStates(serverNs, clientNs);
                    StringBuilder kinds = new StringBuilder();
                    Matcher e = Pattern.compile("connect-load error (.*)").matcher(load.output());
                    while (e.find()) {
                        kinds.append(kinds.length() == 0 ? "" : "; ").append(e.group(1));
                    }
                    long serverFailures = server.output()
                            .lines()
                            .filter(l -> l.startsWith("echo connection failed"))
                            .count();
                    if (serverFailures > 0) {
                        kinds.append(kinds.length() == 0 ? "" : "; ")
                                .append("server: ")
                                .append(serverFailures)
                                .append(" echo connection failed");
                    }
                    return new Cps(
                            Long.parseLong(r.group(1)),
                            Long.parseLong(r.group(2)),
                            Double.parseDouble(r.group(3)),
                            Long.parseLong(r.group(4)),
                            Long.parseLong(r.group(5)),
                            kinds.toString());
                }
            }
        }

        Idle idle(Net net, boolean modtcp) throws Exception {
            Netns serverNs = modtcp ? net.tun : net.server;
            Netns clientNs = modtcp ? net.tun : net.client;
            String host = modtcp ? TUN_MODTCP : SERVER;
            System.out.println();
            System.out.println("== " + o.idle + " idle connections on " + label(modtcp) + ": IdleServer at " + host
                    + ":" + IDLE_PORT + " (-Xmx" + o.idleXmx + "), IdleClient (" + o.idleThreads
                    + " threads, kernel) in namespace " + clientNs.name());
            List<String> cmd = java(modtcp, o.idleXmx, benchCp);
            cmd.addAll(List.of(IdleServer.class.getName(), host, Integer.toString(IDLE_PORT)));
            try (Child server = Child.start(serverNs, "idle-server-" + label(modtcp), cmd)) {
                Matcher m = server.await("idle-server listening on \\S+ provider=(\\S+)", 90_000);
                checkStack(modtcp, m.group(1), server);
                Map<String, Long> before = measure(server, 1);
                List<String> client = java(false, "1g", benchCp);
                client.addAll(List.of(
                        IdleClient.class.getName(),
                        host,
                        Integer.toString(IDLE_PORT),
                        Integer.toString(o.idle),
                        Integer.toString(o.idleThreads)));
                try (Child holder = Child.start(clientNs, "idle-client-" + label(modtcp), client)) {
                    holder.await("idle-client ready", 60_000);
                    Slabs slabsBefore = Slabs.read();
                    long dropsBefore = modtcp ? tunDrops(serverNs) : 0;
                    holder.send("open");
                    Matcher r = holder.await("idle-client open=(\\d+) failed=(\\d+) seconds=([\\d.]+)", 300_000);
                    int open = Integer.parseInt(r.group(1));
                    int failed = Integer.parseInt(r.group(2));
                    long accepted = countUntil(server, open, 60_000);
                    if (accepted != open) {
                        throw new IOException(server.name + " holds " + accepted + " connections, the client " + open
                                + " (" + failed + " failed)");
                    }
                    Thread.sleep(1000); // the last ACKs, delayed-ACK timers
                    Slabs.Delta slabs = Slabs.read().minus(slabsBefore);
                    String sockServer = tcpLine(serverNs);
                    String sockClient = tcpLine(clientNs);
                    Map<String, Long> after = measure(server, 2);
                    long dropsOpen = modtcp ? tunDrops(serverNs) : 0;
                    System.out.println(
                            "  sockets in the server's namespace: " + sockServer + "; in the client's: " + sockClient);
                    System.out.println("  kernel socket slabs grew by " + slabs);
                    long closing = System.nanoTime();
                    holder.send("close");
                    holder.waitFor(60_000);
                    // a graceful end: the server sees every end of stream and closes its side (killing it earlier
                    // would leave the client's FINs unanswered, orphaned sockets retransmitting for minutes)
                    long left = countUntil(server, 0, 30_000);
                    System.out.printf(
                            Locale.ROOT,
                            "  the client closed them all; %.1f s later the server holds %d;",
                            (System.nanoTime() - closing) / 1e9,
                            left);
                    System.out.println(" "
                            + "kernel TCP sockets: client namespace " + tcpStates(clientNs)
                            + (serverNs == clientNs ? "" : ", server namespace " + tcpStates(serverNs)));
                    if (modtcp) {
                        long dropsClose = tunDrops(serverNs);
                        System.out.println("  " + DEVICE + " tx_dropped (kernel to modtcp, TUN queue full): "
                                + (dropsOpen - dropsBefore) + " while opening, " + (dropsClose - dropsOpen)
                                + " while closing (the kernel retransmits them)");
                    }
                    if (failed > 0) {
                        throw new IOException(holder.name + ": " + failed + " of " + o.idle + " connections failed:\n"
                                + holder.output());
                    }
                    return new Idle(open, Double.parseDouble(r.group(3)), before, after, slabs, sockServer, sockClient);
                }
            }
        }

        /** Packets the kernel dropped on their way to modtcp: the TUN device's transmit queue was full. */
        private static long tunDrops(Netns ns) throws IOException {
            return Long.parseLong(
                    ns.run(Duration.ofSeconds(10), "cat", "/sys/class/net/" + DEVICE + "/statistics/tx_dropped")
                            .trim());
        }

        /** Asks the server for its connection count until it is {@code target} or the time is up; the last count. */
        private static long countUntil(Child server, long target, long timeoutMs)
                throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            long n;
            for (int id = 100; ; id++) {
                int mark = server.mark();
                server.send("count " + id);
                n = Long.parseLong(server.await(mark, "idle-server count#" + id + " connections=(\\d+)", 10_000)
                        .group(1));
                if (n == target || System.currentTimeMillis() > deadline) {
                    return n;
                }
                Thread.sleep(200);
            }
        }

        private static Map<String, Long> measure(Child server, int id) throws IOException, InterruptedException {
            int mark = server.mark();
            server.send("measure " + id);
            Matcher m = server.await(mark, "idle-server measure#" + id + " ((?:\\w+=-?\\d+ ?)+)", 60_000);
            Map<String, Long> f = new LinkedHashMap<>();
            for (String kv : m.group(1).trim().split(" ")) {
                String[] p = kv.split("=");
                f.put(p[0], Long.parseLong(p[1]));
            }
            return f;
        }

        /**
         * The {@code TCP:} lines of /proc/net/sockstat and sockstat6 as the namespace sees them ({@code inuse} counts the
         * namespace's sockets, {@code alloc} and {@code mem} are machine-wide).
         */
        private static String tcpLine(Netns ns) throws IOException {
            return ns.run(Duration.ofSeconds(10), "cat", "/proc/net/sockstat", "/proc/net/sockstat6")
                    .lines()
                    .filter(l -> l.startsWith("TCP:") || l.startsWith("TCP6:"))
                    .map(String::trim)
                    .collect(java.util.stream.Collectors.joining(", "));
        }

        private static void printStates(Netns serverNs, Netns clientNs) throws IOException {
            if (serverNs == clientNs) {
                System.out.println("  kernel TCP sockets after the run (namespace " + clientNs.name() + "): "
                        + tcpStates(clientNs));
            } else {
                System.out.println("  kernel TCP sockets after the run: client namespace " + tcpStates(clientNs)
                        + ", server namespace " + tcpStates(serverNs));
            }
        }

        /** The namespace's TCP sockets counted by state ({@code ss -tan}), e.g. {@code TIME-WAIT 12000, LISTEN 1}. */
        static String tcpStates(Netns ns) throws IOException {
            Map<String, Integer> states = new java.util.TreeMap<>();
            for (String line : ns.run(Duration.ofSeconds(10), "ss", "-tanH").split("\n")) {
                if (!line.isBlank()) {
                    states.merge(line.trim().split("\\s+")[0], 1, Integer::sum);
                }
            }
            return states.isEmpty() ? "none" : states.toString();
        }

        void printSummary() {
            System.out.println("==================== kernel vs modtcp (" + MTU + " MTU; kernel over veth, modtcp over"
                    + " TUN) ====================");
            if (jettyKernel != null && jettyModtcp != null) {
                System.out.printf(
                        Locale.ROOT,
                        "Jetty 12 (JettyHello), wrk -t%d -c%d -d%ds --latency http://HOST:%d/bytes/%d (after %d s"
                                + " warm-up)%n",
                        o.threads,
                        o.connections,
                        o.seconds,
                        HTTP_PORT,
                        o.body,
                        o.warmup);
                row("", "kernel", "modtcp", "modtcp/kernel");
                rowFmt("requests/s", jettyKernel.rps(), jettyModtcp.rps());
                for (String p : List.of("p50", "p75", "p90", "p99")) {
                    double k = jettyKernel.get(p + "_us");
                    double m = jettyModtcp.get(p + "_us");
                    rowMs("latency " + p, k, m);
                }
                rowMs("latency mean", jettyKernel.get("mean_us"), jettyModtcp.get("mean_us"));
                row("requests", fmt(jettyKernel.get("requests")), fmt(jettyModtcp.get("requests")), "");
                System.out.println("  errors: kernel " + jettyKernel.errors() + "; modtcp " + jettyModtcp.errors());
                System.out.println();
            }
            if (cpsKernel != null && cpsModtcp != null) {
                System.out.printf(
                        Locale.ROOT,
                        "Connections/s: Echo sample (ServerSocket, thread per connection); client: %d kernel threads,"
                                + " connect + 8-byte echo + close, %d s%n",
                        o.cpsThreads,
                        o.cpsSeconds);
                row("", "kernel", "modtcp", "modtcp/kernel");
                rowFmt("connections/s", cpsKernel.perSecond(), cpsModtcp.perSecond());
                rowMs("per connection p50", cpsKernel.p50us(), cpsModtcp.p50us());
                rowMs("per connection p99", cpsKernel.p99us(), cpsModtcp.p99us());
                System.out.println("  errors: kernel " + errors(cpsKernel) + "; modtcp " + errors(cpsModtcp));
                System.out.println();
            }
            if (idleKernel != null && idleModtcp != null) {
                System.out.printf(
                        Locale.ROOT,
                        "Idle connections: IdleServer (NIO, one selector, -Xmx%s) holding %d / %d connections opened"
                                + " from the kernel in %.1f / %.1f s%n",
                        o.idleXmx,
                        idleKernel.open(),
                        idleModtcp.open(),
                        idleKernel.connectSeconds(),
                        idleModtcp.connectSeconds());
                row("bytes per connection", "kernel", "modtcp", "modtcp/kernel");
                long hk = idleKernel.perConnection("heap_used");
                long hm = idleModtcp.perConnection("heap_used");
                rowFmt("JVM heap (after full GC)", hk, hm);
                long rk = idleKernel.perConnection("rss_kb");
                long rm = idleModtcp.perConnection("rss_kb");
                long ck = idleKernel.perConnection("heap_committed");
                long cm = idleModtcp.perConnection("heap_committed");
                rowFmt("JVM heap committed growth", ck, cm);
                rowFmt("JVM process RSS growth", rk, rm);
                // kernel case: both ends' sockets are the kernel's; modtcp case: only the client's
                long kernelServer = idleKernel.open() == 0
                        ? 0
                        : (idleKernel.slabs().bytes() - idleModtcp.slabs().bytes()) / idleKernel.open();
                row("kernel socket slabs (server end)", fmt(kernelServer), "0", "");
                row("  the same from object sizes", fmt(idleKernel.slabs().bytesOfOneSocket()), "0", "");
                rowFmt("heap + server kernel slabs", hk + kernelServer, hm);
                System.out.println("  kernel slabs: the kernel case grew by " + idleKernel.slabs()
                        + " (both ends), the modtcp case by " + idleModtcp.slabs()
                        + " (the client end only); the server end is the difference (machine-wide counts: other"
                        + " processes add noise)");
                System.out.println("  sockstat (kernel case, server namespace): " + idleKernel.sockstatServer());
                System.out.println();
            }
        }

        /**
         * The one table: each figure for modtcp and the kernel measured in this run, the ratio, the goal (issue 13's
         * table) and whether it is met; Markdown, so that it can be pasted into a note as it is.
         */
        String goalTable() {
            List<String[]> rows = new ArrayList<>();
            for (String dir : List.of("D", "U")) {
                BulkRun k = bulk.get("kernel-" + dir);
                String what = dir.equals("D") ? "download (modtcp sends)" : "upload (modtcp receives)";
                for (String key : List.of("modtcp", "modtcp-off")) {
                    BulkRun m = bulk.get(key + "-" + dir);
                    if (k != null && m != null) {
                        boolean on = key.equals("modtcp");
                        rows.add(goalRow(
                                "bulk " + o.bulkMb + " MiB " + what + ", Gbit/s, offload " + (on ? "on" : "off"),
                                f2(m.gbit()),
                                f2(k.gbit()),
                                m.gbit() / k.gbit(),
                                on ? 0.5 : Double.NaN,
                                true));
                    }
                }
                BulkRun m = bulk.get("modtcp-" + dir);
                if (k != null && m != null) {
                    rows.add(goalRow(
                            "server JVM CPU s per GB, " + what + ", offload on",
                            f2(m.cpuSecondsPerGb()),
                            f2(k.cpuSecondsPerGb()),
                            m.cpuSecondsPerGb() / k.cpuSecondsPerGb(),
                            Double.NaN,
                            false));
                }
            }
            for (String pin : List.of("", "-pinned")) {
                Rr k = rr.get("kernel" + pin);
                Rr m = rr.get("modtcp" + pin);
                if (k != null && m != null) {
                    String what = "1-byte round trip" + (pin.isEmpty() ? "" : ", both ends on CPU 0") + ", µs";
                    rows.add(goalRow(
                            what + ", median",
                            f1(m.medianUs()),
                            f1(k.medianUs()),
                            m.medianUs() / k.medianUs(),
                            1.5,
                            false));
                    rows.add(goalRow(
                            what + ", p99", f1(m.p99Us()), f1(k.p99Us()), m.p99Us() / k.p99Us(), Double.NaN, false));
                }
            }
            if (jettyKernel != null && jettyModtcp != null) {
                rows.add(goalRow(
                        "Jetty, wrk -t" + o.threads + " -c" + o.connections + ", " + o.body + " B bodies, requests/s",
                        fmt(jettyModtcp.rps()),
                        fmt(jettyKernel.rps()),
                        jettyModtcp.rps() / jettyKernel.rps(),
                        0.8,
                        true));
                rows.add(goalRow(
                        "Jetty latency p99, ms",
                        f2(jettyModtcp.get("p99_us") / 1000),
                        f2(jettyKernel.get("p99_us") / 1000),
                        jettyModtcp.get("p99_us") / jettyKernel.get("p99_us"),
                        Double.NaN,
                        false));
            }
            if (cpsKernel != null && cpsModtcp != null) {
                rows.add(goalRow(
                        "connections/s (Echo sample, " + o.cpsThreads + " client threads)",
                        fmt(cpsModtcp.perSecond()),
                        fmt(cpsKernel.perSecond()),
                        cpsModtcp.perSecond() / cpsKernel.perSecond(),
                        0.8,
                        true));
            }
            if (idleKernel != null && idleModtcp != null && idleKernel.open() > 0) {
                long hk = idleKernel.perConnection("heap_used");
                long hm = idleModtcp.perConnection("heap_used");
                long slabs = (idleKernel.slabs().bytes() - idleModtcp.slabs().bytes()) / idleKernel.open();
                rows.add(goalRow(
                        "memory per idle connection (heap + server's kernel socket slabs), B",
                        fmt(hm),
                        fmt(hk + slabs),
                        (double) hm / (hk + slabs),
                        Double.NaN,
                        false));
            }
            if (loopback != null) {
                rows.add(goalRow(
                        "loopback bulk " + o.loopbackMb
                                + " MiB, MB/s: in-JVM (modtcp provider) vs 127.0.0.1 (platform)",
                        fmt(loopback.modtcpMBs()),
                        fmt(loopback.platformMBs()),
                        loopback.modtcpMBs() / loopback.platformMBs(),
                        1.0,
                        true));
                rows.add(new String[] {
                    "stack thread allocation per segment, in-JVM loopback bulk, B",
                    f1(loopback.stackBytesPerSegment()),
                    "-",
                    "-",
                    "0 (< 1)",
                    loopback.stackBytesPerSegment() < 1 ? "yes" : "**no**"
                });
            }
            StringBuilder b = new StringBuilder();
            b.append("## modtcp over TUN vs the kernel over veth, one run\n\n");
            b.append(String.format(
                    Locale.ROOT,
                    "%s; MTU %d; %s; load average %s at the start, %s at the end; took %.0f s.%n%n",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    MTU,
                    machine,
                    loadStart,
                    loadEnd,
                    seconds));
            b.append("| figure | modtcp | kernel | modtcp/kernel | goal | met |\n");
            b.append("|---|---|---|---|---|---|\n");
            for (String[] r : rows) {
                b.append("| ").append(String.join(" | ", r)).append(" |\n");
            }
            return b.toString();
        }

        /** A row; {@code higherBetter} says whether the goal is a floor (≥) or a ceiling (≤); NaN: no goal. */
        private static String[] goalRow(
                String what, String modtcp, String kernel, double ratio, double goal, boolean higherBetter) {
            String g = Double.isNaN(goal) ? "-" : (higherBetter ? "≥ " : "≤ ") + goal;
            String met = Double.isNaN(goal) ? "" : (higherBetter ? ratio >= goal : ratio <= goal) ? "yes" : "**no**";
            return new String[] {what, modtcp, kernel, String.format(Locale.ROOT, "%.2f", ratio), g, met};
        }

        private static String f1(double v) {
            return String.format(Locale.ROOT, "%.1f", v);
        }

        private static String f2(double v) {
            return String.format(Locale.ROOT, "%.2f", v);
        }

        private static String errors(Cps c) {
            return c.errors() == 0 && c.errorKinds().isEmpty() ? "none" : c.errors() + " (" + c.errorKinds() + ")";
        }

        /** A row of counts: kernel, modtcp, modtcp/kernel. */
        private static void rowFmt(String what, double kernel, double modtcp) {
            row(what, fmt(kernel), fmt(modtcp), ratio(modtcp, kernel));
        }

        /** A row of times in microseconds, shown in ms: kernel, modtcp, modtcp/kernel. */
        private static void rowMs(String what, double kernelUs, double modtcpUs) {
            row(what, ms(kernelUs), ms(modtcpUs), ratio(modtcpUs, kernelUs));
        }

        private static void row(String what, String kernel, String modtcp, String ratio) {
            System.out.printf(Locale.ROOT, "  %-32s %14s %14s %14s%n", what, kernel, modtcp, ratio);
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }

        private static String ms(double us) {
            return String.format(Locale.ROOT, "%.2f ms", us / 1000);
        }

        private static String ratio(double a, double b) {
            return b == 0 ? "-" : String.format(Locale.ROOT, "%.3f", a / b);
        }
    }
}

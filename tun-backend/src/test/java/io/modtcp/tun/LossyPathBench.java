package io.modtcp.tun;

import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The lossy-path row of issue 12, in one run: 50 MB each way, byte-exact (SHA-256), between a kernel client in a
 * namespace and (a) modtcp over TUN, (b) the kernel over a veth pair, with the kernel client's device impaired the
 * same way in both setups ({@link LossyPath}: 2 % random loss each way, 200 Mbit/s tbf out, 25 MB/s policer in).
 * Prints each time (the receiver's, first byte to end of stream) and modtcp's ratio to the kernel. Needs root,
 * iproute2, nft and python3; the namespaces are deleted afterwards. Run (after {@code mvn -q -B install
 * -DskipTests}):
 *
 * <pre>
 * mvn -q -pl tun-backend exec:exec -Dbench.main=io.modtcp.tun.LossyPathBench -Dbench.mb=50
 * </pre>
 */
public final class LossyPathBench {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int TIMEOUT_S = 600;

    private LossyPathBench() {}

    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 ? Long.parseLong(args[0]) : 50;
        long bytes = mb << 20;
        System.out.println("lossy path: " + LossyPath.describe() + " on the kernel client's device; " + mb
                + " MB each way, MTU 1500");
        KernelNet net = KernelNet.builder().build();
        double modtcpSends;
        double modtcpReceives;
        long retrans;
        long rtos;
        net.beforeAll(null);
        try {
            LossyPath.apply(net.namespace(), net.device());
            modtcpSends = modtcpToKernel(net, bytes);
            modtcpReceives = kernelToModtcp(net, bytes);
            retrans = net.stack().counters().get(Counter.TCP_RETRANS_SEGS);
            rtos = net.stack().counters().get(Counter.TCP_RTO_EXPIRIES);
        } finally {
            net.afterAll(null);
        }
        double[] veth = veth(bytes);
        System.out.printf(Locale.ROOT, "%-38s %10s %10s %7s%n", "", "modtcp/TUN", "kernel/veth", "ratio");
        System.out.printf(
                Locale.ROOT,
                "%-38s %9.2fs %10.2fs %7.2f%n",
                "download (server sends, client gets)",
                modtcpSends,
                veth[0],
                modtcpSends / veth[0]);
        System.out.printf(
                Locale.ROOT,
                "%-38s %9.2fs %10.2fs %7.2f%n",
                "upload (client sends, server gets)",
                modtcpReceives,
                veth[1],
                modtcpReceives / veth[1]);
        System.out.printf(
                Locale.ROOT, "modtcp: %d segments retransmitted, %d RTO expiries (both transfers)%n", retrans, rtos);
    }

    /** modtcp sends {@code bytes} to a kernel client; the client's receive time in seconds. */
    static double modtcpToKernel(KernelNet net, long bytes) throws Exception {
        TcpSocket server = net.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), 7101);
        server.listen(8);
        try (Peer peer = Peer.connect(net::exec, KernelNet.MODTCP_ADDR, 7101, 0, "recv-first", "")) {
            TcpSocket s = server.accept(10 * SECOND);
            if (s == null) {
                throw new IOException("the kernel client did not connect");
            }
            Bulk.Outcome out = Bulk.send(s, bytes, 1);
            s.shutdownOutput();
            Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(TIMEOUT_S);
            check("modtcp -> kernel", r.error(), bytes, r.received(), out.sha(), r.receivedSha());
            return r.secs();
        } finally {
            server.close();
        }
    }

    /** A kernel client sends {@code bytes} to modtcp; modtcp's receive time in seconds. */
    static double kernelToModtcp(KernelNet net, long bytes) throws Exception {
        TcpSocket server = net.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), 7102);
        server.listen(8);
        try (Peer peer = Peer.connect(net::exec, KernelNet.MODTCP_ADDR, 7102, bytes, "send-first", "")) {
            TcpSocket s = server.accept(10 * SECOND);
            if (s == null) {
                throw new IOException("the kernel client did not connect");
            }
            Bulk.Outcome in = Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(TIMEOUT_S);
            check("kernel -> modtcp", r.error(), bytes, in.bytes(), r.sentSha(), in.sha());
            return in.nanos() / 1e9;
        } finally {
            server.close();
        }
    }

    /**
     * The kernel server in one namespace, the kernel client in another, a veth pair between them (198.51.100.0/24,
     * MTU 1500), the client's end impaired; download then upload times in seconds (the receiver's).
     */
    static double[] veth(long bytes) throws Exception {
        long pid = ProcessHandle.current().pid();
        String a = "mtns-" + pid + "-9101";
        String b = "mtns-" + pid + "-9102";
        List<String> created = new ArrayList<>();
        try {
            for (String ns : new String[] {a, b}) {
                KernelNet.run("ip", "netns", "add", ns);
                created.add(ns);
                KernelNet.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            // Created inside namespace a with its peer in b: never in the root namespace.
            KernelNet.run(
                    "ip", "-n", a, "link", "add", "mtla", "mtu", "1500", "type", "veth", "peer", "name", "mtlb", "mtu",
                    "1500", "netns", b);
            KernelNet.run("ip", "-n", a, "addr", "add", "198.51.100.1/24", "dev", "mtla");
            KernelNet.run("ip", "-n", b, "addr", "add", "198.51.100.2/24", "dev", "mtlb");
            KernelNet.run("ip", "-n", a, "link", "set", "mtla", "up");
            KernelNet.run("ip", "-n", b, "link", "set", "mtlb", "up");
            LossyPath.apply(b, "mtlb");
            Peer.Exec inA = cmd -> exec(a, cmd);
            Peer.Exec inB = cmd -> exec(b, cmd);
            double down;
            try (Peer server = Peer.listen(inA, "198.51.100.1", 7103, bytes, "send-first", "");
                    Peer client = Peer.connect(inB, "198.51.100.1", 7103, 0, "recv-first", "")) {
                Peer.Result c = client.result(TIMEOUT_S);
                Peer.Result s = server.result(TIMEOUT_S);
                check("kernel -> kernel (download)", c.error(), bytes, c.received(), s.sentSha(), c.receivedSha());
                down = c.secs();
            }
            double up;
            try (Peer server = Peer.listen(inA, "198.51.100.1", 7104, 0, "recv-first", "");
                    Peer client = Peer.connect(inB, "198.51.100.1", 7104, bytes, "send-first", "")) {
                Peer.Result s = server.result(TIMEOUT_S);
                Peer.Result c = client.result(TIMEOUT_S);
                check("kernel -> kernel (upload)", s.error(), bytes, s.received(), c.sentSha(), s.receivedSha());
                up = s.secs();
            }
            return new double[] {down, up};
        } finally {
            for (String ns : created) {
                KernelNet.run("ip", "netns", "delete", ns);
            }
        }
    }

    private static void check(String what, String error, long expected, long got, String sentSha, String gotSha)
            throws IOException {
        if (error != null || got != expected || sentSha == null || !sentSha.equals(gotSha)) {
            throw new IOException(what + ": error=" + error + ", " + got + " of " + expected + " bytes, sha " + sentSha
                    + " vs " + gotSha);
        }
    }

    private static Process exec(String ns, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }
}

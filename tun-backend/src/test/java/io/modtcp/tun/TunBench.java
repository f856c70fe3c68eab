package io.modtcp.tun;

import io.modtcp.stack.socket.TcpSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bulk throughput, side by side in one run: kernel → modtcp and modtcp → kernel over a TUN device with offloads on
 * (virtio-net header, checksum offload, TSO; docs/tun.md) and off, and kernel → kernel over a veth pair between two
 * namespaces, with the same python3 peer program and the same MTU; prints each figure and modtcp's ratio to veth.
 * Needs root. Run:
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl tun-backend exec:exec -Dbench.mb=200 -Dbench.mtu=1500
 * </pre>
 */
public final class TunBench {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private TunBench() {}

    public static void main(String[] args) throws Exception {
        long mb = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int mtu = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        long bytes = mb << 20;
        double[] on = tun(bytes, mtu, true);
        double[] off = tun(bytes, mtu, false);
        double veth = veth(bytes, mtu);
        System.out.printf("MTU %d, %d MB per run%n", mtu, mb);
        for (boolean offload : new boolean[] {true, false}) {
            double[] r = offload ? on : off;
            String o = offload ? "offload on " : "offload off";
            System.out.printf("kernel -> modtcp (TUN, %s): %8.0f Mbit/s  ratio to veth %.3f%n", o, r[0], r[0] / veth);
            System.out.printf("modtcp -> kernel (TUN, %s): %8.0f Mbit/s  ratio to veth %.3f%n", o, r[1], r[1] / veth);
        }
        System.out.printf("kernel -> kernel (veth):              %8.0f Mbit/s%n", veth);
        System.out.printf(
                "super-segments with offload on: %.0f read, %.0f written (%.0f / %.0f packets)%n",
                on[2], on[3], on[4], on[5]);
    }

    /** Both directions over a fresh TUN fixture: {in, out, super-segments read, written, packets read, written}. */
    static double[] tun(long bytes, int mtu, boolean offload) throws Exception {
        KernelNet net = KernelNet.builder().mtu(mtu).offload(offload).build();
        net.beforeAll(null);
        try {
            double in = kernelToModtcp(net, bytes);
            double out = modtcpToKernel(net, bytes);
            TunLink t = net.tun();
            return new double[] {in, out, t.rxSuperSegments(), t.txSuperSegments(), t.rxPackets(), t.txPackets()};
        } finally {
            net.afterAll(null);
        }
    }

    static double mbit(long bytes, double secs) {
        return bytes * 8 / 1e6 / secs;
    }

    static double kernelToModtcp(KernelNet net, long bytes) throws Exception {
        TcpSocket server = net.stack().openSocket();
        server.bind(KernelNet.modtcpAddr(), 7001);
        server.listen(8);
        try (Peer peer = Peer.connect(net::exec, KernelNet.MODTCP_ADDR, 7001, bytes, "send-first", "nohash")) {
            TcpSocket s = server.accept(10 * SECOND);
            Bulk.Outcome o = Bulk.receive(s);
            s.close();
            peer.result(60);
            if (o.bytes() != bytes) {
                throw new IOException("received " + o.bytes() + " of " + bytes);
            }
            return mbit(bytes, o.nanos() / 1e9);
        } finally {
            server.close();
        }
    }

    static double modtcpToKernel(KernelNet net, long bytes) throws Exception {
        try (Peer peer = Peer.listen(net::exec, KernelNet.KERNEL_ADDR, 7002, 0, "recv-first", "nohash")) {
            TcpSocket s = net.stack().openSocket();
            s.connect(KernelNet.kernelAddr(), 7002, 10 * SECOND);
            Bulk.send(s, bytes, 1);
            s.shutdownOutput();
            Bulk.receive(s);
            s.close();
            Peer.Result r = peer.result(60);
            if (r.received() != bytes) {
                throw new IOException("kernel received " + r.received() + " of " + bytes);
            }
            return mbit(bytes, r.secs());
        }
    }

    /** Kernel to kernel over a veth pair between two fresh namespaces (198.51.100.0/24), deleted afterwards. */
    static double veth(long bytes, int mtu) throws Exception {
        long pid = ProcessHandle.current().pid();
        String a = "mtns-" + pid + "-9001";
        String b = "mtns-" + pid + "-9002";
        List<String> created = new ArrayList<>();
        try {
            for (String ns : new String[] {a, b}) {
                KernelNet.run("ip", "netns", "add", ns);
                created.add(ns);
                KernelNet.run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            // Created inside namespace a with its peer in b: never in the root namespace.
            KernelNet.run(
                    "ip", "-n", a, "link", "add", "mtva", "mtu", "" + mtu, "type", "veth", "peer", "name", "mtvb",
                    "mtu", "" + mtu, "netns", b);
            KernelNet.run("ip", "-n", a, "addr", "add", "198.51.100.1/24", "dev", "mtva");
            KernelNet.run("ip", "-n", b, "addr", "add", "198.51.100.2/24", "dev", "mtvb");
            KernelNet.run("ip", "-n", a, "link", "set", "mtva", "up");
            KernelNet.run("ip", "-n", b, "link", "set", "mtvb", "up");
            Peer.Exec inA = cmd -> exec(a, cmd);
            Peer.Exec inB = cmd -> exec(b, cmd);
            try (Peer server = Peer.listen(inA, "198.51.100.1", 7003, 0, "recv-first", "nohash");
                    Peer client = Peer.connect(inB, "198.51.100.1", 7003, bytes, "send-first", "nohash")) {
                Peer.Result r = server.result(60);
                client.result(60);
                if (r.received() != bytes) {
                    throw new IOException("veth receiver got " + r.received() + " of " + bytes);
                }
                return mbit(bytes, r.secs());
            }
        } finally {
            for (String ns : created) {
                KernelNet.run("ip", "netns", "delete", ns);
            }
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

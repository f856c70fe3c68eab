package io.modtcp.tck;

import io.modtcp.provider.ModTcpConfig;
import io.modtcp.provider.ModTcpRuntime;
import io.modtcp.provider.ModTcpSelectorProvider;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.FaultModel;
import io.modtcp.stack.link.LinkPair;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.tun.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * A socket implementation the kit runs against: a subject (the stack under test) and a peer (the other end of its
 * connections). The four of this kit:
 *
 * <ul>
 *   <li>{@code platform}: the JDK's own provider and {@code Socket}s on the kernel's loopback, the reference;
 *   <li>{@code modtcp-loopback}: modtcp's provider and sockets on one modtcp stack's in-JVM loopback (127.0.0.1, ::1);
 *   <li>{@code modtcp-pair}: two modtcp stacks, each on its own stack thread, joined by an in-memory link (MTU 1500;
 *       198.51.100.1 and fd00::1 the subject, 198.51.100.2 and fd00::2 the peer);
 *   <li>{@code modtcp-tun}: a modtcp stack on a Linux TUN device (192.0.2.2, fd00::2) whose other side is the kernel
 *       in a private network namespace (192.0.2.1, fd00::1): the peer's sockets are the kernel's (root only).
 * </ul>
 */
public abstract class Implementation implements AutoCloseable {
    /** The implementations in matrix order. */
    public static final List<String> NAMES = List.of("platform", "modtcp-loopback", "modtcp-pair", "modtcp-tun");

    private final String name;

    Implementation(String name) {
        this.name = name;
    }

    public final String name() {
        return name;
    }

    /** The stack under test; set by each implementation's constructor. */
    protected Side subject;
    /** The other end of the subject's connections (may be {@link #subject}); set by the constructor. */
    protected Side peer;

    /** The stack under test. */
    public final Side subject() {
        return subject;
    }

    /** The other end of the subject's connections. */
    public final Side peer() {
        return peer;
    }

    /** True for the reference implementation (the platform's own stack). */
    public boolean isReference() {
        return false;
    }

    /** True when subject and peer are different stacks (packets cross a link between them). */
    public boolean isTwoStacks() {
        return subject() != peer();
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return name;
    }

    static Implementation create(String name) throws IOException {
        switch (name) {
            case "platform":
                return new Platform();
            case "modtcp-loopback":
                return new ModTcpLoopback();
            case "modtcp-pair":
                return new ModTcpPair();
            case "modtcp-tun":
                return new ModTcpTun();
            default:
                throw new IllegalArgumentException("unknown implementation " + name + " (known: " + NAMES + ")");
        }
    }

    static SelectorProvider platformProvider() {
        SelectorProvider p = ModTcpSelectorProvider.platformProvider();
        if (p == null) {
            throw new IllegalStateException(
                    "the platform provider is not reachable: run with --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return p;
    }

    static InetAddress inet(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static Side modtcpSide(String name, ModTcpRuntime runtime, String address, String address6) {
        ModTcpSelectorProvider p = new ModTcpSelectorProvider(runtime);
        return new Side(name, p, p.socketFactory(), p.serverSocketFactory(), inet(address), inet(address6), null);
    }

    /** The JDK's provider and sockets on the kernel's loopback. */
    static final class Platform extends Implementation {
        private final Side side = new Side(
                "platform 127.0.0.1",
                platformProvider(),
                SocketFactory.getDefault(),
                ServerSocketFactory.getDefault(),
                inet("127.0.0.1"),
                inet("::1"),
                null);

        Platform() {
            super("platform");
            subject = peer = side;
        }

        @Override
        public boolean isReference() {
            return true;
        }
    }

    /** One modtcp stack of its own with only the in-JVM loopback. */
    static final class ModTcpLoopback extends Implementation {
        // Loopback connections stay on modtcp even where nothing listens (by default they would go to the kernel's
        // loopback then): the refusals and timeouts of the kit are modtcp's own.
        private final ModTcpRuntime runtime = ModTcpRuntime.start(ModTcpConfig.parse(Map.of("hostloopback", "modtcp")));
        private final Side side = modtcpSide("modtcp 127.0.0.1", runtime, "127.0.0.1", "::1");

        ModTcpLoopback() {
            super("modtcp-loopback");
            subject = peer = side;
        }

        @Override
        public void close() {
            runtime.close();
        }
    }

    /** Two modtcp stacks on their own stack threads, joined by an in-memory link without faults. */
    static final class ModTcpPair extends Implementation {
        private final ModTcpRuntime a;
        private final ModTcpRuntime b;

        ModTcpPair() {
            super("modtcp-pair");
            LinkPair link = LinkPair.create(1500, FaultModel.NONE, FaultModel.NONE, 1);
            a = ModTcpRuntime.start(stack(link.a(), "198.51.100.1", "fd00::1"), "modtcp-pair-a");
            b = ModTcpRuntime.start(stack(link.b(), "198.51.100.2", "fd00::2"), "modtcp-pair-b");
            subject = modtcpSide("modtcp 198.51.100.1 (pair)", a, "198.51.100.1", "fd00::1");
            peer = modtcpSide("modtcp 198.51.100.2 (pair)", b, "198.51.100.2", "fd00::2");
        }

        private static NetStack stack(io.modtcp.stack.link.Link link, String v4, String v6) {
            return NetStack.builder()
                    .loopback()
                    .addInterface(link, IpAddr.parseV4(v4), 24, null)
                    .addInterface(link, IpAddr.parse(v6), 64, null)
                    .build();
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /**
     * modtcp on a TUN device whose kernel side is in a private namespace: the JVM creates the device (root), moves it
     * into the namespace and configures the kernel side there; the peer's sockets are made by a thread that entered
     * the namespace. Nothing of it exists outside the namespace, which is deleted on close.
     */
    static final class ModTcpTun extends Implementation {
        static final Duration T = Duration.ofSeconds(30);
        private final List<AutoCloseable> resources = new ArrayList<>();

        ModTcpTun() throws IOException {
            super("modtcp-tun");
            List<String> missing = Netns.missingCapabilities();
            if (!missing.isEmpty()) {
                throw new Unavailable("modtcp-tun needs " + String.join(", ", missing));
            }
            String device = "mtk" + ProcessHandle.current().pid() % 100_000;
            try {
                ModTcpRuntime runtime = ModTcpRuntime.start(ModTcpConfig.parse(
                        Map.of("tun", device, "address", "192.0.2.2/24", "address6", "fd00::2/64", "mtu", "1500")));
                resources.add(runtime);
                Netns ns = Netns.create();
                resources.add(0, ns); // deleted after the stack closed its device
                Process move = new ProcessBuilder("ip", "link", "set", device, "netns", ns.name())
                        .redirectErrorStream(true)
                        .start();
                String out = new String(move.getInputStream().readAllBytes());
                if (move.waitFor() != 0) {
                    throw new IOException("ip link set " + device + " netns " + ns.name() + ": " + out);
                }
                ns.ip("link", "set", device, "mtu", "1500");
                ns.ip("addr", "add", "192.0.2.1/24", "dev", device);
                ns.ip("addr", "add", "fd00::1/64", "dev", device, "nodad");
                ns.ip("link", "set", device, "up");
                ExecutorService kernel = ns.newExecutor();
                resources.add(kernel::shutdownNow);
                subject = modtcpSide("modtcp 192.0.2.2 on " + device, runtime, "192.0.2.2", "fd00::2");
                peer = new Side(
                        "kernel 192.0.2.1 in " + ns.name(),
                        platformProvider(),
                        SocketFactory.getDefault(),
                        ServerSocketFactory.getDefault(),
                        inet("192.0.2.1"),
                        inet("fd00::1"),
                        kernel);
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void close() {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    System.err.println("modtcp-tun: closing " + resources.get(i) + ": " + e);
                }
            }
            resources.clear();
        }
    }

    /** This implementation cannot run on this machine (the reason says why). */
    static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason);
        }
    }
}

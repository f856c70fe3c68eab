package io.modtcp.tun;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetnsTest {
    static final Duration T = Duration.ofSeconds(20);

    @BeforeAll
    static void requireCapabilities() {
        KernelNet.requireCapabilities();
    }

    private static List<String> namespaces() throws IOException {
        return Netns.runOutput(false, T, "ip", "netns", "list")
                .lines()
                .map(l -> l.trim().split("\\s+")[0])
                .toList();
    }

    @Test
    void shouldCreateAUniqueNamespaceAndDeleteItOnClose() throws Exception {
        String name;
        try (Netns a = Netns.create();
                Netns b = Netns.create()) {
            name = a.name();
            assertTrue(name.matches("mtns-" + ProcessHandle.current().pid() + "-\\d+"), name);
            assertFalse(name.equals(b.name()));
            assertTrue(namespaces().contains(name), namespaces().toString());
            assertTrue(a.run(T, "ip", "-o", "link", "show", "lo").contains("UP"));
        }
        assertFalse(namespaces().contains(name), namespaces().toString());
    }

    @Test
    void shouldCreateAPersistentTunDeviceWithTheKernelSideAddress() throws Exception {
        try (Netns ns = Netns.create()) {
            ns.addTun("mt0", "192.0.2.1/24", 1400);
            String link = ns.run(T, "ip", "-d", "-o", "link", "show", "mt0");
            assertTrue(link.contains("mtu 1400") && link.contains("tun type tun pi off"), link);
            assertTrue(link.contains(",UP"), link);
            String addr = ns.run(T, "ip", "-o", "addr", "show", "dev", "mt0");
            assertTrue(addr.contains("inet 192.0.2.1/24"), addr);
            // Nothing of it in this (the caller's) namespace.
            assertThrows(IOException.class, () -> Netns.runOutput(true, T, "ip", "link", "show", "mt0"));
        }
    }

    @Test
    void shouldCreateKernelSocketsInsideTheNamespaceFromItsExecutorThread() throws Exception {
        InetSocketAddress inside = new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 0);
        try (Netns ns = Netns.create()) {
            ns.ip("addr", "add", "198.51.100.7/32", "dev", "lo");
            ExecutorService executor = ns.newExecutor();
            try {
                // The address exists only inside: a socket made on the executor's thread binds it, one made here not.
                Callable<ServerSocketChannel> open = ServerSocketChannel::open;
                ServerSocketChannel ssc = executor.submit(open).get();
                try (ssc) {
                    ssc.bind(inside);
                    String listening = ns.run(T, "ss", "-Htln", "src", "198.51.100.7");
                    int port = ((InetSocketAddress) ssc.getLocalAddress()).getPort();
                    assertTrue(
                            listening.contains("198.51.100.7]:" + port) || listening.contains("198.51.100.7:" + port),
                            listening);
                }
                try (ServerSocketChannel here = ServerSocketChannel.open()) {
                    assertThrows(BindException.class, () -> here.bind(inside));
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    @Test
    void shouldStopItsProcessesOnClose() throws Exception {
        Process p;
        try (Netns ns = Netns.create()) {
            p = ns.start(ns.processBuilder("sleep", "600"));
            assertTrue(p.isAlive());
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldKillACommandThatOutlivesItsTimeout() throws Exception {
        try (Netns ns = Netns.create()) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> ns.run(Duration.ofMillis(500), "sleep", "600"));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void shouldFailWithIpsMessage() throws Exception {
        try (Netns ns = Netns.create()) {
            IOException e = assertThrows(IOException.class, () -> ns.ip("link", "set", "nosuchdev", "up"));
            assertTrue(e.getMessage().contains("nosuchdev"), e.getMessage());
        }
    }

    @Test
    void shouldRemoveStaleNamespacesOfDeadJvmsOnly() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String stale = Netns.PREFIX + gone.pid() + "-1";
        Netns.runOutput(true, T, "ip", "netns", "add", stale);
        try (Netns live = Netns.create()) { // create() removes stale namespaces first
            List<String> names = namespaces();
            assertFalse(names.contains(stale), names.toString());
            assertTrue(names.contains(live.name()), names.toString());
        } finally {
            if (namespaces().contains(stale)) {
                Netns.runOutput(true, T, "ip", "netns", "delete", stale);
            }
        }
    }
}

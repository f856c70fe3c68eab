package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unmodified applications (Jetty 12, the JDK HttpClient, HttpURLConnection, Socket/ServerSocket) in a forked JVM
 * started with only {@code -javaagent:provider/target/modtcp-agent.jar} (and a class path for the program), on the
 * build's JDK and on JDK 25 when present. Runs after packaging (failsafe), since it needs the agent jar.
 */
class ProviderAgentIT {
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    static Stream<String> javas() {
        List<String> javas = new ArrayList<>();
        javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Files.isExecutable(JDK25)) {
            javas.add(JDK25.toString());
        }
        return javas.stream();
    }

    /** The program's class path: test classes and Jetty, but not modtcp or netty (the agent jar carries those). */
    static String programClassPath() throws IOException {
        Path target = Path.of(System.getProperty("modtcp.agent.jar")).getParent();
        String deps = Files.readString(target.resolve("it-classpath.txt"), StandardCharsets.UTF_8)
                .trim();
        List<String> cp = new ArrayList<>();
        cp.add(target.resolve("test-classes").toString());
        for (String e : deps.split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("jetty-") || name.startsWith("slf4j-")) {
                cp.add(e);
            }
        }
        return String.join(File.pathSeparator, cp);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunJettyAndClientsOverModTcpWithOnlyTheAgent(String java) throws Exception {
        String agent = System.getProperty("modtcp.agent.jar");
        assertTrue(Files.isRegularFile(Path.of(agent)), agent);
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-javaagent:" + agent,
                        "-cp",
                        programClassPath(),
                        "io.modtcp.provider.samples.JettyAndClients")
                .redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        System.out.println("---- " + java + "\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        for (int i = 0; i < 3; i++) {
            assertTrue(out.contains("httpclient 200 hello from jetty /hc" + i), out);
            assertTrue(out.contains("urlconnection 200 hello from jetty /uc" + i), out);
        }
        assertTrue(out.contains("socket echo ping"), out);
        assertTrue(out.contains("httpclient concurrent ok 64/64"), out);
        assertTrue(figure(out, "socketChannels") >= 2, out);
        assertTrue(figure(out, "serverChannels") >= 1, out);
        assertTrue(figure(out, "socketImpls") >= 3, out);
        assertTrue(figure(out, "tcpActiveOpens") >= 3, out);
        assertTrue(figure(out, "tcpPassiveOpens") >= 3, out);
        assertTrue(out.contains("modtcp stack up: lo 127.0.0.1/8"), out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStopAtStartUpNamingTheKeyOfABadAgentArgument(String java) throws Exception {
        String out = run(java, List.of("-javaagent:" + System.getProperty("modtcp.agent.jar") + "=mtu=abc"), "x");
        assertTrue(out.contains("modtcp.mtu='abc': not a number"), out);
        assertTrue(out.startsWith("exit=") && !out.startsWith("exit=0"), out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunNioOverModTcpWithOnlyTheProviderProperty(String java) throws Exception {
        String agent = System.getProperty("modtcp.agent.jar");
        Path pcap = Files.createTempFile(Path.of(agent).getParent(), "nio-", ".pcap");
        String out = run(
                java,
                List.of(
                        "-Djava.nio.channels.spi.SelectorProvider=io.modtcp.provider.ModTcpSelectorProvider",
                        "-Dmodtcp.pcap=" + pcap,
                        "-cp",
                        programClassPath() + File.pathSeparator + agent),
                "nio");
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("provider=io.modtcp.provider.ModTcpSelectorProvider"), out);
        assertTrue(out.contains("httpclient 200 hello from jetty /hc2"), out);
        assertTrue(figure(out, "socketChannels") >= 2, out);
        assertEquals(0, figure(out, "socketImpls"), out);
        // modtcp.pcap: the capture holds the traffic (24-byte header, then 16 bytes + packet per record)
        assertTrue(out.contains("capturing to " + pcap), out);
        assertTrue(Files.size(pcap) > 24 + 10 * 56, "pcap size " + Files.size(pcap));
    }

    /**
     * A server of this (test) JVM on the kernel's 127.0.0.1 that sends one line to each of {@code n} clients (this JVM
     * is not under the agent and sets no SocketImpl factory: a {@code ServerSocket} here is the kernel's).
     */
    private static java.net.ServerSocket kernelLineServer(int n) throws IOException {
        java.net.ServerSocket ss = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                try (java.net.Socket a = ss.accept()) {
                    a.getOutputStream().write("hello from the kernel\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** What {@code HostLoopback} prints when both ways over the host's loopback work under the agent. */
    private static void assertHostLoopback(String out) {
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("other process says hello from the kernel"), out);
        assertTrue(out.contains("other process says (channel) hello from the kernel"), out);
        assertTrue(out.contains("own server says own listener"), out);
        assertTrue(out.contains("own channel server says ok"), out);
        assertEquals(2, figure(out, "kernelLoopbackConnects"), out);
        assertEquals(2, figure(out, "tcpActiveOpens"), out);
        assertEquals(2, figure(out, "tcpPassiveOpens"), out);
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReachTheKernelsLoopbackAndItsOwnListenerOn127001WithTheDefaultConfiguration(String java)
            throws Exception {
        try (java.net.ServerSocket kernel = kernelLineServer(2)) {
            int port = kernel.getLocalPort();
            String out = runMain(
                    java,
                    List.of("-javaagent:" + System.getProperty("modtcp.agent.jar")),
                    "io.modtcp.provider.samples.HostLoopback",
                    String.valueOf(port));
            assertHostLoopback(out);
        }
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunWithOnlyJavaBaseAndJavaInstrument(String java) throws Exception {
        try (java.net.ServerSocket kernel = kernelLineServer(2)) {
            int port = kernel.getLocalPort();
            String out = runMain(
                    java,
                    List.of(
                            "--limit-modules",
                            "java.base,java.instrument",
                            "-javaagent:" + System.getProperty("modtcp.agent.jar")),
                    "io.modtcp.provider.samples.HostLoopback",
                    String.valueOf(port));
            assertHostLoopback(out);
        }
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldHonourPreferIpv4StackAndHostInfoInExceptionsAsThePlatformDoes(String java) throws Exception {
        List<String> props = List.of("-Djava.net.preferIPv4Stack=true", "-Djdk.includeInExceptions=hostInfo");
        String platform = runMain(java, props, "io.modtcp.provider.samples.PropertyProbe");
        List<String> agent = new ArrayList<>(props);
        // loopback connections stay on modtcp, so the refusals are modtcp's own
        agent.add("-javaagent:" + System.getProperty("modtcp.agent.jar") + "=hostloopback=modtcp");
        String modtcp = runMain(java, agent, "io.modtcp.provider.samples.PropertyProbe");
        List<String> expected = probes(platform);
        assertEquals(11, expected.size(), platform);
        assertTrue(platform.contains("Connection refused: /127.0.0.1:1"), platform);
        assertEquals(expected, probes(modtcp));
    }

    private static List<String> probes(String out) {
        return out.lines().filter(l -> l.startsWith("probe ")).collect(java.util.stream.Collectors.toList());
    }

    /**
     * A minimal SOCKS5 responder on the kernel's 127.0.0.1 (RFC 1928: no authentication, CONNECT) that connects
     * nowhere: it answers each CONNECT with success and then sends one line naming the requested destination.
     */
    private static java.net.ServerSocket socks5Responder(int n) throws IOException {
        java.net.ServerSocket ss = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                try (java.net.Socket a = ss.accept()) {
                    java.io.DataInputStream in = new java.io.DataInputStream(a.getInputStream());
                    java.io.OutputStream out = a.getOutputStream();
                    in.readUnsignedByte(); // version 5
                    in.readFully(new byte[in.readUnsignedByte()]); // the methods offered
                    out.write(new byte[] {5, 0}); // no authentication
                    in.readFully(new byte[3]); // 5, CONNECT, reserved
                    int type = in.readUnsignedByte();
                    String host;
                    if (type == 3) {
                        byte[] name = new byte[in.readUnsignedByte()];
                        in.readFully(name);
                        host = new String(name, StandardCharsets.US_ASCII);
                    } else {
                        byte[] addr = new byte[type == 1 ? 4 : 16];
                        in.readFully(addr);
                        host = java.net.InetAddress.getByAddress(addr).getHostAddress();
                    }
                    int port = in.readUnsignedShort();
                    out.write(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
                    out.write(("via socks to " + host + ":" + port + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    @ParameterizedTest
    @MethodSource("javas")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldGoThroughTheSocksProxyOfSocksProxyHostAndOfSocketProxy(String java) throws Exception {
        try (java.net.ServerSocket socks = socks5Responder(2)) {
            String out = runMain(
                    java,
                    List.of(
                            "-DsocksProxyHost=127.0.0.1",
                            "-DsocksProxyPort=" + socks.getLocalPort(),
                            "-javaagent:" + System.getProperty("modtcp.agent.jar")),
                    "io.modtcp.provider.samples.SocksClient");
            assertTrue(out.startsWith("exit=0"), out);
            assertTrue(out.contains("socksProxyHost: via socks to target.invalid:80"), out);
            assertTrue(out.contains("Socket(Proxy): via socks to target.invalid:80"), out);
        }
    }

    /**
     * JDK 17 with a security manager: the policy grants the agent jar {@code AllPermission} (as docs/provider.md
     * says) and the program only loopback sockets and property reads; the agent boots and the program's sockets work.
     */
    @org.junit.jupiter.api.Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunUnderASecurityManagerOnJdk17WithTheDocumentedGrant() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Runtime.version().feature() < 18, "a security manager is for JDK 17 (the build JDK here)");
        String agent = System.getProperty("modtcp.agent.jar");
        Path policy = Files.createTempFile(Path.of(agent).getParent(), "modtcp-", ".policy");
        Path classes = Path.of(agent).getParent().resolve("test-classes");
        Files.writeString(
                policy,
                "grant codeBase \"" + Path.of(agent).toUri() + "\" {\n"
                        + "  permission java.security.AllPermission;\n};\n"
                        + "grant codeBase \"" + classes.toUri() + "-\" {\n"
                        + "  permission java.net.SocketPermission \"127.0.0.1:0-\", \"connect,accept,listen,resolve\";\n"
                        + "  permission java.net.SocketPermission \"localhost:0-\", \"listen,resolve\";\n"
                        + "  permission java.util.PropertyPermission \"*\", \"read\";\n};\n");
        try (java.net.ServerSocket kernel = kernelLineServer(2)) {
            String out = runMain(
                    java,
                    List.of("-Djava.security.manager", "-Djava.security.policy==" + policy, "-javaagent:" + agent),
                    "io.modtcp.provider.samples.HostLoopback",
                    String.valueOf(kernel.getLocalPort()));
            assertHostLoopback(out);
        }
    }

    /** Runs {@code main} with {@code jvmArgs} and the program class path; returns "exit=N\n" and its output. */
    private static String runMain(String java, List<String> jvmArgs, String main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(programClassPath());
        cmd.add(main);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), out);
        System.out.println("---- " + cmd + "\n" + out);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    /** Runs the sample program; returns "exit=N\n" and its output. */
    private static String run(String java, List<String> jvmArgs, String mode) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        if (jvmArgs.stream().noneMatch(a -> a.equals("-cp"))) {
            cmd.add("-cp");
            cmd.add(programClassPath());
        }
        cmd.add("io.modtcp.provider.samples.JettyAndClients");
        cmd.add(mode);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), out);
        System.out.println("---- " + cmd + "\n" + out);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    private static long figure(String out, String name) {
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(out);
        assertTrue(m.find(), name + " in\n" + out);
        return Long.parseLong(m.group(1));
    }
}

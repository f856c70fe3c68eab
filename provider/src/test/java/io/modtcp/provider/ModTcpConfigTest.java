package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.wire.IpAddr;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ModTcpConfigTest {
    @Test
    void shouldDefaultToLoopbackOnly() {
        ModTcpConfig c = ModTcpConfig.parse(Map.of());
        assertNull(c.tun());
        assertTrue(c.loopback());
        assertEquals(1500, c.mtu());
        assertTrue(c.kernel().isEmpty());
        assertTrue(c.offload(), "TUN offloads on by default");
    }

    @Test
    void shouldParseEveryKey() {
        ModTcpConfig c = ModTcpConfig.parse(
                ModTcpConfig.parseAgentArgs("tun=mt0,address=192.0.2.2/24,gateway=192.0.2.1,mtu=9000,pcap=/tmp/x.pcap,"
                        + "kernel=10.0.0.0/8;192.168.1.1,loopback=false,sndbuf=131072,rcvbuf=65535,seed=42,"
                        + "syncookies=always,offload=off"));
        assertEquals("mt0", c.tun());
        assertEquals(IpAddr.parseV4("192.0.2.2"), c.address());
        assertEquals(24, c.prefixLength());
        assertEquals(IpAddr.parseV4("192.0.2.1"), c.gateway());
        assertEquals(9000, c.mtu());
        assertEquals(Path.of("/tmp/x.pcap"), c.pcap());
        assertTrue(c.routesToKernel(IpAddr.parseV4("10.1.2.3")));
        assertTrue(c.routesToKernel(IpAddr.parseV4("192.168.1.1")));
        assertFalse(c.routesToKernel(IpAddr.parseV4("192.168.1.2")));
        assertFalse(c.routesToKernel(IpAddr.parseV4("127.0.0.1")));
        assertFalse(c.loopback());
        assertEquals(131072, c.sendBufferBytes());
        assertEquals(65535, c.receiveBufferBytes());
        assertEquals(42L, c.seed());
        assertEquals(io.modtcp.stack.tcp.common.SynCookieMode.ALWAYS, c.synCookies());
        assertFalse(c.offload());
        assertTrue(ModTcpConfig.parse(Map.of("offload", " ON ")).offload());
        assertFalse(ModTcpConfig.parse(Map.of("offload", "false")).offload());
    }

    @Test
    void shouldParseTheHostilePeerKnobs() {
        ModTcpConfig c = ModTcpConfig.parse(Map.of(
                "fin_timeout", "30",
                "max_orphans", "100",
                "orphan_retries", "3",
                "invalid_ratelimit", "0",
                "challenge_ack_limit", "50"));
        assertEquals(30, c.finTimeoutSeconds());
        assertEquals(100, c.maxOrphans());
        assertEquals(3, c.orphanRetries());
        assertEquals(0, c.invalidRateLimitMs());
        assertEquals(50, c.challengeAckLimit());
        ModTcpConfig d = ModTcpConfig.defaults();
        assertEquals(-1, d.maxOrphans(), "unset: the stack's default");
        assertEquals(-1, d.invalidRateLimitMs(), "unset: the stack's default");
    }

    @Test
    void shouldTakeTheStackThreadSpinInMicroseconds() {
        assertEquals(0, ModTcpConfig.defaults().spinMicros(), "off unless set");
        assertEquals(0, ModTcpConfig.parse(Map.of("spin_us", "0")).spinMicros(), "0 turns the spin off");
        assertEquals(50, ModTcpConfig.parse(Map.of("spin_us", "50")).spinMicros());
        assertEquals(
                250,
                ModTcpConfig.parse(ModTcpConfig.parseAgentArgs("spin_us= 250 ")).spinMicros());
        assertEquals(1000, ModTcpConfig.parse(Map.of("spin_us", "1000")).spinMicros(), "the largest accepted");
        Properties p = new Properties();
        p.setProperty("modtcp.spin_us", "7");
        assertEquals(7, ModTcpConfig.fromSystemProperties(p).spinMicros());
    }

    @Test
    void shouldNameTheSpinKeyOfABadValue() {
        assertMessageStarts("modtcp.spin_us='-1': out of range 0..1000", Map.of("spin_us", "-1"));
        assertMessageStarts("modtcp.spin_us='1001': out of range 0..1000", Map.of("spin_us", "1001"));
        assertMessageStarts("modtcp.spin_us='50us': not a number", Map.of("spin_us", "50us"));
        assertMessageStarts("modtcp.spin_us='': not a number", Map.of("spin_us", ""));
    }

    @Test
    void shouldReadSystemPropertiesWithPrefix() {
        Properties p = new Properties();
        p.setProperty("modtcp.mtu", "4000");
        p.setProperty("modtcp.sim.seeds", "1000"); // other modules' properties are not ours to reject
        assertEquals(4000, ModTcpConfig.fromSystemProperties(p).mtu());
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertMessageStarts("modtcp.mtu", Map.of("mtu", "abc"));
        assertMessageStarts("modtcp.mtu", Map.of("mtu", "100"));
        assertMessageStarts("modtcp.address", Map.of("tun", "mt0", "address", "300.1.1.1/24"));
        assertMessageStarts("modtcp.address", Map.of("tun", "mt0"));
        assertMessageStarts("modtcp.address", Map.of("address", "192.0.2.2/24"));
        assertMessageStarts("modtcp.gateway", Map.of("tun", "mt0", "address", "192.0.2.2/24", "gateway", "x"));
        assertMessageStarts("modtcp.kernel", Map.of("kernel", "10.0.0.0/33"));
        assertMessageStarts("modtcp.loopback", Map.of("loopback", "maybe"));
        assertMessageStarts("modtcp.rcvbuf", Map.of("rcvbuf", "7000000"));
        assertMessageStarts("modtcp.address6", Map.of("tun", "mt0", "address", "192.0.2.2/24", "address6", "fd00::2"));
        assertMessageStarts("modtcp.address6", Map.of("tun", "mt0", "address", "192.0.2.2/24", "address6", "::1/128"));
        assertMessageStarts("modtcp.address6", Map.of("address6", "fd00::2/64"));
        assertMessageStarts("modtcp.congestion", Map.of("congestion", "vegas"));
        assertMessageStarts("modtcp.seed", Map.of("seed", "x"));
        assertMessageStarts("modtcp.nativeTransports", Map.of("nativeTransports", "maybe"));
        assertMessageStarts("modtcp.syncookies", Map.of("syncookies", "sometimes"));
        assertMessageStarts("modtcp.offload", Map.of("offload", "maybe"));
        assertMessageStarts("modtcp.fin_timeout", Map.of("fin_timeout", "0"));
        assertMessageStarts("modtcp.max_orphans", Map.of("max_orphans", "-1"));
        assertMessageStarts("modtcp.orphan_retries", Map.of("orphan_retries", "0"));
        assertMessageStarts("modtcp.invalid_ratelimit", Map.of("invalid_ratelimit", "x"));
        assertMessageStarts("modtcp.challenge_ack_limit", Map.of("challenge_ack_limit", "0"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModTcpConfig.parseAgentArgs("tunn=mt0"));
        assertTrue(e.getMessage().startsWith("modtcp.tunn"), e.getMessage());
    }

    @Test
    void shouldFindTheTunBackendOnTheClassPath() {
        ModTcpRuntime.validate(ModTcpConfig.parse(Map.of("tun", "mt0", "address", "192.0.2.2/24")));
    }

    /**
     * The provider jar without tun-backend (an application that excludes it): the provider's and the stack's classes in
     * a loader that cannot see tun-backend.
     */
    @Test
    void shouldNameTunKeyWhenTunBackendIsMissing() throws Exception {
        URL[] urls = {codeSource(ModTcpRuntime.class), codeSource(IpAddr.class)};
        try (URLClassLoader noTun = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> noTun.loadClass(ModTcpRuntime.TUN_LINK_CLASS));
            Class<?> config = noTun.loadClass(ModTcpConfig.class.getName());
            Object c =
                    config.getMethod("parse", Map.class).invoke(null, Map.of("tun", "mt0", "address", "192.0.2.2/24"));
            Method validate = noTun.loadClass(ModTcpRuntime.class.getName()).getMethod("validate", config);
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> validate.invoke(null, c));
            assertTrue(
                    e.getCause() instanceof IllegalStateException, e.getCause().toString());
            String message = e.getCause().getMessage();
            assertTrue(message.startsWith("modtcp.tun=mt0"), message);
            assertTrue(message.contains(ModTcpRuntime.TUN_LINK_CLASS), message);
        }
    }

    private static URL codeSource(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    private static void assertMessageStarts(String key, Map<String, String> values) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModTcpConfig.parse(values));
        assertTrue(e.getMessage().startsWith(key), e.getMessage());
    }
}

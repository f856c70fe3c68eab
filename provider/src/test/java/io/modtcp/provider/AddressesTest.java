package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.wire.IpAddr;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/** The IPv4-only stack's mapping of JDK addresses (documented in the README). */
class AddressesTest {
    @Test
    void shouldMapIpv6WildcardAndLoopbackToIpv4() throws Exception {
        assertEquals(IpAddr.ANY4, Addresses.forBind(InetAddress.getByName("::")));
        assertEquals(Addresses.LOOPBACK4, Addresses.forBind(InetAddress.getByName("::1")));
        assertEquals(Addresses.LOOPBACK4, Addresses.forConnect(InetAddress.getByName("::1")));
        assertEquals(Addresses.LOOPBACK4, Addresses.forConnect(InetAddress.getByName("0.0.0.0")));
        assertEquals(IpAddr.parseV4("10.1.2.3"), Addresses.forConnect(InetAddress.getByName("10.1.2.3")));
        assertEquals(InetAddress.getByName("10.1.2.3"), Addresses.toInet(IpAddr.parseV4("10.1.2.3")));
    }

    @Test
    void shouldFailClearlyForOtherIpv6Addresses() {
        ConnectException c =
                assertThrows(ConnectException.class, () -> Addresses.forConnect(InetAddress.getByName("2001:db8::1")));
        assertTrue(c.getMessage().contains("no IPv6"), c.getMessage());
        assertThrows(BindException.class, () -> Addresses.forBind(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void shouldConnectToIpv6LoopbackOverModTcp() throws Exception {
        ModTcpSelectorProvider p = new ModTcpSelectorProvider();
        try (ServerSocketChannel ssc = p.openServerSocketChannel();
                SocketChannel c = p.openSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            int port = ((InetSocketAddress) ssc.getLocalAddress()).getPort();
            assertTrue(c.connect(new InetSocketAddress(InetAddress.getByName("::1"), port)));
            try (SocketChannel a = ssc.accept()) {
                c.write(ByteBuffer.wrap(new byte[] {5}));
                ByteBuffer b = ByteBuffer.allocate(1);
                a.read(b);
                assertEquals(5, b.get(0));
            }
            assertThrows(UnresolvedAddressException.class, () -> p.openSocketChannel()
                    .connect(InetSocketAddress.createUnresolved("nowhere.invalid", 80)));
        }
    }
}

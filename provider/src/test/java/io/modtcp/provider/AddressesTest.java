package io.modtcp.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.wire.IpAddr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/** How JDK addresses map to the stack's (dual-stack wildcard, loopback for a wildcard destination). */
class AddressesTest {
    @Test
    void shouldBindEveryWildcardAsTheDualStackWildcard() throws Exception {
        assertEquals(IpAddr.ANY6, Addresses.forBind(null));
        assertEquals(IpAddr.ANY6, Addresses.forBind(InetAddress.getByName("::")));
        assertEquals(IpAddr.ANY6, Addresses.forBind(InetAddress.getByName("0.0.0.0")));
        assertEquals(IpAddr.LOOPBACK6, Addresses.forBind(InetAddress.getByName("::1")));
        assertEquals(IpAddr.parse("fd00::2"), Addresses.forBind(InetAddress.getByName("fd00::2")));
    }

    @Test
    void shouldConnectAWildcardToTheLoopbackOfItsFamily() throws Exception {
        assertEquals(Addresses.LOOPBACK4, Addresses.forConnect(InetAddress.getByName("0.0.0.0")));
        assertEquals(IpAddr.LOOPBACK6, Addresses.forConnect(InetAddress.getByName("::")));
        assertEquals(IpAddr.parseV4("10.1.2.3"), Addresses.forConnect(InetAddress.getByName("10.1.2.3")));
        assertEquals(IpAddr.parse("2001:db8::1"), Addresses.forConnect(InetAddress.getByName("2001:db8::1")));
    }

    @Test
    void shouldGiveJdkAddressesOfTheRightFamily() throws Exception {
        assertEquals(InetAddress.getByName("10.1.2.3"), Addresses.toInet(IpAddr.parseV4("10.1.2.3")));
        assertTrue(Addresses.toInet(IpAddr.parseV4("10.1.2.3")) instanceof Inet4Address);
        assertEquals(InetAddress.getByName("fd00::2"), Addresses.toInet(IpAddr.parse("fd00::2")));
        assertTrue(Addresses.toInet(IpAddr.ANY6) instanceof Inet6Address);
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

package io.modtcp.stack.tcp.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.demux.Demux.BindResult;
import io.modtcp.stack.wire.IpAddr;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DemuxTest {
    private static final long[] SECRET = {11, 22, 33, 44, 55};
    private static final IpAddr A = IpAddr.parseV4("192.0.2.1");
    private static final IpAddr B = IpAddr.parseV4("192.0.2.2");
    private static final IpAddr PEER = IpAddr.parseV4("198.51.100.1");
    private static final IpAddr V6 = new IpAddr(0x2001_0db8_0000_0000L, 1);
    private static final IpAddr V6_OTHER = new IpAddr(0x2001_0db8_0000_0000L, 2);

    private final Demux<String, String> demux = new Demux<>(SECRET, 32768, 60999);

    private static Demux<String, String> tiny() {
        return new Demux<>(SECRET, 40000, 40003);
    }

    @Nested
    class Construction {
        @Test
        void shouldRejectWhenSecretShortOrRangeBad() {
            assertThrows(IllegalArgumentException.class, () -> new Demux<>(new long[4], 1, 2));
            assertThrows(IllegalArgumentException.class, () -> new Demux<>(SECRET, 0, 10));
            assertThrows(IllegalArgumentException.class, () -> new Demux<>(SECRET, 10, 65536));
            assertThrows(IllegalArgumentException.class, () -> new Demux<>(SECRET, 20, 10));
        }
    }

    @Nested
    class Connections {
        @Test
        void shouldFindConnectionWhenAdded() {
            demux.addConnection(A, 80, PEER, 5000, "c1");
            assertEquals("c1", demux.lookup(A, 80, PEER, 5000));
            assertNull(demux.lookup(A, 80, PEER, 5001));
            assertNull(demux.lookup(B, 80, PEER, 5000));
            assertNull(demux.lookup(PEER, 5000, A, 80));
            assertEquals(1, demux.view().connectionCount());
        }

        @Test
        void shouldThrowAndKeepOldWhenTupleTaken() {
            demux.addConnection(A, 80, PEER, 5000, "c1");
            assertThrows(IllegalStateException.class, () -> demux.addConnection(A, 80, PEER, 5000, "c2"));
            assertEquals("c1", demux.lookup(A, 80, PEER, 5000));
            assertEquals(1, demux.view().connectionCount());
        }

        @Test
        void shouldRemoveOnlyWhenSameConnection() {
            demux.addConnection(A, 80, PEER, 5000, "c1");
            assertFalse(demux.removeConnection(A, 80, PEER, 5000, new String("c1")));
            assertEquals("c1", demux.lookup(A, 80, PEER, 5000));
            assertFalse(demux.removeConnection(A, 80, PEER, 5001, "c1"));
            assertTrue(demux.removeConnection(A, 80, PEER, 5000, demux.lookup(A, 80, PEER, 5000)));
            assertNull(demux.lookup(A, 80, PEER, 5000));
            assertEquals(0, demux.view().connectionCount());
        }

        @Test
        void shouldListAllWhenManyAdded() {
            Set<String> added = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                String c = "c" + i;
                demux.addConnection(i % 2 == 0 ? A : V6, 80, PEER, 1024 + i, c);
                added.add(c);
            }
            assertEquals(added, new HashSet<>(demux.connections()));
            for (int i = 0; i < 1000; i++) {
                assertEquals("c" + i, demux.lookup(i % 2 == 0 ? A : V6, 80, PEER, 1024 + i));
            }
        }
    }

    @Nested
    class Listeners {
        @Test
        void shouldPreferExactAddressWhenSeveralMatch() {
            demux.addListener(IpAddr.ANY6, 80, "any6");
            demux.addListener(IpAddr.ANY4, 80, "any4");
            demux.addListener(A, 80, "exactA");
            assertEquals("exactA", demux.lookupListener(A, 80));
            assertEquals("any4", demux.lookupListener(B, 80));
            assertEquals("any6", demux.lookupListener(V6, 80));
            assertNull(demux.lookupListener(A, 81));
            assertEquals(3, demux.view().listenerCount());
        }

        @Test
        void shouldPreferSameFamilyWildcardWhenAddedAfterIpv6Wildcard() {
            demux.addListener(IpAddr.ANY4, 80, "any4");
            demux.addListener(IpAddr.ANY6, 80, "any6");
            assertEquals("any4", demux.lookupListener(A, 80));
            assertEquals("any6", demux.lookupListener(V6, 80));
        }

        @Test
        void shouldFallBackToIpv6WildcardWhenOnlyItListens() {
            demux.addListener(IpAddr.ANY6, 80, "any6");
            assertEquals("any6", demux.lookupListener(A, 80));
            assertEquals("any6", demux.lookupListener(V6, 80));
        }

        @Test
        void shouldNotMatchOtherFamilyWhenIpv4Wildcard() {
            demux.addListener(IpAddr.ANY4, 80, "any4");
            assertNull(demux.lookupListener(V6, 80));
        }

        @Test
        void shouldNotMatchOtherAddressWhenBoundToOne() {
            demux.addListener(A, 80, "exactA");
            demux.addListener(V6, 80, "exactV6");
            assertNull(demux.lookupListener(B, 80));
            assertNull(demux.lookupListener(V6_OTHER, 80));
            assertEquals("exactV6", demux.lookupListener(V6, 80));
        }

        @Test
        void shouldStopMatchingWhenRemoved() {
            demux.addListener(IpAddr.ANY4, 80, "any4");
            demux.addListener(A, 80, "exactA");
            demux.removeListener(80, "exactA");
            assertEquals("any4", demux.lookupListener(A, 80));
            demux.removeListener(80, "any4");
            assertNull(demux.lookupListener(A, 80));
            assertEquals(0, demux.view().listenerCount());
            demux.removeListener(99, "none"); // unknown port: no effect
        }
    }

    @Nested
    class BindAgainstConnections {
        @Test
        void shouldConflictWithConnectionOnOverlappingAddress() {
            demux.addConnection(A, 8080, PEER, 40000, "c");
            assertInstanceOf(BindResult.InUse.class, demux.bind(A, 8080, false, false, "s"));
            assertInstanceOf(BindResult.InUse.class, demux.bind(IpAddr.ANY4, 8080, false, false, "s"));
            assertInstanceOf(BindResult.InUse.class, demux.bind(IpAddr.ANY6, 8080, false, false, "s"));
            // Another address, another port: no conflict.
            assertInstanceOf(BindResult.Bound.class, demux.bind(B, 8080, false, false, "s"));
            assertInstanceOf(BindResult.Bound.class, demux.bind(A, 8081, false, false, "s"));
        }

        @Test
        void shouldNotConflictWhenBothSetReuseAddress() {
            demux.addConnection(A, 8080, PEER, 40000, "c");
            demux.setReuseAddress(A, 8080, PEER, 40000, true);
            // Linux: both the connection and the new binding must set SO_REUSEADDR.
            assertInstanceOf(BindResult.InUse.class, demux.bind(A, 8080, false, false, "s"));
            assertInstanceOf(BindResult.Bound.class, demux.bind(A, 8080, false, true, "s"));
        }

        @Test
        void shouldConflictWhenOnlyTheBindingSetsReuseAddress() {
            demux.addConnection(A, 8080, PEER, 40000, "c");
            assertInstanceOf(BindResult.InUse.class, demux.bind(A, 8080, false, true, "s"));
        }

        @Test
        void shouldForgetConnectionWhenRemoved() {
            demux.addConnection(A, 8080, PEER, 40000, "c");
            demux.setReuseAddress(A, 8080, PEER, 40000, true);
            assertTrue(demux.removeConnection(A, 8080, PEER, 40000, "c"));
            assertInstanceOf(BindResult.Bound.class, demux.bind(A, 8080, false, false, "s"));
            // A new connection on the tuple starts without SO_REUSEADDR.
            demux.unbind(8080, "s");
            demux.addConnection(A, 8080, PEER, 40000, "d");
            assertInstanceOf(BindResult.InUse.class, demux.bind(A, 8080, false, true, "s"));
        }

        @Test
        void shouldKeepReuseAddressWhenTableGrows() {
            demux.addConnection(A, 8080, PEER, 40000, "c");
            demux.setReuseAddress(A, 8080, PEER, 40000, true);
            for (int i = 0; i < 500; i++) {
                demux.addConnection(B, 9000, PEER, 1000 + i, "x" + i);
            }
            assertInstanceOf(BindResult.Bound.class, demux.bind(A, 8080, false, true, "s"));
            demux.unbind(8080, "s");
            // Backward-shift deletions move entries between slots; the flag moves with its entry.
            for (int i = 0; i < 500; i++) {
                demux.removeConnection(B, 9000, PEER, 1000 + i, "x" + i);
            }
            assertInstanceOf(BindResult.Bound.class, demux.bind(A, 8080, false, true, "t"));
        }
    }

    @Nested
    class Bind {
        private final Object o1 = new Object();
        private final Object o2 = new Object();

        @Test
        void shouldBindWhenPortFree() {
            assertEquals(new BindResult.Bound(80), demux.bind(A, 80, false, o1));
            assertTrue(demux.view().isBound(80));
            assertEquals(1, demux.view().boundPortCount());
        }

        @Test
        void shouldRefuseWhenSameAddressAndPort() {
            demux.bind(A, 80, false, o1);
            assertEquals(new BindResult.InUse(80), demux.bind(A, 80, false, o2));
        }

        @Test
        void shouldAllowWhenDifferentSpecificAddresses() {
            demux.bind(A, 80, false, o1);
            assertEquals(new BindResult.Bound(80), demux.bind(B, 80, false, o2));
            assertEquals(new BindResult.Bound(80), demux.bind(V6, 80, false, o2));
        }

        @Test
        void shouldRefuseWhenWildcardOverlaps() {
            demux.bind(A, 80, false, o1);
            assertEquals(new BindResult.InUse(80), demux.bind(IpAddr.ANY4, 80, false, o2));
            assertEquals(new BindResult.InUse(80), demux.bind(IpAddr.ANY6, 80, false, o2));
            Demux<String, String> other = new Demux<>(SECRET, 32768, 60999);
            other.bind(IpAddr.ANY4, 80, false, o1);
            assertEquals(new BindResult.InUse(80), other.bind(A, 80, false, o2));
            assertEquals(new BindResult.Bound(80), other.bind(V6, 80, false, o2), "v4 wildcard vs v6 address");
            Demux<String, String> dual = new Demux<>(SECRET, 32768, 60999);
            dual.bind(IpAddr.ANY6, 80, false, o1);
            assertEquals(new BindResult.InUse(80), dual.bind(A, 80, false, o2));
            assertEquals(new BindResult.InUse(80), dual.bind(V6, 80, false, o2));
        }

        @Test
        void shouldAllowWhenBothReusePort() {
            assertEquals(new BindResult.Bound(80), demux.bind(A, 80, true, o1));
            assertEquals(new BindResult.Bound(80), demux.bind(A, 80, true, o2));
        }

        @Test
        void shouldRefuseWhenOnlyOneReusePort() {
            demux.bind(A, 80, true, o1);
            assertEquals(new BindResult.InUse(80), demux.bind(A, 80, false, o2));
            Demux<String, String> other = new Demux<>(SECRET, 32768, 60999);
            other.bind(A, 80, false, o1);
            assertEquals(new BindResult.InUse(80), other.bind(A, 80, true, o2));
        }

        @Test
        void shouldFreePortWhenUnbound() {
            demux.bind(A, 80, false, o1);
            demux.bind(B, 80, false, o2);
            demux.unbind(80, o1);
            assertTrue(demux.view().isBound(80));
            assertEquals(new BindResult.Bound(80), demux.bind(A, 80, false, o1));
            demux.unbind(80, o1);
            demux.unbind(80, o2);
            assertFalse(demux.view().isBound(80));
            demux.unbind(81, o1); // unknown port: no effect
        }

        @Test
        void shouldPickEphemeralPortInRangeWhenPortZero() {
            BindResult r = demux.bind(A, 0, false, o1);
            BindResult.Bound bound = assertInstanceOf(BindResult.Bound.class, r);
            assertTrue(bound.port() >= 32768 && bound.port() <= 60999, "port " + bound.port());
            assertTrue(demux.view().isBound(bound.port()));
        }

        @Test
        void shouldPickDistinctPortsThenExhaustWhenRangeTiny() {
            Demux<String, String> d = tiny();
            d.addListener(IpAddr.ANY4, 40001, "l");
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                BindResult.Bound b = assertInstanceOf(BindResult.Bound.class, d.bind(A, 0, false, new Object()));
                assertTrue(b.port() >= 40000 && b.port() <= 40003);
                assertTrue(b.port() != 40001, "a listened port is not handed out");
                ports.add(b.port());
            }
            assertEquals(3, ports.size());
            assertInstanceOf(BindResult.Exhausted.class, d.bind(A, 0, false, new Object()));
        }

        @Test
        void shouldNotHandOutAPortThatAConnectionHoldsUntilItIsRemoved() {
            Demux<String, String> d = tiny();
            String held = "held";
            d.addConnection(A, 40000, PEER, 443, "c40000"); // e.g. connections lingering in TIME-WAIT
            d.addConnection(A, 40001, PEER, 443, held);
            d.addConnection(A, 40002, PEER, 443, "c40002");
            assertTrue(d.hasConnectionsOn(40001));
            assertEquals(new BindResult.Bound(40003), d.bind(A, 0, false, new Object()));
            assertInstanceOf(BindResult.Exhausted.class, d.bind(A, 0, false, new Object()));
            assertTrue(d.removeConnection(A, 40001, PEER, 443, held));
            assertFalse(d.hasConnectionsOn(40001));
            assertEquals(new BindResult.Bound(40001), d.bind(A, 0, false, new Object()));
        }
    }

    @Nested
    class EphemeralPorts {
        @Test
        void shouldStayInRangeWhenAllocated() {
            for (int i = 0; i < 1000; i++) {
                int port = demux.allocateEphemeral(A, PEER, 1 + i);
                assertTrue(port >= 32768 && port <= 60999, "port " + port);
            }
        }

        @Test
        void shouldAvoidBoundAndListenedPortsWhenAllocating() {
            Demux<String, String> d = tiny();
            d.bind(A, 40000, false, new Object());
            d.bind(B, 40002, false, new Object());
            d.addListener(IpAddr.ANY4, 40003, "l");
            for (int i = 0; i < 20; i++) {
                assertEquals(40001, d.allocateEphemeral(A, PEER, 443 + i));
            }
        }

        @Test
        void shouldAvoidUsedTuplesWhenAllocating() {
            Demux<String, String> d = tiny();
            d.addConnection(A, 40000, PEER, 443, "c0");
            d.addConnection(A, 40001, PEER, 443, "c1");
            d.addConnection(A, 40003, PEER, 443, "c3");
            for (int i = 0; i < 10; i++) {
                assertEquals(40002, d.allocateEphemeral(A, PEER, 443));
            }
        }

        @Test
        void shouldReuseSourcePortWhenDestinationDiffers() {
            Demux<String, String> d = tiny();
            for (int p = 40000; p <= 40003; p++) {
                d.addConnection(A, p, PEER, 443, "c" + p);
            }
            int port = d.allocateEphemeral(A, PEER, 444);
            assertTrue(port >= 40000 && port <= 40003);
        }

        @Test
        void shouldReturnMinusOneWhenExhausted() {
            Demux<String, String> d = tiny();
            for (int p = 40000; p <= 40003; p++) {
                d.addConnection(A, p, PEER, 443, "c" + p);
            }
            assertEquals(-1, d.allocateEphemeral(A, PEER, 443));
            Demux<String, String> bound = tiny();
            for (int p = 40000; p <= 40003; p++) {
                bound.bind(A, p, false, new Object());
            }
            assertEquals(-1, bound.allocateEphemeral(A, PEER, 443));
        }

        @Test
        void shouldDifferAcrossDestinationsWhenAllocated() {
            Set<Integer> first = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                first.add(demux.allocateEphemeral(A, IpAddr.v4(0xc0a8_0000 + i), 443));
            }
            assertTrue(first.size() > 40, "RFC 6056 algorithm 3 spreads destinations: " + first.size());
        }

        @Test
        void shouldMoveOnWhenSameDestinationAskedAgain() {
            int a = demux.allocateEphemeral(A, PEER, 443);
            int b = demux.allocateEphemeral(A, PEER, 443);
            assertTrue(a != b, "the perturbation table advances per allocation");
        }

        @Test
        void shouldDependOnSecretWhenKeysDiffer() {
            Demux<String, String> other = new Demux<>(new long[] {1, 2, 3, 4, 5}, 32768, 60999);
            int same = 0;
            for (int i = 0; i < 20; i++) {
                IpAddr dst = IpAddr.v4(0xc0a8_0100 + i);
                if (demux.allocateEphemeral(A, dst, 443) == other.allocateEphemeral(A, dst, 443)) {
                    same++;
                }
            }
            assertTrue(same < 5, "ports should not be predictable without the secret");
        }

        @Test
        void shouldNotReturnPortWhenTupleTakenLater() {
            Demux<String, String> d = tiny();
            int port = d.allocateEphemeral(A, PEER, 443);
            d.addConnection(A, port, PEER, 443, "c");
            for (int i = 0; i < 10; i++) {
                int next = d.allocateEphemeral(A, PEER, 443);
                assertTrue(next != port);
                assertSame(null, d.lookup(A, next, PEER, 443));
            }
        }
    }
}

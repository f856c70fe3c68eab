package io.modtcp.stack.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.link.Link;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.scripted.Script;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.TcpHeader;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No Throwable from one packet, command or link stops the stack: an {@link OutOfMemoryError} (as direct memory
 * running out raises it) or a {@link StackOverflowError} is counted and every other connection keeps being served.
 */
@Timeout(30)
class StackSurvivesThrowableTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A packet whose processing throws an Error (the socket's readiness listener fails on its data). */
    @Test
    void shouldKeepServingOtherConnectionsWhenOnePacketThrowsAnError() throws IOException {
        try (Script s = new Script()) {
            TcpSocket listener = s.listen(8);
            TcpSocket victim = s.establishPassive(listener, 40_001);
            AtomicBoolean armed = new AtomicBoolean(true);
            victim.setReadinessListener(sock -> {
                // Once, on the stack thread's delivery of the data (the test thread never sees it).
                if (armed.getAndSet(false)) {
                    throw new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory (injected)");
                }
            });
            s.inject(s.in(TcpHeader.ACK | TcpHeader.PSH).seq(1).ack(1).data(100));
            assertEquals(1, s.counter(Counter.STACK_UNCAUGHT_ERRORS));
            assertEquals(1, s.counter(Counter.STACK_UNCAUGHT_JVM_ERRORS));
            assertTrue(!armed.get(), "the error was thrown");

            // Another connection, opened after the failure, is served: handshake, data, ACK, read.
            TcpSocket other = s.establishPassive(listener, 40_002);
            byte[] data = Script.bytes(0, 500);
            s.inject(s.in(TcpHeader.ACK | TcpHeader.PSH).seq(1).ack(1).payload(data));
            s.advance(200 * Script.MS);
            s.expect(s.out(TcpHeader.ACK).seq(1).ack(501));
            assertArrayEquals(data, s.read(other));
            assertEquals(1, s.counter(Counter.STACK_UNCAUGHT_ERRORS), "nothing else failed");
        }
    }

    /** A command that throws an Error and a link whose receive throws one; a real stack thread goes on. */
    @Test
    void shouldKeepTheStackThreadAliveWhenCommandsAndLinksThrowErrors() throws Exception {
        AtomicBoolean linkFails = new AtomicBoolean();
        Link failing = new Link() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public int mtu() {
                return 1500;
            }

            @Override
            public boolean transmit(ByteBuf packet, long nowNs) {
                packet.release();
                return true;
            }

            @Override
            public int receive(PacketSink sink, int max, long nowNs) {
                if (linkFails.getAndSet(false)) {
                    throw new StackOverflowError("injected");
                }
                return 0;
            }

            @Override
            public long nextEventNs() {
                return Long.MAX_VALUE;
            }

            @Override
            public void setWakeup(Runnable wakeup) {}

            @Override
            public void close() {}
        };
        IpAddr lo = IpAddr.parseV4("127.0.0.1");
        NetStack stack = NetStack.builder()
                .loopback()
                .addInterface(failing, IpAddr.parseV4("198.51.100.1"), 24, null)
                .seed(7)
                .build();
        try (StackThread thread = new StackThread(stack, "throwing-test").start()) {
            TcpSocket server = stack.openSocket();
            server.bind(lo, 7000);
            server.listen(4);
            TcpSocket client = stack.openSocket();
            assertTrue(client.connect(lo, 7000, 5 * SECOND));
            TcpSocket accepted = server.accept(5 * SECOND);
            assertNotNull(accepted);

            stack.execute(() -> {
                throw new OutOfMemoryError("injected");
            });
            linkFails.set(true);
            stack.execute(() -> {});
            // An Error from a call reaches the caller (it does not wait forever) and the thread lives on.
            IOException e = assertThrows(
                    IOException.class,
                    () -> stack.call(() -> {
                        throw new StackOverflowError("injected");
                    }));
            assertInstanceOf(StackOverflowError.class, e.getCause());

            byte[] data = new byte[100_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                assertTrue(client.write(out, 5 * SECOND) > 0);
            }
            ByteBuffer got = ByteBuffer.allocate(data.length);
            while (got.hasRemaining()) {
                assertTrue(accepted.read(got, 5 * SECOND) > 0);
            }
            assertArrayEquals(data, got.array());
            assertTrue(thread.thread().isAlive());
            assertEquals(Boolean.FALSE, stack.callUnchecked(linkFails::get), "the link was polled and threw");
            // The command's error and the link's; the call's error went to its caller inside its command.
            assertEquals(2, stack.counters().get(Counter.STACK_UNCAUGHT_JVM_ERRORS));
            client.abort();
            accepted.abort();
            server.close();
        } finally {
            stack.close();
        }
    }
}

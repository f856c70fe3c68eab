package io.modtcp.stack.sim;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.common.TcpState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link SimScenario}: B listens, A connects; both sides write their data and read concurrently
 * (non-blocking, inside the event loop), shut down output after the last byte, read to end of stream, close, and the
 * run ends once both stacks have no connection left (after TIME-WAIT).
 */
final class SimRun {
    /** The most virtual time one run may take. */
    static final long MAX_VIRTUAL_NS = TimeUnit.MINUTES.toNanos(10);

    private static final int PORT = 80;

    /** What a run produced; {@code failure} is null when every check passed. */
    record Result(
            SimScenario scenario,
            String failure,
            long virtualNs,
            Map<Counter, Long> countersA,
            Map<Counter, Long> countersB,
            String detail) {
        boolean passed() {
            return failure == null;
        }

        /** The report printed for a failing run: what failed, the fault model, the replay command, the state. */
        String report() {
            return "SIMULATION FAILED: " + failure + "\n" + scenario + "\n  replay: " + scenario.replayCommand() + "\n"
                    + detail;
        }
    }

    /** One end of the conversation. */
    private static final class Side {
        final String name;
        final byte[] out;
        final ByteBuffer src;
        final ByteBuffer dst;
        TcpSocket socket;
        boolean shutdown;
        boolean eof;
        boolean closed;

        Side(String name, byte[] out, int expectIn) {
            this.name = name;
            this.out = out;
            this.src = ByteBuffer.wrap(out);
            // One spare byte: receiving more than was sent is detected, not silently cut.
            this.dst = ByteBuffer.allocate(expectIn + 1);
        }

        /** Writes what fits, reads what is there; shuts down, and closes, when it is time. */
        void step() throws IOException {
            if (socket == null || closed || !(socket.isConnected() || shutdown)) {
                return;
            }
            if (src.hasRemaining()) {
                socket.write(src, 0);
            }
            if (!src.hasRemaining() && !shutdown) {
                socket.shutdownOutput();
                shutdown = true;
            }
            while (!eof) {
                int n = socket.read(dst, 0);
                if (n < 0) {
                    eof = true;
                } else if (n == 0) {
                    break;
                }
            }
            if (eof && shutdown) {
                socket.close();
                closed = true;
            }
        }

        String state() {
            return name + ": sent " + src.position() + "/" + out.length + ", received " + dst.position() + ", shutdown "
                    + shutdown + ", eof " + eof + ", closed " + closed + ", tcp "
                    + (socket == null ? "-" : String.valueOf(socket.tcpState()));
        }
    }

    private SimRun() {}

    static Result run(SimScenario s) {
        SplittableRandom data = new SplittableRandom(s.seed() ^ 0xda7a_da7aL);
        byte[] aOut = bytes(data, s.bytesAToB());
        byte[] bOut = bytes(data, s.bytesBToA());
        Side a = new Side("A", aOut, bOut.length);
        Side b = new Side("B", bOut, aOut.length);
        try (TwoStacks net = new TwoStacks(s.seed(), s.aToB(), s.bToA(), s.config(), s.mtu(), s.ipv6())) {
            long start = net.clock.nanoTime();
            String failure = null;
            TcpSocket server = null;
            try {
                server = net.b.openSocket();
                server.bind(net.addrB, PORT);
                server.listen(16);
                a.socket = net.a.openSocket();
                a.socket.connect(net.addrB, PORT, 0);
                TcpSocket listening = server;
                IOException[] error = new IOException[1];
                boolean done = net.runUntil(
                        () -> {
                            try {
                                if (b.socket == null) {
                                    b.socket = listening.accept(0);
                                }
                                a.step();
                                b.step();
                            } catch (IOException e) {
                                error[0] = e;
                                return true;
                            }
                            return a.closed
                                    && b.closed
                                    && net.a.tcp().connections().isEmpty()
                                    && net.b.tcp().connections().isEmpty();
                        },
                        MAX_VIRTUAL_NS);
                if (error[0] != null) {
                    failure = "socket error: " + error[0];
                } else if (!done) {
                    failure = "not finished within " + MAX_VIRTUAL_NS / 1_000_000_000L + " virtual seconds";
                }
            } catch (IOException e) {
                failure = "socket error: " + e;
            } finally {
                if (server != null) {
                    try {
                        server.close();
                        net.settle();
                    } catch (IOException e) {
                        failure = failure == null ? "closing the listener: " + e : failure;
                    }
                }
            }
            long virtualNs = net.clock.nanoTime() - start;
            if (failure == null) {
                failure = check(a, b, net);
            }
            String detail = "  ended at " + virtualNs / 1e9 + " virtual s\n  " + a.state() + "\n  " + b.state()
                    + "\n  link a->b " + net.pair.statsAToB() + "\n  link b->a " + net.pair.statsBToA()
                    + "\n  counters A: " + nonZero(net.a) + "\n  counters B: " + nonZero(net.b);
            return new Result(
                    s,
                    failure,
                    virtualNs,
                    net.a.counters().snapshot(),
                    net.b.counters().snapshot(),
                    detail);
        }
    }

    /** The end-of-run checks; null when all pass. */
    private static String check(Side a, Side b, TwoStacks net) {
        for (Side[] pair : new Side[][] {{a, b}, {b, a}}) {
            Side from = pair[0];
            Side to = pair[1];
            byte[] got = Arrays.copyOf(to.dst.array(), to.dst.position());
            if (!Arrays.equals(sha256(from.out), sha256(got))) {
                return from.name + "->" + to.name + ": SHA-256 of " + got.length + " received bytes "
                        + hex(sha256(got)) + " != SHA-256 of " + from.out.length + " sent bytes "
                        + hex(sha256(from.out)) + (got.length == from.out.length ? "" : " (length differs)");
            }
        }
        for (NetStack stack : new NetStack[] {net.a, net.b}) {
            String name = stack == net.a ? "A" : "B";
            // RSTs that answer stale segments once the connection is gone (a delayed duplicate ACK arriving after
            // LAST-ACK ended, say) are what RFC 9293 §3.10.7.1 requires and leave the close clean; any other fails.
            long rsts = net.rstsWhileConnected(stack);
            if (rsts != 0) {
                return name + " sent " + rsts + " RST(s) while its connection existed";
            }
            long resets = stack.counters().get(Counter.TCP_ESTAB_RESETS);
            if (resets != 0) {
                return name + " saw " + resets + " connection reset(s)";
            }
            long uncaught = stack.counters().get(Counter.STACK_UNCAUGHT_ERRORS);
            if (uncaught != 0) {
                return name + " caught " + uncaught + " error(s) on the stack thread";
            }
            long timeouts = stack.counters().get(Counter.TCP_TIMEOUTS);
            if (timeouts != 0) {
                return name + " gave up " + timeouts + " connection(s) on retransmission timeout";
            }
        }
        if (a.socket.tcpState() != TcpState.CLOSED || b.socket.tcpState() != TcpState.CLOSED) {
            return "sockets not CLOSED at the end: A " + a.socket.tcpState() + ", B " + b.socket.tcpState();
        }
        return null;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < n; j++) {
                out[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b, 0, 8);
    }

    private static String nonZero(NetStack stack) {
        return stack.counters().toString().replace('\n', ' ').trim();
    }
}

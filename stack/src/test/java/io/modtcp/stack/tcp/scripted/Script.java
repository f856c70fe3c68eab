package io.modtcp.stack.tcp.scripted;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.modtcp.stack.ManualClock;
import io.modtcp.stack.NetStack;
import io.modtcp.stack.socket.TcpSocket;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.IpAddr;
import io.modtcp.stack.wire.SegmentSpec;
import io.modtcp.stack.wire.TcpHeader;
import io.modtcp.stack.wire.TcpOptionSpec;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A packetdrill-style fixture: one stack at 192.0.2.1/24 on a {@link ScriptedLink}, driven by a {@link ManualClock} on
 * the test's thread, and a remote peer at 192.0.2.2 played by the test. The test injects segments ({@link #in}) and
 * expects the stack's segments one by one ({@link #out}), stepping virtual time with {@link #advanceTo}.
 *
 * <p>Sequence numbers are relative, as in packetdrill and tcpdump: what the test sends is written relative to the
 * peer's ISS ({@link #peerIss}) and acknowledges relative to the stack's ISS; what the stack sends is checked the same
 * way round. The stack's ISS and local port are captured from the first SYN it sends on the current connection (its
 * SYN or SYN-ACK). One connection is "current" at a time ({@link #usePeerPort} switches when a test opens several).
 */
public final class Script implements AutoCloseable {
    public static final IpAddr LOCAL = IpAddr.parseV4("192.0.2.1");
    public static final IpAddr REMOTE = IpAddr.parseV4("192.0.2.2");
    public static final long MS = 1_000_000L;
    public static final long SEC = 1_000_000_000L;
    /** The port the stack listens on in passive tests. */
    public static final int LISTEN_PORT = 80;
    /** The peer's port in active tests (the peer "listens" there). */
    public static final int PEER_LISTEN_PORT = 8080;
    /** The peer's MSS option in the handshake helpers; equal to the stack's own (1500 - 40). */
    public static final int PEER_MSS = 1460;
    /** The peer's ISS: close to the wrap so that relative arithmetic crosses 2^32 in every test. */
    public static final int DEFAULT_PEER_ISS = 0xffff_f000;

    public final ManualClock clock = new ManualClock(SEC);
    public final ScriptedLink link = new ScriptedLink(1500);
    public final NetStack stack;
    public final TcpConfig config;

    private int peerIss = DEFAULT_PEER_ISS;
    private int localIss;
    private boolean localIssKnown;
    private int localPort = LISTEN_PORT;
    private int remotePort = 50_000;
    private final List<TcpSocket> sockets = new ArrayList<>();

    public Script() {
        this(TcpConfig.DEFAULT);
    }

    public Script(TcpConfig config) {
        this.config = config;
        this.stack = NetStack.builder()
                .clock(clock)
                .config(config)
                .seed(42)
                .addInterface(link, LOCAL, 24, null)
                .build();
        stack.bindToCurrentThread();
    }

    // =================================================================================================
    // Time
    // =================================================================================================

    public long now() {
        return clock.nanoTime();
    }

    /** Polls at the current time until the stack has nothing more to do now. */
    public void poll() {
        for (int i = 0; i < 10_000; i++) {
            long now = clock.nanoTime();
            long next = stack.poll(now);
            if (next - now > 0) {
                return;
            }
        }
        throw new AssertionError("stack did not settle at t=" + clock.nanoTime());
    }

    /**
     * Steps virtual time to {@code targetNs}, polling at every timer deadline on the way (so timers fire exactly at
     * their deadlines and what they send carries that time), then at {@code targetNs}.
     */
    public void advanceTo(long targetNs) {
        if (targetNs - now() < 0) {
            throw new IllegalArgumentException("time goes forward only: " + targetNs + " < " + now());
        }
        for (int i = 0; i < 1_000_000; i++) {
            long next = stack.nextEventNs();
            if (next == Long.MAX_VALUE || next - targetNs > 0) {
                clock.set(targetNs);
                poll();
                return;
            }
            if (next - now() > 0) {
                clock.set(next);
            }
            poll();
        }
        throw new AssertionError("too many events before " + targetNs);
    }

    public void advance(long deltaNs) {
        advanceTo(now() + deltaNs);
    }

    // =================================================================================================
    // Connections and sequence numbers
    // =================================================================================================

    public int peerIss() {
        return peerIss;
    }

    public void peerIss(int iss) {
        this.peerIss = iss;
    }

    /** The stack's ISS on the current connection (captured from its SYN or SYN-ACK). */
    public int localIss() {
        if (!localIssKnown) {
            throw new IllegalStateException("the stack has not sent a SYN yet on this connection");
        }
        return localIss;
    }

    public int localPort() {
        return localPort;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Makes {@code port} the peer's port of the current connection; the stack's ISS is captured afresh. */
    public Script usePeerPort(int port) {
        this.remotePort = port;
        this.localIssKnown = false;
        return this;
    }

    /** The stack's connections, as TCP sees them. */
    public List<TcpConnection> connections() {
        return stack.tcp().connections();
    }

    /** The current connection (peer address and port), or null if the stack has none. */
    public TcpConnection connection() {
        for (TcpConnection c : connections()) {
            if (c.connection().remotePort() == remotePort
                    && c.connection().localPort() == localPort
                    && c.connection().remoteAddr().equals(REMOTE)) {
                return c;
            }
        }
        return null;
    }

    public TcpState state() {
        TcpConnection c = connection();
        return c == null ? TcpState.CLOSED : c.state();
    }

    public long counter(Counter counter) {
        return stack.counters().get(counter);
    }

    // =================================================================================================
    // Sockets and the usual openings
    // =================================================================================================

    /** A socket that {@link #close} aborts if the test did not, so no buffer outlives the test. */
    public TcpSocket openSocket() {
        TcpSocket s = stack.openSocket();
        sockets.add(s);
        return s;
    }

    /** A listening socket on {@link #LISTEN_PORT}. */
    public TcpSocket listen(int backlog) throws IOException {
        TcpSocket s = openSocket();
        s.bind(LOCAL, LISTEN_PORT);
        s.listen(backlog);
        localPort = LISTEN_PORT;
        return s;
    }

    /** Starts an active open to the peer's {@link #PEER_LISTEN_PORT} and expects the SYN (capturing ISS and port). */
    public TcpSocket connect() throws IOException {
        TcpSocket s = openSocket();
        usePeerPort(PEER_LISTEN_PORT);
        s.connect(REMOTE, PEER_LISTEN_PORT, 0);
        poll();
        expect(out(TcpHeader.SYN).seq(0).len(0).options(o -> o.mss() == 1460, "mss=1460"));
        return s;
    }

    /** Active open to ESTABLISHED: SYN, SYN-ACK (peer MSS {@link #PEER_MSS}, window 65535), ACK. */
    public TcpSocket establishActive() throws IOException {
        TcpSocket s = connect();
        inject(in(TcpHeader.SYN | TcpHeader.ACK).seq(0).ack(1).mss(PEER_MSS));
        expect(out(TcpHeader.ACK).seq(1).ack(1).len(0));
        assertTrue(s.isConnected(), "connected after the SYN-ACK");
        assertState(TcpState.ESTABLISHED);
        return s;
    }

    /**
     * Active open whose SYN-ACK arrives {@code rttNs} after the SYN (the first RTT sample): {@code synAck} completes the
     * peer's SYN-ACK after its seq 0 and ack 1 (options, window); expects the final ACK.
     */
    public TcpSocket establishActive(long rttNs, UnaryOperator<In> synAck) throws IOException {
        TcpSocket s = connect();
        advance(rttNs);
        inject(synAck.apply(in(TcpHeader.SYN | TcpHeader.ACK).seq(0).ack(1)));
        expect(out(TcpHeader.ACK).seq(1).ack(1));
        return s;
    }

    /** {@link #establishActive(long, UnaryOperator)} with SACK-permitted, MSS 1460, no timestamps, no window scaling. */
    public TcpSocket establishActiveWithSack(long rttNs) throws IOException {
        return establishActive(
                rttNs, in -> in.win(65535).options(new TcpOptionSpec(1460, -1, true, false, 0, 0, List.of())));
    }

    /**
     * Passive open to ESTABLISHED on {@code listener} from peer port {@code peerPort}: SYN, SYN-ACK, ACK; returns the
     * accepted socket.
     */
    public TcpSocket establishPassive(TcpSocket listener, int peerPort) throws IOException {
        handshakePassive(peerPort);
        TcpSocket child = listener.accept(0);
        if (child == null) {
            fail("no connection to accept after the handshake");
        }
        sockets.add(child);
        return child;
    }

    /** SYN, SYN-ACK, ACK from {@code peerPort} to the listener, without accepting. */
    public void handshakePassive(int peerPort) {
        usePeerPort(peerPort);
        inject(in(TcpHeader.SYN).seq(0).ack(0).mss(PEER_MSS));
        expect(out(TcpHeader.SYN | TcpHeader.ACK).seq(0).ack(1).len(0));
        inject(in(TcpHeader.ACK).seq(1).ack(1));
        expectNothing();
        assertState(TcpState.ESTABLISHED);
    }

    public void assertState(TcpState expected) {
        TcpState actual = state();
        if (actual != expected) {
            fail("expected the connection in " + expected + " but it is " + actual + " at " + time(now()));
        }
    }

    // =================================================================================================
    // Data helpers
    // =================================================================================================

    /** {@code n} bytes of a recognisable pattern starting at {@code offset} of a notional stream. */
    public static byte[] bytes(int offset, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((offset + i) * 31 + 7);
        }
        return b;
    }

    public static byte[] bytes(int n) {
        return bytes(0, n);
    }

    /** Writes {@code data} non-blocking and asserts all of it was queued. */
    public void write(TcpSocket s, byte[] data) throws IOException {
        int n = s.write(ByteBuffer.wrap(data), 0);
        if (n != data.length) {
            fail("wrote " + n + " of " + data.length + " bytes");
        }
        poll();
    }

    /** Reads everything readable now (non-blocking). */
    public byte[] read(TcpSocket s) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(1 << 20);
        int n = s.read(dst, 0);
        poll();
        return n <= 0 ? new byte[0] : Arrays.copyOf(dst.array(), n);
    }

    // =================================================================================================
    // Injecting
    // =================================================================================================

    /** A segment from the peer of the current connection; seq 0 and ack 0 relative, window 65535, no options. */
    public In in(int flags) {
        return new In(flags);
    }

    /** Encodes {@code seg}, hands it to the stack and polls. */
    public void inject(In seg) {
        inject(seg.toSpec());
    }

    public void inject(SegmentSpec spec) {
        injectRaw(spec.encode(stack.alloc()));
    }

    /** Hands a raw IP packet (ownership passes) to the stack and polls. */
    public void injectRaw(ByteBuf packet) {
        link.inject(packet);
        poll();
    }

    /** A segment the peer sends; sequence numbers relative unless set with the {@code abs} methods. */
    public final class In {
        private int flags;
        private int seq;
        private boolean seqAbsolute;
        private int ack;
        private boolean ackAbsolute;
        private int window = 65535;
        private TcpOptionSpec options = TcpOptionSpec.NONE;
        private byte[] payload = new byte[0];
        private int srcPort = remotePort;
        private int dstPort = localPort;

        private In(int flags) {
            this.flags = flags;
        }

        /** SEG.SEQ relative to the peer's ISS. */
        public In seq(int relative) {
            this.seq = relative;
            this.seqAbsolute = false;
            return this;
        }

        public In absSeq(int seq) {
            this.seq = seq;
            this.seqAbsolute = true;
            return this;
        }

        /** SEG.ACK relative to the stack's ISS. */
        public In ack(int relative) {
            this.ack = relative;
            this.ackAbsolute = false;
            return this;
        }

        public In absAck(int ack) {
            this.ack = ack;
            this.ackAbsolute = true;
            return this;
        }

        public In win(int window) {
            this.window = window;
            return this;
        }

        public In mss(int mss) {
            this.options = new TcpOptionSpec(
                    mss,
                    options.windowScale(),
                    options.sackPermitted(),
                    options.timestamps(),
                    options.tsVal(),
                    options.tsEcr(),
                    options.sackBlocks());
            return this;
        }

        public In options(TcpOptionSpec options) {
            this.options = options;
            return this;
        }

        /** {@code n} bytes of the pattern, as if at stream offset {@code relativeSeq - 1}. */
        public In data(int n) {
            this.payload = bytes(seqAbsolute ? 0 : seq - 1, n);
            return this;
        }

        public In payload(byte[] payload) {
            this.payload = payload.clone();
            return this;
        }

        public In srcPort(int port) {
            this.srcPort = port;
            return this;
        }

        public In dstPort(int port) {
            this.dstPort = port;
            return this;
        }

        public In flags(int flags) {
            this.flags = flags;
            return this;
        }

        public SegmentSpec toSpec() {
            int absSeq = seqAbsolute ? seq : peerIss + seq;
            int absAck = ackAbsolute ? ack : (localIssKnown ? localIss : 0) + ack;
            return new SegmentSpec(REMOTE, srcPort, LOCAL, dstPort, absSeq, absAck, flags, window, options, payload);
        }
    }

    // =================================================================================================
    // Expecting
    // =================================================================================================

    /** An expected segment from the stack; unset fields are not checked. PSH is ignored unless {@link Out#psh}. */
    public Out out(int flags) {
        return new Out(flags);
    }

    /** What the stack is expected to send. */
    public static final class Out {
        private final int flags;
        private Boolean psh;
        private Integer seq;
        private Integer ack;
        private Integer window;
        private Integer len;
        private byte[] payload;
        private Predicate<TcpOptionSpec> options;
        private String optionsDescription;

        private Out(int flags) {
            this.flags = flags;
        }

        /** SEG.SEQ relative to the stack's ISS. */
        public Out seq(int relative) {
            this.seq = relative;
            return this;
        }

        /** SEG.ACK relative to the peer's ISS. */
        public Out ack(int relative) {
            this.ack = relative;
            return this;
        }

        public Out win(int window) {
            this.window = window;
            return this;
        }

        public Out len(int len) {
            this.len = len;
            return this;
        }

        public Out payload(byte[] payload) {
            this.payload = payload.clone();
            this.len = payload.length;
            return this;
        }

        public Out psh(boolean set) {
            this.psh = set;
            return this;
        }

        public Out options(Predicate<TcpOptionSpec> check, String description) {
            this.options = check;
            this.optionsDescription = description;
            return this;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[")
                    .append(TcpHeader.flagsToString(flags))
                    .append(']');
            if (psh != null) {
                sb.append(psh ? " +PSH" : " -PSH");
            }
            if (seq != null) {
                sb.append(" seq=").append(seq);
            }
            if (ack != null) {
                sb.append(" ack=").append(ack);
            }
            if (window != null) {
                sb.append(" win=").append(window);
            }
            if (len != null) {
                sb.append(" len=").append(len);
            }
            if (optionsDescription != null) {
                sb.append(" opts{").append(optionsDescription).append('}');
            }
            return sb.toString();
        }
    }

    /**
     * Takes the next segment the stack sent and checks it against {@code expected}; the failure message shows both
     * in relative form, with the absolute segment and whatever else is queued.
     */
    public ScriptedLink.Sent expect(Out expected) {
        poll();
        ScriptedLink.Sent sent = link.poll();
        if (sent == null) {
            fail("expected " + expected + " at " + time(now()) + " but the stack sent nothing");
        }
        if (sent.segment() == null) {
            fail("expected " + expected + " but the stack sent an undecodable packet: " + sent.undecodable());
        }
        SegmentSpec s = sent.segment();
        if ((s.flags() & TcpHeader.SYN) != 0 && (expected.flags & TcpHeader.SYN) != 0 && !localIssKnown) {
            localIss = s.seq();
            localIssKnown = true;
            localPort = s.srcPort();
        }
        List<String> problems = new ArrayList<>();
        int mask = expected.psh == null ? ~TcpHeader.PSH : ~0;
        if ((s.flags() & mask) != (expected.flags & mask)) {
            problems.add("flags");
        }
        if (expected.psh != null && s.has(TcpHeader.PSH) != expected.psh) {
            problems.add("PSH");
        }
        if (!s.dst().equals(REMOTE)
                || s.dstPort() != remotePort
                || !s.src().equals(LOCAL)
                || s.srcPort() != localPort) {
            problems.add("addresses (expected " + LOCAL + ":" + localPort + " > " + REMOTE + ":" + remotePort + ")");
        }
        if (expected.seq != null && s.seq() - (localIssKnown ? localIss : 0) != expected.seq) {
            problems.add("seq");
        }
        if (expected.ack != null && s.ack() - peerIss != expected.ack) {
            problems.add("ack");
        }
        if (expected.window != null && s.window() != expected.window) {
            problems.add("window");
        }
        if (expected.len != null && s.payloadLength() != expected.len) {
            problems.add("len");
        }
        if (expected.payload != null && !Arrays.equals(expected.payload, s.payload())) {
            problems.add("payload bytes");
        }
        if (expected.options != null && !expected.options.test(s.options())) {
            problems.add("options");
        }
        if (!problems.isEmpty()) {
            fail("expected " + expected + "\n     but got " + describe(sent) + "\n     wrong: " + problems
                    + "\n     absolute: " + s + "\n     still queued:" + link.pending());
        }
        return sent;
    }

    /** Like {@link #expect} and also checks that the segment was sent exactly at {@code atNs}. */
    public ScriptedLink.Sent expectAt(long atNs, Out expected) {
        ScriptedLink.Sent sent = expect(expected);
        if (sent.atNs() != atNs) {
            fail("expected " + expected + " at " + time(atNs) + " but it was sent at " + time(sent.atNs()));
        }
        return sent;
    }

    /** Takes the next segment and checks it with a predicate. */
    public SegmentSpec expectSegment(Predicate<SegmentSpec> check, String description) {
        poll();
        ScriptedLink.Sent sent = link.poll();
        if (sent == null || sent.segment() == null) {
            fail("expected " + description + " but got " + (sent == null ? "nothing" : sent.undecodable()));
        }
        if (!check.test(sent.segment())) {
            fail("expected " + description + " but got " + describe(sent));
        }
        return sent.segment();
    }

    /** Asserts the stack has sent nothing not yet expected. */
    public void expectNothing() {
        poll();
        if (link.hasTransmitted()) {
            fail("expected nothing at " + time(now()) + " but the stack sent:" + pendingRelative());
        }
    }

    private String pendingRelative() {
        StringBuilder sb = new StringBuilder();
        ScriptedLink.Sent s;
        List<ScriptedLink.Sent> all = new ArrayList<>();
        while ((s = link.poll()) != null) {
            all.add(s);
        }
        for (ScriptedLink.Sent x : all) {
            sb.append("\n    ").append(describe(x));
        }
        return sb.toString();
    }

    /** A stack segment in relative form: {@code t=+1000.000ms [SYN|ACK] seq=0 ack=1 win=65535 len=0}. */
    public String describe(ScriptedLink.Sent sent) {
        if (sent.segment() == null) {
            return time(sent.atNs()) + " undecodable: " + sent.undecodable();
        }
        SegmentSpec s = sent.segment();
        int seqBase = localIssKnown ? localIss : 0;
        return time(sent.atNs()) + " " + s.srcPort() + ">" + s.dstPort() + " [" + TcpHeader.flagsToString(s.flags())
                + "] seq=" + (s.seq() - seqBase) + (s.has(TcpHeader.ACK) ? " ack=" + (s.ack() - peerIss) : "")
                + " win=" + s.window()
                + (s.options().isEmpty() ? "" : " opts{" + s.options() + "}") + " len=" + s.payloadLength();
    }

    private static String time(long ns) {
        return String.format("t=%.6fms", (ns - SEC) / 1e6);
    }

    @Override
    public void close() {
        for (TcpSocket s : sockets) {
            s.abort();
        }
        // Connections whose sockets the test never saw (accepted directly) still hold send buffers.
        for (TcpConnection c : new ArrayList<>(connections())) {
            stack.tcp().abort(c, now());
        }
        poll();
        stack.close();
        Objects.requireNonNull(link);
    }
}

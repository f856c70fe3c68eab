package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * What a behaviour gets: the implementation under test, factories that track what they open (closed after the
 * behaviour, in reverse order), ready-made connections between subject and peer, and background tasks that are
 * stopped afterwards.
 *
 * <p>Naming: {@code channel()}, {@code socket()}, ... open on the subject; {@code peerChannel()}, ... on the peer.
 * {@code connect...()} makes the subject the client of a peer listener; {@code accept...()} makes the subject the
 * server that a peer client connects to.
 */
public final class Tck implements AutoCloseable {
    /** A connection between the subject and the peer, as channels. */
    public record Channels(SocketChannel subject, SocketChannel peer) {}

    /** Writes a whole array somewhere (a stream or a blocking channel). */
    @FunctionalInterface
    public interface IoWriter {
        void write(byte[] b) throws IOException;
    }

    /** A connection between the subject and the peer, as {@code java.net.Socket}s. */
    public record Sockets(Socket subject, Socket peer) {}

    /** A connection between an asynchronous subject channel and a (blocking) peer channel. */
    public record AsyncChannels(AsynchronousSocketChannel subject, SocketChannel peer) {}

    /** The prefix of the names of the threads of {@link #asyncGroup()}'s pool. */
    public static final String ASYNC_THREAD = "tck-async-";

    private final Implementation impl;
    private AsynchronousChannelGroup group;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    Tck(Implementation impl) {
        this.impl = impl;
    }

    public Implementation impl() {
        return impl;
    }

    /** The implementation's name, e.g. {@code modtcp-tun}. */
    public String name() {
        return impl.name();
    }

    public Side subject() {
        return impl.subject();
    }

    public Side peer() {
        return impl.peer();
    }

    /** Closes {@code c} after the behaviour (before anything opened earlier). */
    public synchronized <T extends AutoCloseable> T track(T c) {
        resources.push(c);
        return c;
    }

    // --- the subject's ---

    public SocketChannel channel() throws IOException {
        return track(subject().openChannel());
    }

    public ServerSocketChannel serverChannel() throws IOException {
        return track(subject().openServerChannel());
    }

    public Selector selector() throws IOException {
        return track(subject().openSelector());
    }

    public Socket socket() throws IOException {
        return track(subject().newSocket());
    }

    public ServerSocket serverSocket() throws IOException {
        return track(subject().newServerSocket());
    }

    /** A subject server channel bound to the subject's address, ephemeral port, backlog 50. */
    public ServerSocketChannel listener() throws IOException {
        ServerSocketChannel ssc = serverChannel();
        ssc.bind(new InetSocketAddress(subject().address(), 0), 50);
        return ssc;
    }

    /**
     * A new group of the subject's asynchronous provider with a fixed pool of two daemon threads named {@link
     * #ASYNC_THREAD}{@code n}; shut down now (and awaited) after the behaviour.
     */
    public AsynchronousChannelGroup newAsyncGroup() throws IOException {
        AtomicInteger n = new AtomicInteger();
        return trackGroup(subject().asyncProvider().openAsynchronousChannelGroup(2, r -> {
            Thread t = new Thread(r, ASYNC_THREAD + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
    }

    /** Shuts {@code g} down now after the behaviour and waits (5 s at most) for it to terminate. */
    public AsynchronousChannelGroup trackGroup(AsynchronousChannelGroup g) {
        track(() -> {
            g.shutdownNow();
            if (!g.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IOException("the group did not terminate in 5 s after shutdownNow");
            }
        });
        return g;
    }

    /** The behaviour's group (see {@link #newAsyncGroup()}), made on first use. */
    public synchronized AsynchronousChannelGroup asyncGroup() throws IOException {
        if (group == null) {
            group = newAsyncGroup();
        }
        return group;
    }

    /** An asynchronous socket channel of the subject in {@link #asyncGroup()}. */
    public AsynchronousSocketChannel asyncChannel() throws IOException {
        return asyncChannel(asyncGroup());
    }

    /** An asynchronous socket channel of the subject in {@code g} (null: the provider's default group). */
    public AsynchronousSocketChannel asyncChannel(AsynchronousChannelGroup g) throws IOException {
        return track(subject().asyncProvider().openAsynchronousSocketChannel(g));
    }

    /** An unbound asynchronous server channel of the subject in {@link #asyncGroup()}. */
    public AsynchronousServerSocketChannel asyncServerChannel() throws IOException {
        return track(subject().asyncProvider().openAsynchronousServerSocketChannel(asyncGroup()));
    }

    /** An asynchronous server channel of the subject bound to the subject's address, ephemeral port. */
    public AsynchronousServerSocketChannel asyncListener() throws IOException {
        return asyncServerChannel().bind(new InetSocketAddress(subject().address(), 0));
    }

    /** An asynchronous subject channel connects (Future) to a peer listener; the peer accepts. */
    public AsyncChannels asyncConnect() throws Exception {
        ServerSocketChannel l = peerListener();
        AsynchronousSocketChannel c = asyncChannel();
        c.connect(l.getLocalAddress()).get(10, TimeUnit.SECONDS);
        SocketChannel a = track(l.accept());
        return new AsyncChannels(c, a);
    }

    /** A peer client (blocking channel) connects to an asynchronous subject listener, which accepts (Future). */
    public AsyncChannels asyncAccept() throws Exception {
        AsynchronousServerSocketChannel l = asyncListener();
        Future<AsynchronousSocketChannel> f = l.accept();
        SocketChannel c = peerChannel();
        assertTrue(c.connect(l.getLocalAddress()), "a blocking connect completes");
        AsynchronousSocketChannel a = track(f.get(10, TimeUnit.SECONDS));
        return new AsyncChannels(a, c);
    }

    // --- the peer's ---

    public SocketChannel peerChannel() throws IOException {
        return track(peer().openChannel());
    }

    public ServerSocketChannel peerServerChannel() throws IOException {
        return track(peer().openServerChannel());
    }

    public Socket peerSocket() throws IOException {
        return track(peer().newSocket());
    }

    public ServerSocket peerServerSocket() throws IOException {
        return track(peer().newServerSocket());
    }

    /** A peer server channel bound to the peer's address, ephemeral port, backlog 50. */
    public ServerSocketChannel peerListener() throws IOException {
        ServerSocketChannel ssc = peerServerChannel();
        ssc.bind(new InetSocketAddress(peer().address(), 0), 50);
        return ssc;
    }

    /**
     * An address of the peer where nothing listens: a port held by a bound, never listening peer channel (closed after
     * the behaviour), so a SYN to it is refused. Not a listener bound and closed again: a modtcp listener's close is
     * handled by its stack thread after close() returns, and a SYN that reaches the stack first still finds it.
     */
    public InetSocketAddress unusedPeerAddress() throws IOException {
        SocketChannel holder = peerChannel();
        holder.bind(new InetSocketAddress(peer().address(), 0));
        return (InetSocketAddress) holder.getLocalAddress();
    }

    // --- connections ---

    /** The subject (blocking channel) connects to a peer listener; the peer accepts. */
    public Channels connect() throws IOException {
        ServerSocketChannel l = peerListener();
        SocketChannel c = channel();
        assertTrue(c.connect(l.getLocalAddress()), "a blocking connect completes");
        SocketChannel a = track(l.accept());
        return new Channels(c, a);
    }

    /** A peer client (blocking channel) connects to a subject listener; the subject accepts. */
    public Channels accept() throws IOException {
        ServerSocketChannel l = listener();
        SocketChannel c = peerChannel();
        assertTrue(c.connect(l.getLocalAddress()), "a blocking connect completes");
        SocketChannel a = track(l.accept());
        return new Channels(a, c);
    }

    /** The subject ({@code java.net.Socket}) connects to a peer {@code ServerSocket}; the peer accepts. */
    public Sockets connectSockets() throws IOException {
        ServerSocket l = peerServerSocket();
        l.bind(new InetSocketAddress(peer().address(), 0));
        Socket c = socket();
        c.connect(l.getLocalSocketAddress(), 10_000);
        Socket a = track(l.accept());
        return new Sockets(c, a);
    }

    /** A peer {@code Socket} connects to a subject {@code ServerSocket}; the subject accepts. */
    public Sockets acceptSockets() throws IOException {
        ServerSocket l = serverSocket();
        l.bind(new InetSocketAddress(subject().address(), 0));
        Socket c = peerSocket();
        c.connect(l.getLocalSocketAddress(), 10_000);
        Socket a = track(l.accept());
        return new Sockets(a, c);
    }

    // --- capabilities ---

    /** Skips the behaviour where the implementation has no IPv6 path. */
    public void assumeIpv6() {
        Assumptions.assumeTrue(subject().address6() != null && peer().address6() != null, name() + " has no IPv6");
    }

    /** The subject's IPv6 address (after {@link #assumeIpv6()}). */
    public InetAddress address6() {
        return subject().address6();
    }

    // --- background work ---

    /**
     * Runs {@code task} on a new platform thread; the behaviour ends by interrupting it if it still runs (and the
     * resources it blocks on are closed then too).
     */
    public <T> Future<T> async(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        f.complete(task.call());
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                },
                "tck-" + name());
        t.setDaemon(true);
        track(() -> {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(5));
        });
        t.start();
        return f;
    }

    // --- data ---

    /** {@code n} bytes of a fixed pattern that does not repeat with a short period. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i % 251) + 7 * ((i / 251) % 256));
        }
        return b;
    }

    /** Reads exactly {@code n} bytes (a blocking channel), or fewer if the stream ends first. */
    public static byte[] readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                break;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }

    /** Writes all of {@code b} (a blocking channel). */
    public static void writeFully(SocketChannel ch, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        Exception first = null;
        while (true) {
            AutoCloseable c;
            synchronized (this) {
                c = resources.poll();
            }
            if (c == null) {
                break;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first != null) {
            throw new IOException("closing what a behaviour opened", first);
        }
    }
}

package io.modtcp.tun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * A point-to-point link over UNIX-domain datagram sockets (jnr-unixsocket): each datagram is one IP packet. Two
 * modtcp stacks, in one process or two, are wired together with no privileges: each binds its own path and sends to
 * the other's.
 *
 * <p>The kernel bounds a datagram socket's receive queue by packets ({@code net.unix.max_dgram_qlen}, 10 by
 * default, or 512 in some distributions), so a burst from the peer can find it full. Rather than drop at once, a
 * packet that would block waits in a bounded transmit queue ({@code txQueueCapacity} packets; beyond it packets
 * are dropped and counted) and is retried every stack round; {@link #nextEventNs} asks for a round soon while the
 * queue is not empty.
 */
public final class UnixDatagramLink implements FdLink {
    private static final System.Logger LOG = System.getLogger(UnixDatagramLink.class.getName());
    private static final long RETRY_NS = 50_000;

    private final UnixDatagramChannel channel;
    private final UnixSocketAddress peer;
    private final Path localPath;
    private final int mtu;
    private final ByteBufAllocator alloc;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(65536);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(65536);
    private final ArrayDeque<ByteBuf> txQueue = new ArrayDeque<>();
    private final int txQueueCapacity;
    private final AtomicLong txDrops = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private long lastNowNs;
    private volatile boolean closed;

    private UnixDatagramLink(
            UnixDatagramChannel channel,
            Path localPath,
            Path peerPath,
            int mtu,
            int txQueueCapacity,
            ByteBufAllocator alloc) {
        this.channel = channel;
        this.localPath = localPath;
        this.peer = new UnixSocketAddress(peerPath.toFile());
        this.mtu = mtu;
        this.txQueueCapacity = txQueueCapacity;
        this.alloc = alloc;
    }

    /**
     * Binds {@code localPath} (removing a stale socket file there) and sends to {@code peerPath}, which the other end
     * binds; either end may start first.
     */
    public static UnixDatagramLink open(Path localPath, Path peerPath, int mtu) throws IOException {
        return open(localPath, peerPath, mtu, 4096, PooledByteBufAllocator.DEFAULT);
    }

    public static UnixDatagramLink open(
            Path localPath, Path peerPath, int mtu, int txQueueCapacity, ByteBufAllocator alloc) throws IOException {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be 68..65535: " + mtu);
        }
        Files.deleteIfExists(localPath);
        UnixDatagramChannel ch = UnixDatagramChannel.open();
        try {
            ch.bind(new UnixSocketAddress(localPath.toFile()));
            ch.configureBlocking(false);
            ch.setOption(jnr.unixsocket.UnixSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
            ch.setOption(jnr.unixsocket.UnixSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
        } catch (IOException e) {
            ch.close();
            throw new IOException(
                    "bind(AF_UNIX, SOCK_DGRAM, \"" + localPath + "\") failed: " + e.getMessage()
                            + ": the directory must exist and be writable, and the path shorter than 108 bytes",
                    e);
        }
        return new UnixDatagramLink(ch, localPath, peerPath, mtu, txQueueCapacity, alloc);
    }

    @Override
    public String name() {
        return "unix:" + localPath.getFileName();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int fd() {
        return closed ? -1 : channel.getFD();
    }

    /** Packets dropped: transmit queue full, peer gone, or closed. */
    public long txDrops() {
        return txDrops.get();
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        lastNowNs = nowNs;
        if (closed) {
            txDrops.incrementAndGet();
            packet.release();
            return false;
        }
        flush();
        if (!txQueue.isEmpty() || !trySend(packet)) {
            if (txQueue.size() >= txQueueCapacity) {
                txDrops.incrementAndGet();
                packet.release();
                return false;
            }
            txQueue.add(packet);
        }
        return true;
    }

    private void flush() {
        ByteBuf head;
        while ((head = txQueue.peek()) != null) {
            if (!trySend(head)) {
                return;
            }
            txQueue.poll();
        }
    }

    /** Sends and releases {@code packet}, or keeps it (returns false) when the peer's queue is full. */
    private boolean trySend(ByteBuf packet) {
        tx.clear();
        packet.getBytes(packet.readerIndex(), tx.limit(packet.readableBytes()));
        tx.flip();
        try {
            int n = channel.send(tx, peer);
            if (n == 0) {
                return false;
            }
        } catch (IOException e) {
            // Peer not bound yet or gone (ECONNREFUSED, ENOENT): the packet is lost, as on a cable.
            txDrops.incrementAndGet();
            long k = errors.incrementAndGet();
            if (k <= 3 || Long.bitCount(k) == 1) {
                LOG.log(System.Logger.Level.DEBUG, "sendto({0}) failed: {1}", peer, e.getMessage());
            }
        }
        packet.release();
        return true;
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        lastNowNs = nowNs;
        if (closed) {
            return 0;
        }
        flush();
        int count = 0;
        while (count < max) {
            rx.clear();
            try {
                if (channel.receive(rx) == null) {
                    break;
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                break;
            }
            rx.flip();
            if (!rx.hasRemaining()) {
                break;
            }
            ByteBuf packet = alloc.directBuffer(rx.remaining());
            packet.writeBytes(rx);
            count++;
            sink.accept(packet);
        }
        return count;
    }

    @Override
    public long nextEventNs() {
        return txQueue.isEmpty() ? Long.MAX_VALUE : lastNowNs + RETRY_NS;
    }

    /** Not used: the stack thread polls {@link #fd()} (see {@link PollWaiter}). */
    @Override
    public void setWakeup(Runnable wakeup) {}

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf p;
        while ((p = txQueue.poll()) != null) {
            p.release();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        try {
            Files.deleteIfExists(localPath);
        } catch (IOException e) {
            // best effort
        }
    }
}

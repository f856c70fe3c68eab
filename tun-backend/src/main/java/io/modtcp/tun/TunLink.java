package io.modtcp.tun;

import io.modtcp.stack.link.Link;
import io.modtcp.stack.link.Offload;
import io.modtcp.stack.wire.Checksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A Linux TUN device as a {@link Link}: whole IP packets, no packet-information header ({@code IFF_TUN |
 * IFF_NO_PI}), read and written with non-blocking {@code read(2)}/{@code write(2)} on the stack thread.
 *
 * <p><b>Offloads</b> (on unless opened with {@code offload} false; see docs/tun.md): the device is opened with
 * {@code IFF_VNET_HDR}, so a 10-byte {@link VirtioNetHeader} precedes every packet each way, and the link offers the
 * kernel {@code TUNSETOFFLOAD} {@code TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6}. The kernel then hands over TCP
 * super-segments of up to 64 KiB with a partial or already verified checksum, which go up the stack as one packet
 * with {@link Offload} hints, and takes ours: the stack builds TCP packets of up to 64 KiB with a partial checksum
 * ({@link #transmitOffloaded}), and the kernel segments them only where it must (delivered locally, it does not).
 * If the kernel refuses TSO, or later refuses an offloaded packet, the link falls back (checksum offload only, then
 * plain packets) and logs one line.
 *
 * <p>Two ways to get a device: {@link #open} attaches to a persistent device that an administrator created for this
 * user ({@code ip tuntap add dev mt0 mode tun user alice}; the JVM then needs no privilege), or creates a new one
 * when the JVM has {@code CAP_NET_ADMIN} (it disappears when this link is closed). Configuring the kernel side
 * (address, MTU, up, namespace) is the administrator's or the test fixture's job; see docs/tun.md.
 *
 * <p>Reads go into one scratch buffer of 64 KiB and a little more (a TUN read never truncates a packet that fits in
 * it, and no IP packet or super-segment is larger) and are copied into a right-sized pooled buffer, so a large MTU costs no memory per small packet. A write
 * goes straight from the packet's memory when it is one direct buffer, else through a scratch copy. Errors after
 * opening never throw out of the stack loop: a failed write drops the packet and counts it.
 */
public final class TunLink implements FdLink {
    private static final System.Logger LOG = System.getLogger(TunLink.class.getName());
    /** {@code _IOW('T', 202, int)}. */
    static final long TUNSETIFF = 0x400454caL;

    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_TAP = 0x0002;
    static final short IFF_VNET_HDR = 0x4000;
    /** {@code _IOW('T', 208, unsigned int)}: the argument is passed by value. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}: the argument is a pointer to the size. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;

    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int EINVAL = 22;
    static final int IFNAMSIZ = 16;
    static final String DEV = "/dev/net/tun";
    /** A 64 KiB packet (tun's gso_max_size: the largest super-segment) and its virtio header, with room to spare. */
    private static final int SCRATCH = 65536 + 64;

    private final LibC libc;
    private final String name;
    private final int mtu;
    private final ByteBufAllocator alloc;
    private final ByteBuffer rxScratch = ByteBuffer.allocateDirect(SCRATCH);
    private final ByteBuf rxScratchBuf = Unpooled.wrappedBuffer(rxScratch);
    private final long rxAddr;
    private final ByteBuffer txScratch = ByteBuffer.allocateDirect(SCRATCH);
    private final ByteBuf txScratchBuf = Unpooled.wrappedBuffer(txScratch);
    private final long txAddr;
    private volatile int fd;
    private final AtomicLong rxPackets = new AtomicLong();
    private final AtomicLong txPackets = new AtomicLong();
    private final AtomicLong txDrops = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong rxMalformed = new AtomicLong();
    private final AtomicLong rxSuperSegments = new AtomicLong();
    private final AtomicLong txSuperSegments = new AtomicLong();
    /** Whether every packet carries a {@link VirtioNetHeader} (IFF_VNET_HDR). */
    private final boolean vnetHdr;
    /** {@link Offload} TX bits the kernel accepted; shrinks to 0 if the kernel refuses an offloaded packet. */
    private volatile int txOffloads;
    /** The virtio header of the packet being written, and the two-entry iovec (header, packet) for writev. */
    private final ByteBuffer txHdr = ByteBuffer.allocateDirect(16);

    private final ByteBuf txHdrBuf = Unpooled.wrappedBuffer(txHdr);
    private final long txHdrAddr;
    private final ByteBuffer iov = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
    private final long iovAddr;

    private TunLink(LibC libc, int fd, String name, int mtu, ByteBufAllocator alloc, boolean vnetHdr, int txOffloads) {
        this.libc = libc;
        this.fd = fd;
        this.name = name;
        this.mtu = mtu;
        this.alloc = alloc;
        this.vnetHdr = vnetHdr;
        this.txOffloads = txOffloads;
        this.rxAddr = Pointer.wrap(Native.runtime(), rxScratch).address();
        this.txAddr = Pointer.wrap(Native.runtime(), txScratch).address();
        this.txHdrAddr = Pointer.wrap(Native.runtime(), txHdr).address();
        this.iovAddr = Pointer.wrap(Native.runtime(), iov).address();
        iov.putLong(0, txHdrAddr);
        iov.putLong(8, VirtioNetHeader.LENGTH);
    }

    /** Attaches to or creates TUN device {@code name} with the pooled allocator and offloads on; see {@link #open(String, int, ByteBufAllocator, boolean)}. */
    public static TunLink open(String name, int mtu) throws IOException {
        return open(name, mtu, PooledByteBufAllocator.DEFAULT, true);
    }

    /** As {@link #open(String, int)}; {@code offload} false opens the plain device (no virtio header, no offloads). */
    public static TunLink open(String name, int mtu, boolean offload) throws IOException {
        return open(name, mtu, PooledByteBufAllocator.DEFAULT, offload);
    }

    /** As {@link #open(String, int, ByteBufAllocator, boolean)} with offloads on. */
    public static TunLink open(String name, int mtu, ByteBufAllocator alloc) throws IOException {
        return open(name, mtu, alloc, true);
    }

    /**
     * Opens {@code /dev/net/tun} and attaches it to device {@code name} (created if it does not exist, which needs
     * {@code CAP_NET_ADMIN}).
     *
     * @param name the device name, at most 15 characters; a pattern such as {@code mt%d} lets the kernel choose
     * @param mtu the largest packet the stack will send (68..65535); the device's MTU must be set to the same
     *     (SIOCSIFMTU, {@code ip link set NAME mtu N}) or the kernel drops larger packets
     * @param offload open with the virtio-net header and offer checksum offload and TSO (falling back, with one log
     *     line, to what the kernel accepts); false: plain packets
     * @throws IOException naming the syscall, errno and the fix when the device cannot be opened
     */
    public static TunLink open(String name, int mtu, ByteBufAllocator alloc, boolean offload) throws IOException {
        if (name == null || name.isEmpty() || name.length() >= IFNAMSIZ || name.contains("/")) {
            throw new IllegalArgumentException("TUN device name must be 1..15 characters without '/': " + name);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be 68..65535: " + mtu);
        }
        LibC c = Native.libc();
        int fd = c.open(DEV, Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Native.errno();
            throw Native.error("open(\"" + DEV + "\", O_RDWR)", errno, openFix(errno));
        }
        Pointer ifr = Memory.allocateDirect(Native.runtime(), 40, true);
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        ifr.put(0, nameBytes, 0, nameBytes.length);
        // The virtio header's fields are in the host's order unless TUNSETVNETLE/BE says otherwise
        // (tun_is_little_endian); the parser reads little-endian, so a big-endian host keeps plain packets.
        boolean vnet = offload && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        ifr.putShort(IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0)));
        if (c.ioctl(fd, TUNSETIFF, ifr) < 0) {
            int errno = Native.errno();
            c.close(fd);
            throw Native.error(
                    "ioctl(" + DEV + ", TUNSETIFF, \"" + name + "\", IFF_TUN|IFF_NO_PI" + (vnet ? "|IFF_VNET_HDR" : "")
                            + ")",
                    errno,
                    setIffFix(errno, name));
        }
        String actual = ifr.getString(0, IFNAMSIZ, StandardCharsets.US_ASCII);
        int tx = 0;
        if (vnet) {
            // 10 bytes, struct virtio_net_hdr: TUN's default, set explicitly because it is a property of the device
            // (a persistent one may have been left at 12 by another user). The 12-byte virtio_net_hdr_mrg_rxbuf adds
            // num_buffers, which only a virtio device with mergeable receive buffers fills; TUN never does.
            Pointer size = Memory.allocateDirect(Native.runtime(), 4, true);
            size.putInt(0, VirtioNetHeader.LENGTH);
            if (c.ioctl(fd, TUNSETVNETHDRSZ, size) < 0) {
                int errno = Native.errno();
                c.close(fd);
                throw Native.error("ioctl(" + actual + ", TUNSETVNETHDRSZ, 10)", errno, null);
            }
            tx = offerOffloads(c, fd, actual);
        } else if (c.ioctl(fd, TUNSETOFFLOAD, 0L) < 0) {
            // Offloads are a property of the device (tun.c set_offload sets its features): a persistent device last
            // opened with offloads keeps TSO and checksum offload, and the kernel would hand a reader without the
            // virtio header 64 KiB GSO packets and partial checksums. Plain means none.
            int errno = Native.errno();
            c.close(fd);
            throw Native.error("ioctl(" + actual + ", TUNSETOFFLOAD, 0)", errno, null);
        }
        return new TunLink(c, fd, actual, mtu, alloc, vnet, tx);
    }

    /**
     * Offers {@code TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6}, then checksum offload alone, then nothing, as far as the
     * kernel accepts (tun.c {@code set_offload}: TSO needs CSUM, unknown bits are EINVAL); logs one line on a
     * fallback.
     *
     * @return the {@link Offload} TX bits accepted
     */
    private static int offerOffloads(LibC c, int fd, String name) {
        if (c.ioctl(fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0) {
            return Offload.TX_CSUM | Offload.TX_TSO4 | Offload.TX_TSO6;
        }
        int tsoErrno = Native.errno();
        if (c.ioctl(fd, TUNSETOFFLOAD, (long) TUN_F_CSUM) == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0}: the kernel refused TSO (TUNSETOFFLOAD: {1}); checksum offload only, one packet per segment",
                    name,
                    Native.errnoName(tsoErrno));
            return Offload.TX_CSUM;
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "{0}: the kernel refused offloads (TUNSETOFFLOAD: {1}); plain packets",
                name,
                Native.errnoName(Native.errno()));
        return 0;
    }

    static String openFix(int errno) {
        switch (Native.errnoName(errno)) {
            case "ENOENT":
            case "ENODEV":
            case "ENXIO":
                return Files.exists(Path.of(DEV))
                        ? "the tun driver is not loaded: run `modprobe tun` as root"
                        : DEV + " does not exist: load the driver (`modprobe tun`) or create the node (`mkdir -p"
                                + " /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun`); in a"
                                + " container pass the device (docker run --device /dev/net/tun --cap-add NET_ADMIN)";
            case "EACCES":
            case "EPERM":
                return "this user may not open " + DEV + ": make it world read-writable (`chmod 0666 " + DEV
                        + "`, the usual mode) or run with a user that can open it";
            default:
                return null;
        }
    }

    static String setIffFix(int errno, String name) {
        switch (Native.errnoName(errno)) {
            case "EPERM":
                return "creating a TUN device needs CAP_NET_ADMIN, and attaching to an existing persistent one"
                        + " needs to be its owner: either let an administrator create it for this user (`ip tuntap add"
                        + " dev " + name + " mode tun user $(id -un)`) or give the JVM CAP_NET_ADMIN (run as root, or"
                        + " `setcap cap_net_admin+ep` on the java binary)";
            case "EBUSY":
                return "device " + name + " is already attached to another open file (another process or TunLink"
                        + " holds it; see `ip -d link show " + name + "`): close that one or choose another name";
            case "EINVAL":
                return "device " + name + " exists but in another mode (a TAP device, or multi_queue/vnet_hdr"
                        + " flags that differ; see `ip -d link show " + name + "`): delete it (`ip link del " + name
                        + "`) and create it as a plain TUN device (`ip tuntap add dev " + name
                        + " mode tun user $(id -un)`), or choose another name";
            case "ENOTTY":
                return DEV + " is not the TUN clone device";
            default:
                return null;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int fd() {
        return fd;
    }

    /** Packets read from the device. */
    public long rxPackets() {
        return rxPackets.get();
    }

    /** Packets written to the device. */
    public long txPackets() {
        return txPackets.get();
    }

    /** Packets dropped because the device would not take them (full queue, device down, closed). */
    public long txDrops() {
        return txDrops.get();
    }

    /** Failed reads and writes other than would-block. */
    public long errors() {
        return errors.get();
    }

    /** Packets read with a virtio header that failed {@link VirtioNetHeader#rxOffload}'s checks (dropped). */
    public long rxMalformed() {
        return rxMalformed.get();
    }

    /** TCP super-segments read (a GSO type in their virtio header). */
    public long rxSuperSegments() {
        return rxSuperSegments.get();
    }

    /** TCP super-segments written (larger than the MTU, segmented by the kernel where it must). */
    public long txSuperSegments() {
        return txSuperSegments.get();
    }

    /** Whether packets carry a virtio-net header (the device was opened with offloads). */
    public boolean hasVnetHeader() {
        return vnetHdr;
    }

    @Override
    public int txOffloads() {
        return txOffloads;
    }

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        try {
            if (vnetHdr) {
                VirtioNetHeader.write(txHdrBuf, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0);
            }
            return write(packet) == 0;
        } finally {
            packet.release();
        }
    }

    /**
     * Writes a TCP packet with a partial checksum: a virtio header with {@code NEEDS_CSUM} (csum_start at the TCP
     * header, csum_offset 16) and, when the packet is larger than the MTU, {@code gso_type} TCPv4/TCPv6 with
     * {@code gso_size = segmentPayload}. Without the offload (never offered, or refused since) the checksum is
     * completed here and the packet goes plain; a super-segment then cannot go and is dropped (TCP sends it again in
     * MSS-sized segments).
     */
    @Override
    public boolean transmitOffloaded(ByteBuf packet, int segmentPayload, long nowNs) {
        try {
            int at = packet.readerIndex();
            int len = packet.readableBytes();
            int version = len > 0 ? packet.getUnsignedByte(at) >>> 4 : 0;
            int l4 = version == 4 ? (packet.getUnsignedByte(at) & 0x0f) * 4 : 40;
            if ((version != 4 && version != 6) || len < l4 + 20) {
                txDrops.incrementAndGet();
                return false;
            }
            int tcpHeaderEnd = l4 + (packet.getUnsignedByte(at + l4 + 12) >>> 4) * 4;
            boolean gso = len > mtu;
            int offloads = txOffloads;
            if (gso && ((offloads & (version == 4 ? Offload.TX_TSO4 : Offload.TX_TSO6)) == 0 || segmentPayload < 1)) {
                txDrops.incrementAndGet();
                return false;
            }
            if ((offloads & Offload.TX_CSUM) == 0) {
                completeChecksum(packet, at + l4, len - l4);
                if (vnetHdr) {
                    VirtioNetHeader.write(txHdrBuf, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0);
                }
                return write(packet) == 0;
            }
            int gsoType = !gso
                    ? VirtioNetHeader.GSO_NONE
                    : version == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
            VirtioNetHeader.write(txHdrBuf, 0, gsoType, segmentPayload, l4, tcpHeaderEnd);
            int errno = write(packet);
            if (errno == 0) {
                if (gso) {
                    txSuperSegments.incrementAndGet();
                }
                return true;
            }
            if (errno != EINVAL) {
                return false;
            }
            // The kernel refused the offloaded packet (virtio_net_hdr_to_skb): plain packets from now on.
            txOffloads = 0;
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0}: the kernel refused an offloaded packet (EINVAL); plain packets from now on",
                    name);
            if (gso) {
                return false;
            }
            completeChecksum(packet, at + l4, len - l4);
            VirtioNetHeader.write(txHdrBuf, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0);
            return write(packet) == 0;
        } finally {
            packet.release();
        }
    }

    /**
     * Completes a partial TCP checksum in software, as Linux's {@code skb_checksum_help} does for a device without
     * checksum offload: the field holds the pseudo-header sum, so the sum from the TCP header on, complemented, is it.
     */
    private static void completeChecksum(ByteBuf packet, int tcpOffset, int tcpLength) {
        int sum = Checksum.sum(packet, tcpOffset, tcpLength, 0);
        packet.setShort(tcpOffset + VirtioNetHeader.TCP_CSUM_OFFSET, Checksum.fold(sum));
    }

    /**
     * Writes one packet (after the virtio header in {@link #txHdr} when the device has one); counts it.
     *
     * @return 0, or the errno of the failed write (the packet is dropped and counted)
     */
    private int write(ByteBuf packet) {
        int f = fd;
        int len = packet.readableBytes();
        int hdr = vnetHdr ? VirtioNetHeader.LENGTH : 0;
        if (f < 0 || len + hdr > SCRATCH) {
            txDrops.incrementAndGet();
            return Native.EAGAIN;
        }
        boolean direct = packet.hasMemoryAddress();
        long addr;
        if (direct) {
            addr = packet.memoryAddress() + packet.readerIndex();
        } else {
            if (hdr > 0) {
                txHdrBuf.getBytes(0, txScratchBuf, 0, hdr);
            }
            packet.getBytes(packet.readerIndex(), txScratchBuf, hdr, len);
            addr = txAddr;
        }
        while (true) {
            long n;
            if (hdr > 0 && direct) {
                iov.putLong(16, addr);
                iov.putLong(24, len);
                n = libc.writev(f, iovAddr, 2);
            } else {
                n = libc.write(f, direct ? addr : txAddr, direct ? len : len + hdr);
            }
            if (n == len + hdr) {
                txPackets.incrementAndGet();
                return 0;
            }
            int errno = n < 0 ? Native.errno() : 0;
            if (errno == Native.EINTR) {
                continue;
            }
            txDrops.incrementAndGet();
            if (errno != Native.EAGAIN && !(errno == EINVAL && hdr > 0)) {
                error("write", errno);
            }
            return errno == 0 ? Native.EAGAIN : errno;
        }
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        int f = fd;
        int count = 0;
        int reads = 0;
        int hdr = vnetHdr ? VirtioNetHeader.LENGTH : 0;
        while (reads < max && f >= 0) {
            long n = libc.read(f, rxAddr, SCRATCH);
            if (n < 0) {
                int errno = Native.errno();
                if (errno == Native.EINTR) {
                    continue;
                }
                if (errno != Native.EAGAIN) {
                    error("read", errno);
                }
                break;
            }
            if (n == 0) {
                break;
            }
            reads++;
            rxPackets.incrementAndGet();
            int len = (int) n - hdr;
            int hints = 0;
            if (hdr > 0) {
                hints = len < 1 ? VirtioNetHeader.TRUNCATED : VirtioNetHeader.rxOffload(rxScratchBuf, 0, len);
                if (hints < 0) {
                    malformed(hints);
                    continue;
                }
                if ((hints & Offload.RX_GSO) != 0) {
                    rxSuperSegments.incrementAndGet();
                }
            }
            ByteBuf packet = alloc.directBuffer(len);
            packet.writeBytes(rxScratchBuf, hdr, len);
            count++;
            sink.accept(packet, hints);
        }
        return count;
    }

    private void malformed(int reason) {
        long m = rxMalformed.incrementAndGet();
        if (m <= 10 || Long.bitCount(m) == 1) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0}: dropped a packet with a malformed virtio-net header: {1} ({2} on this link)",
                    name,
                    VirtioNetHeader.reason(reason),
                    m);
        }
    }

    private void error(String call, int errno) {
        long e = errors.incrementAndGet();
        if (e <= 10 || Long.bitCount(e) == 1) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "{0}({1}) failed: {2} (error {3} on this link)",
                    call,
                    name,
                    Native.errnoName(errno),
                    e);
        }
    }

    @Override
    public long nextEventNs() {
        return Long.MAX_VALUE;
    }

    /** Not used: the stack thread learns of input by polling {@link #fd()} (see {@link PollWaiter}). */
    @Override
    public void setWakeup(Runnable wakeup) {}

    @Override
    public synchronized void close() {
        int f = fd;
        if (f >= 0) {
            fd = -1;
            libc.close(f);
        }
    }
}

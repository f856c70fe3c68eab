package io.modtcp.tun;

import io.modtcp.stack.link.Link;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>Two ways to get a device: {@link #open} attaches to a persistent device that an administrator created for this
 * user ({@code ip tuntap add dev mt0 mode tun user alice}; the JVM then needs no privilege), or creates a new one
 * when the JVM has {@code CAP_NET_ADMIN} (it disappears when this link is closed). Configuring the kernel side
 * (address, MTU, up, namespace) is the administrator's or the test fixture's job; see docs/tun.md.
 *
 * <p>Reads go into one 64 KiB scratch buffer (a TUN read never truncates a packet that fits in it, and no IP packet is
 * larger) and are copied into a right-sized pooled buffer, so a large MTU costs no memory per small packet. A write
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
    static final int IFNAMSIZ = 16;
    static final String DEV = "/dev/net/tun";
    private static final int SCRATCH = 65536;

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

    private TunLink(LibC libc, int fd, String name, int mtu, ByteBufAllocator alloc) {
        this.libc = libc;
        this.fd = fd;
        this.name = name;
        this.mtu = mtu;
        this.alloc = alloc;
        this.rxAddr = Pointer.wrap(Native.runtime(), rxScratch).address();
        this.txAddr = Pointer.wrap(Native.runtime(), txScratch).address();
    }

    /** Attaches to or creates TUN device {@code name} with the pooled allocator; see {@link #open(String, int, ByteBufAllocator)}. */
    public static TunLink open(String name, int mtu) throws IOException {
        return open(name, mtu, PooledByteBufAllocator.DEFAULT);
    }

    /**
     * Opens {@code /dev/net/tun} and attaches it to device {@code name} (created if it does not exist, which needs
     * {@code CAP_NET_ADMIN}).
     *
     * @param name the device name, at most 15 characters; a pattern such as {@code mt%d} lets the kernel choose
     * @param mtu the largest packet the stack will send (68..65535); the device's MTU must be set to the same
     *     (SIOCSIFMTU, {@code ip link set NAME mtu N}) or the kernel drops larger packets
     * @throws IOException naming the syscall, errno and the fix when the device cannot be opened
     */
    public static TunLink open(String name, int mtu, ByteBufAllocator alloc) throws IOException {
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
        ifr.putShort(IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI));
        if (c.ioctl(fd, TUNSETIFF, ifr) < 0) {
            int errno = Native.errno();
            c.close(fd);
            throw Native.error(
                    "ioctl(" + DEV + ", TUNSETIFF, \"" + name + "\", IFF_TUN|IFF_NO_PI)",
                    errno,
                    setIffFix(errno, name));
        }
        String actual = ifr.getString(0, IFNAMSIZ, StandardCharsets.US_ASCII);
        return new TunLink(c, fd, actual, mtu, alloc);
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

    @Override
    public boolean transmit(ByteBuf packet, long nowNs) {
        try {
            int f = fd;
            int len = packet.readableBytes();
            if (f < 0 || len > SCRATCH) {
                txDrops.incrementAndGet();
                return false;
            }
            long addr;
            if (packet.hasMemoryAddress()) {
                addr = packet.memoryAddress() + packet.readerIndex();
            } else {
                packet.getBytes(packet.readerIndex(), txScratchBuf, 0, len);
                addr = txAddr;
            }
            while (true) {
                long n = libc.write(f, addr, len);
                if (n == len) {
                    txPackets.incrementAndGet();
                    return true;
                }
                int errno = n < 0 ? Native.errno() : 0;
                if (errno == Native.EINTR) {
                    continue;
                }
                txDrops.incrementAndGet();
                if (errno != Native.EAGAIN) {
                    error("write", errno);
                }
                return false;
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public int receive(PacketSink sink, int max, long nowNs) {
        int f = fd;
        int count = 0;
        while (count < max && f >= 0) {
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
            ByteBuf packet = alloc.directBuffer((int) n);
            packet.writeBytes(rxScratchBuf, 0, (int) n);
            rxPackets.incrementAndGet();
            count++;
            sink.accept(packet);
        }
        return count;
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

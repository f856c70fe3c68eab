package io.modtcp.stack.link;

import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes packets to a libpcap file: magic {@code 0xa1b23c4d} (nanosecond timestamps), version 2.4, snaplen 65535,
 * link type {@code LINKTYPE_RAW} (101: raw IPv4/IPv6, no link-layer header), little-endian. Packets longer than the
 * snaplen are truncated in the file and keep their original length in the record header.
 *
 * <p>Thread-safe: every method is synchronized. I/O errors surface as {@link UncheckedIOException}.
 */
public final class PcapWriter implements Closeable {
    /** The magic number of nanosecond-resolution pcap files. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** The major version written. */
    public static final short VERSION_MAJOR = 2;
    /** The minor version written. */
    public static final short VERSION_MINOR = 4;
    /** The largest number of bytes of a packet written. */
    public static final int SNAPLEN = 65535;
    /** {@code LINKTYPE_RAW}: each record is a raw IP packet. */
    public static final int LINKTYPE_RAW = 101;

    private static final int GLOBAL_HEADER_LENGTH = 24;
    private static final int RECORD_HEADER_LENGTH = 16;

    private final OutputStream out;
    private final ByteBuffer recordHeader =
            ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private boolean closed;

    /** Writes the file header to {@code out}, which this writer then owns (and closes). */
    public PcapWriter(OutputStream out) throws IOException {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_NANOS)
                .putShort(VERSION_MAJOR)
                .putShort(VERSION_MINOR)
                .putInt(0) // thiszone: UTC
                .putInt(0) // sigfigs
                .putInt(SNAPLEN)
                .putInt(LINKTYPE_RAW);
        this.out.write(header.array());
    }

    /** Creates (or truncates) {@code file} and writes the file header. */
    public PcapWriter(Path file) throws IOException {
        this(Files.newOutputStream(file));
    }

    /**
     * Appends one packet, {@code readerIndex..writerIndex} of {@code packet}. Does not consume the buffer or move its
     * indices; the caller keeps ownership.
     *
     * @param timestampNs the record's time in nanoseconds since the epoch (or since the simulation's start)
     */
    public synchronized void write(ByteBuf packet, long timestampNs) {
        if (closed) {
            throw new IllegalStateException("pcap writer closed");
        }
        int length = packet.readableBytes();
        int captured = Math.min(length, SNAPLEN);
        recordHeader.clear();
        recordHeader
                .putInt((int) Math.floorDiv(timestampNs, 1_000_000_000L))
                .putInt((int) Math.floorMod(timestampNs, 1_000_000_000L))
                .putInt(captured)
                .putInt(length);
        try {
            out.write(recordHeader.array());
            packet.getBytes(packet.readerIndex(), out, captured);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pushes buffered records to the underlying stream. */
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes and closes the underlying stream; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

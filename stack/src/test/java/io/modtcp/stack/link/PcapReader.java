package io.modtcp.stack.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A small libpcap reader for tests: either byte order, microsecond or nanosecond magic. */
final class PcapReader {
    record Header(int magic, int versionMajor, int versionMinor, int thisZone, int sigFigs, int snapLen, int linkType) {
        boolean nanos() {
            return magic == 0xa1b23c4d;
        }
    }

    record Record(long timestampNs, int originalLength, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Record r
                    && r.timestampNs == timestampNs
                    && r.originalLength == originalLength
                    && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(timestampNs) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Record[" + timestampNs + ", " + originalLength + ", " + Arrays.toString(data) + "]";
        }
    }

    final Header header;
    final List<Record> records = new ArrayList<>();

    PcapReader(byte[] file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 24) {
            throw new IOException("short global header");
        }
        int magic = in.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IOException("bad magic " + Integer.toHexString(magic));
            }
        }
        in.position(4);
        header = new Header(
                magic,
                in.getShort() & 0xFFFF,
                in.getShort() & 0xFFFF,
                in.getInt(),
                in.getInt(),
                in.getInt(),
                in.getInt());
        while (in.hasRemaining()) {
            if (in.remaining() < 16) {
                throw new IOException("short record header");
            }
            long seconds = in.getInt() & 0xFFFF_FFFFL;
            long fraction = in.getInt() & 0xFFFF_FFFFL;
            int included = in.getInt();
            int original = in.getInt();
            if (included < 0 || included > in.remaining() || included > header.snapLen || original < included) {
                throw new IOException("bad record lengths " + included + "/" + original);
            }
            byte[] data = new byte[included];
            in.get(data);
            long ns = seconds * 1_000_000_000L + (header.nanos() ? fraction : fraction * 1000);
            records.add(new Record(ns, original, data));
        }
    }
}

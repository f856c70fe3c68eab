package io.modtcp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The kernel slab caches a TCP socket held by a JVM allocates, from {@code /proc/slabinfo} (machine-wide: other
 * processes' files move {@code dentry} and {@code filp} a little): the socket ({@code TCP}, or {@code TCPv6} for the JDK's dual-stack sockets), its inode ({@code
 * sock_inode_cache}), file, dentry, security blobs and, for a socket registered with a selector, the epoll item. Idle
 * sockets hold no buffers (sk_buffs), so this is what they cost the kernel. TIME-WAIT sockets are not counted.
 */
record Slabs(Map<String, long[]> caches) {
    /** Besides the socket's own cache, those an accepted socket registered with a selector takes an object of. */
    private static final List<String> PER_SOCKET = List.of(
            "sock_inode_cache",
            "filp",
            "dentry",
            "eventpoll_epi",
            "eventpoll_pwq",
            "lsm_file_cache",
            "lsm_inode_cache");

    static final List<String> CACHES = Stream.concat(
                    Stream.of("TCP", "TCPv6", "request_sock_TCP", "request_sock_TCPv6"), PER_SOCKET.stream())
            .toList();

    /** Active objects and object size of each cache in {@link #CACHES} that this kernel has. */
    static Slabs read() throws IOException {
        Map<String, long[]> caches = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && CACHES.contains(f[0])) {
                caches.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])});
            }
        }
        return new Slabs(caches);
    }

    Delta minus(Slabs before) {
        Map<String, long[]> d = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : caches.entrySet()) {
            long[] b = before.caches.getOrDefault(e.getKey(), new long[] {0, e.getValue()[1]});
            d.put(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1]});
        }
        return new Delta(d);
    }

    /** Objects gained per cache (with their size). */
    record Delta(Map<String, long[]> caches) {
        long bytes() {
            return caches.values().stream().mapToLong(c -> c[0] * c[1]).sum();
        }

        long objects(String cache) {
            long[] c = caches.get(cache);
            return c == null ? 0 : c[0];
        }

        /**
         * The bytes of one object of each cache an accepted socket registered with a selector takes: the socket
         * ({@code TCP} or {@code TCPv6}, whichever grew more), its inode, file, dentry, epoll item and security blobs. A
         * figure from object sizes, free of the other processes' noise.
         */
        long bytesOfOneSocket() {
            String sock = objects("TCPv6") > objects("TCP") ? "TCPv6" : "TCP";
            long sum = 0;
            for (String cache :
                    Stream.concat(Stream.of(sock), PER_SOCKET.stream()).toList()) {
                long[] c = caches.get(cache);
                sum += c == null ? 0 : c[1];
            }
            return sum;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.1f MB (", bytes() / 1e6));
            String sep = "";
            for (Map.Entry<String, long[]> e : caches.entrySet()) {
                if (e.getValue()[0] != 0) {
                    sb.append(sep)
                            .append(e.getKey())
                            .append(' ')
                            .append(String.format(Locale.ROOT, "%+d", e.getValue()[0]))
                            .append('x')
                            .append(e.getValue()[1]);
                    sep = ", ";
                }
            }
            return sb.append(')').toString();
        }
    }
}

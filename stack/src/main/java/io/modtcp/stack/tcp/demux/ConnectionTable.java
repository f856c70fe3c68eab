package io.modtcp.stack.tcp.demux;

import java.util.ArrayList;
import java.util.List;

/**
 * An open-addressing hash table from a 4-tuple of six primitives to a value, with a keyed hash and backward-shift
 * deletion. Lookups do not allocate.
 */
final class ConnectionTable<V> {
    private final long seed;
    private long[] keys; // 4 longs per slot: local hi, local lo, remote hi, remote lo
    private int[] ports; // (localPort << 16) | remotePort
    private Object[] values;
    /** A per-entry flag the table carries for its owner (Demux: the connection's SO_REUSEADDR). */
    private boolean[] flags;

    private int size;
    private int mask;

    ConnectionTable(long seed, int initialCapacity) {
        this.seed = seed;
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity) * 2 - 1);
        allocate(cap);
    }

    private void allocate(int capacity) {
        keys = new long[capacity * 4];
        ports = new int[capacity];
        values = new Object[capacity];
        flags = new boolean[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    private int hash(long lh, long ll, int lp, long rh, long rl, int rp) {
        long h = seed;
        h = mix(h ^ lh);
        h = mix(h ^ ll);
        h = mix(h ^ rh);
        h = mix(h ^ rl);
        h = mix(h ^ ((long) lp << 16 | rp));
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private boolean matches(int slot, long lh, long ll, int ports, long rh, long rl) {
        int k = slot * 4;
        return this.ports[slot] == ports
                && keys[k] == lh
                && keys[k + 1] == ll
                && keys[k + 2] == rh
                && keys[k + 3] == rl;
    }

    @SuppressWarnings("unchecked")
    V get(long lh, long ll, int lp, long rh, long rl, int rp) {
        int p = lp << 16 | rp;
        int slot = hash(lh, ll, lp, rh, rl, rp) & mask;
        while (values[slot] != null) {
            if (matches(slot, lh, ll, p, rh, rl)) {
                return (V) values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /** Inserts or replaces; returns the previous value. */
    @SuppressWarnings("unchecked")
    V put(long lh, long ll, int lp, long rh, long rl, int rp, V value) {
        if ((size + 1) * 2 > values.length) {
            grow();
        }
        int p = lp << 16 | rp;
        int slot = hash(lh, ll, lp, rh, rl, rp) & mask;
        while (values[slot] != null) {
            if (matches(slot, lh, ll, p, rh, rl)) {
                V old = (V) values[slot];
                values[slot] = value;
                return old;
            }
            slot = (slot + 1) & mask;
        }
        int k = slot * 4;
        keys[k] = lh;
        keys[k + 1] = ll;
        keys[k + 2] = rh;
        keys[k + 3] = rl;
        ports[slot] = p;
        values[slot] = value;
        flags[slot] = false;
        size++;
        return null;
    }

    /** Sets the flag of the entry for this 4-tuple; returns false if there is none. */
    boolean setFlag(long lh, long ll, int lp, long rh, long rl, int rp, boolean flag) {
        int p = lp << 16 | rp;
        int slot = hash(lh, ll, lp, rh, rl, rp) & mask;
        while (values[slot] != null) {
            if (matches(slot, lh, ll, p, rh, rl)) {
                flags[slot] = flag;
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** What {@link #anyOnLocalPort} tests each entry of the port with: its local address and its flag. */
    @FunctionalInterface
    interface LocalEntryTest {
        boolean test(long localHi, long localLo, boolean flag);
    }

    /** True if an entry with local port {@code localPort} passes {@code test}. Scans in place; no copy. */
    boolean anyOnLocalPort(int localPort, LocalEntryTest test) {
        for (int slot = 0; slot < values.length; slot++) {
            if (values[slot] != null && ports[slot] >>> 16 == localPort) {
                int k = slot * 4;
                if (test.test(keys[k], keys[k + 1], flags[slot])) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    V remove(long lh, long ll, int lp, long rh, long rl, int rp) {
        int p = lp << 16 | rp;
        int slot = hash(lh, ll, lp, rh, rl, rp) & mask;
        while (values[slot] != null) {
            if (matches(slot, lh, ll, p, rh, rl)) {
                V old = (V) values[slot];
                deleteAt(slot);
                size--;
                return old;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /** Backward-shift deletion: keeps probe chains intact without tombstones. */
    private void deleteAt(int hole) {
        int slot = hole;
        while (true) {
            slot = (slot + 1) & mask;
            if (values[slot] == null) {
                break;
            }
            int k = slot * 4;
            int p = ports[slot];
            int home = hash(keys[k], keys[k + 1], p >>> 16, keys[k + 2], keys[k + 3], p & 0xffff) & mask;
            // Move the entry at slot into the hole if its home is not cyclically within (hole, slot].
            boolean between = hole <= slot ? (hole < home && home <= slot) : (hole < home || home <= slot);
            if (!between) {
                System.arraycopy(keys, k, keys, hole * 4, 4);
                ports[hole] = p;
                values[hole] = values[slot];
                flags[hole] = flags[slot];
                hole = slot;
            }
        }
        values[hole] = null;
        flags[hole] = false;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldPorts = ports;
        Object[] oldValues = values;
        boolean[] oldFlags = flags;
        allocate(values.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                int k = i * 4;
                int p = oldPorts[i];
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[k], oldKeys[k + 1], p >>> 16, oldKeys[k + 2], oldKeys[k + 3], p & 0xffff, v);
                if (oldFlags[i]) {
                    setFlag(oldKeys[k], oldKeys[k + 1], p >>> 16, oldKeys[k + 2], oldKeys[k + 3], p & 0xffff, true);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                out.add((V) v);
            }
        }
        return out;
    }
}

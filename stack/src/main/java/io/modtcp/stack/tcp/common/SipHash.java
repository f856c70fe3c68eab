package io.modtcp.stack.tcp.common;

/**
 * SipHash-2-4 over a fixed number of 64-bit words: the keyed pseudorandom function behind initial sequence numbers
 * (RFC 6528 §3) and ephemeral port selection (RFC 6056 §3.3.3). Called per connection, not per packet.
 */
public final class SipHash {
    private final long k0;
    private final long k1;

    public SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    public long hash(long... words) {
        long[] v = {
            0x736f6d6570736575L ^ k0, 0x646f72616e646f6dL ^ k1, 0x6c7967656e657261L ^ k0, 0x7465646279746573L ^ k1
        };
        for (long m : words) {
            v[3] ^= m;
            rounds(v, 2);
            v[0] ^= m;
        }
        long b = ((long) words.length * 8) << 56;
        v[3] ^= b;
        rounds(v, 2);
        v[0] ^= b;
        v[2] ^= 0xff;
        rounds(v, 4);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    /** {@code n} SipRounds on the state v0..v3. */
    private static void rounds(long[] v, int n) {
        for (int i = 0; i < n; i++) {
            v[0] += v[1];
            v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
            v[0] = Long.rotateLeft(v[0], 32);
            v[2] += v[3];
            v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
            v[0] += v[3];
            v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
            v[2] += v[1];
            v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
            v[2] = Long.rotateLeft(v[2], 32);
        }
    }
}

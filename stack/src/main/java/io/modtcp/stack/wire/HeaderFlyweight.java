package io.modtcp.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * What every header flyweight of this package shares, as Aeron's {@code HeaderFlyweight}: the buffer and the absolute
 * index of the first header byte it is wrapped at. The subclasses read their fields at {@code offset} plus their
 * offset constants (absolute indexing only, STYLE §4) and check the length before any accessor on untrusted input.
 *
 * @param <T> the flyweight itself, which {@link #wrap} returns
 */
abstract class HeaderFlyweight<T extends HeaderFlyweight<T>> {
    /** The wrapped buffer: written only by {@link #wrap}. */
    ByteBuf buf;
    /** The absolute index of the first header byte: written only by {@link #wrap}. */
    int offset;

    /** Points this flyweight at the header starting at absolute index {@code offset} of {@code buf}. */
    @SuppressWarnings("unchecked")
    public final T wrap(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
        return (T) this;
    }

    public final ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the first header byte. */
    public final int offset() {
        return offset;
    }
}

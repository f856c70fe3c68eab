package io.modtcp.stack.tcp.delivery;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/** A {@link PayloadSink} that copies what it is given, releases it, and counts deliveries. */
final class CollectingSink implements PayloadSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int deliveries;

    @Override
    public void deliver(ByteBuf data) {
        try {
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            bytes.write(b, 0, b.length);
            deliveries++;
        } finally {
            data.release();
        }
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    int size() {
        return bytes.size();
    }

    int deliveries() {
        return deliveries;
    }
}

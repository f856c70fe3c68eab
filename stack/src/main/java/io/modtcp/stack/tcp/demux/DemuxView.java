package io.modtcp.stack.tcp.demux;

/** Read-only view of {@link Demux}. */
public interface DemuxView {
    int connectionCount();

    int listenerCount();

    int boundPortCount();

    boolean isBound(int port);
}

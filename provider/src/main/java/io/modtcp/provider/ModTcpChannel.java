package io.modtcp.provider;

import io.modtcp.stack.socket.TcpSocket;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a modtcp selector needs from a modtcp channel. */
interface ModTcpChannel {
    /** The ready operations among {@code interestOps}, as the JDK's channel would translate them. */
    int translateReadyOps(int interestOps);

    /** The channel's registrations: also the socket's readiness listener, which tells each key's selector. */
    Registrations registrations();

    /** The keys of one channel. A socket has one readiness listener; this fans it out to every selector. */
    final class Registrations implements TcpSocket.ReadinessListener {
        private final CopyOnWriteArrayList<ModTcpSelectionKey> keys = new CopyOnWriteArrayList<>();

        void add(ModTcpSelectionKey key) {
            keys.add(key);
        }

        void remove(ModTcpSelectionKey key) {
            keys.remove(key);
        }

        Iterable<ModTcpSelectionKey> keys() {
            return keys;
        }

        @Override
        public void readinessChanged(TcpSocket socket) {
            for (ModTcpSelectionKey k : keys) {
                k.readinessChanged();
            }
        }
    }
}

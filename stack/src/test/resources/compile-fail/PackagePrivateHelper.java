// expect: compiler.err.not.def.public.cant.access
// mentions: SendBuffer
// A component's helpers are package-private: congestion cannot reach delivery's send queue.
package io.modtcp.stack.tcp.congestion;

final class PackagePrivateHelper {
    int queued(io.modtcp.stack.tcp.delivery.SendBuffer sendBuffer) {
        return 0;
    }
}

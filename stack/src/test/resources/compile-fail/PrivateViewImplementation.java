// expect: compiler.err.report.access
// mentions: View
// The view implementation is a private inner class: nobody can name it, let alone build one over foreign state.
package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;

final class PrivateViewImplementation {
    Object viewClass() {
        return ReliableOrderedDelivery.View.class;
    }
}

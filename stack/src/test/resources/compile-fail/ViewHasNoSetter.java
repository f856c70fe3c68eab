// expect: compiler.err.cant.resolve.location.args
// mentions: setSndUna
// A view has getters only: there is no setSndUna to call.
package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.DeliveryView;

final class ViewHasNoSetter {
    void onAck(DeliveryView delivery) {
        delivery.setSndUna(5);
    }
}

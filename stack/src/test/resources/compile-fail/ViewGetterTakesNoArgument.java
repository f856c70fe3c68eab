// expect: compiler.err.cant.apply.symbol
// mentions: sndUna
// The record-style accessor sndUna() cannot be used as a setter sndUna(int).
package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.DeliveryView;

final class ViewGetterTakesNoArgument {
    void onAck(DeliveryView delivery) {
        delivery.sndUna(5);
    }
}

// expect: none
// Positive control: a component reads another component through its view (and gets no warning under -Xlint:all).
package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.DeliveryView;

final class ReadThroughView {
    private int lastUna;

    int onAck(DeliveryView delivery) {
        lastUna = delivery.sndUna();
        return delivery.flightSize() + lastUna;
    }
}

// expect: compiler.err.report.access
// mentions: sndUna
// CongestionControl must not write ReliableOrderedDelivery's state: SND.UNA is a private field of delivery.
package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;

final class WritePrivateFieldOfAnotherComponent {
    void onAck(ReliableOrderedDelivery delivery) {
        delivery.sndUna = 5;
    }
}

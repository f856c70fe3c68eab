// expect: compiler.err.prob.found.req
// mentions: ReliableOrderedDelivery
// A view cannot be cast back to the mutable component: ReliableOrderedDelivery is final and does not implement
// DeliveryView (its view is a separate private object), so javac rejects the cast outright. Through Object the cast
// compiles but fails at run time; CompileFailTest.viewIsNotTheMutableComponent checks that.
package io.modtcp.stack.tcp.congestion;

import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.tcp.delivery.ReliableOrderedDelivery;

final class CastViewBackToMutableClass {
    void onAck(DeliveryView delivery) {
        ((ReliableOrderedDelivery) delivery).resetDuplicateAcks();
    }
}

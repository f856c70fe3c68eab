package io.modtcp.stack.tcp.delivery;

/**
 * What arriving segment text did (RFC 9293 §3.10.7.4, seventh and eighth steps).
 *
 * @param bytesDelivered bytes handed to the application in order (including any the reassembly queue released)
 * @param finConsumed the peer's FIN is now in order: RCV.NXT covers it
 * @param outOfOrder data was held in the reassembly queue (or dropped because it was full)
 * @param droppedQueueFull an out-of-order segment was dropped because the reassembly queue was full
 * @param filledHole data filled (part of) a hole, so an ACK should go at once (RFC 5681 §4.2)
 */
public record ReceiveOutcome(
        int bytesDelivered, boolean finConsumed, boolean outOfOrder, boolean droppedQueueFull, boolean filledHole) {
    public static final ReceiveOutcome NOTHING = new ReceiveOutcome(0, false, false, false, false);
}

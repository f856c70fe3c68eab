package io.modtcp.stack.tcp.delivery;

import java.util.Objects;

/**
 * What arriving segment text did (RFC 9293 §3.10.7.4, seventh and eighth steps). {@link ReliableOrderedDelivery#receive}
 * fills one instance per connection and returns it (no allocation per segment on the stack thread): read it before
 * the next call. Equal when the five values are.
 */
public final class ReceiveOutcome {
    /** Nothing delivered, held or dropped. Never changes. */
    public static final ReceiveOutcome NOTHING = new ReceiveOutcome(0, false, false, false, false);

    private int bytesDelivered;
    private boolean finConsumed;
    private boolean outOfOrder;
    private boolean droppedQueueFull;
    private boolean filledHole;

    /**
     * @param bytesDelivered bytes handed to the application in order (including any the reassembly queue released)
     * @param finConsumed the peer's FIN is now in order: RCV.NXT covers it
     * @param outOfOrder data was held in the reassembly queue (or dropped because it was full)
     * @param droppedQueueFull an out-of-order segment was dropped because the reassembly queue was full
     * @param filledHole data filled (part of) a hole, so an ACK should go at once (RFC 5681 §4.2)
     */
    public ReceiveOutcome(
            int bytesDelivered, boolean finConsumed, boolean outOfOrder, boolean droppedQueueFull, boolean filledHole) {
        set(bytesDelivered, finConsumed, outOfOrder, droppedQueueFull, filledHole);
    }

    ReceiveOutcome set(
            int bytesDelivered, boolean finConsumed, boolean outOfOrder, boolean droppedQueueFull, boolean filledHole) {
        this.bytesDelivered = bytesDelivered;
        this.finConsumed = finConsumed;
        this.outOfOrder = outOfOrder;
        this.droppedQueueFull = droppedQueueFull;
        this.filledHole = filledHole;
        return this;
    }

    /** Bytes handed to the application in order (including any the reassembly queue released). */
    public int bytesDelivered() {
        return bytesDelivered;
    }

    /** The peer's FIN is now in order: RCV.NXT covers it. */
    public boolean finConsumed() {
        return finConsumed;
    }

    /** Data was held in the reassembly queue (or dropped because it was full). */
    public boolean outOfOrder() {
        return outOfOrder;
    }

    /** An out-of-order segment was dropped because the reassembly queue was full. */
    public boolean droppedQueueFull() {
        return droppedQueueFull;
    }

    /** Data filled (part of) a hole, so an ACK should go at once (RFC 5681 §4.2). */
    public boolean filledHole() {
        return filledHole;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceiveOutcome r
                && r.bytesDelivered == bytesDelivered
                && r.finConsumed == finConsumed
                && r.outOfOrder == outOfOrder
                && r.droppedQueueFull == droppedQueueFull
                && r.filledHole == filledHole;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bytesDelivered, finConsumed, outOfOrder, droppedQueueFull, filledHole);
    }

    @Override
    public String toString() {
        return "ReceiveOutcome[bytesDelivered=" + bytesDelivered + ", finConsumed=" + finConsumed + ", outOfOrder="
                + outOfOrder + ", droppedQueueFull=" + droppedQueueFull + ", filledHole=" + filledHole + "]";
    }
}

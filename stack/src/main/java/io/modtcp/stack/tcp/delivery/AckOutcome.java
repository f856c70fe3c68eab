package io.modtcp.stack.tcp.delivery;

import java.util.Objects;

/**
 * What a new ACK acknowledged. {@link ReliableOrderedDelivery#onNewAck} fills one instance per connection and returns
 * it (no allocation per ACK on the stack thread): read it before the next call. Equal when the four values are.
 */
public final class AckOutcome {
    private int dataBytesAcked;
    private boolean synAcked;
    private boolean finAcked;
    private boolean rttSampled;

    /**
     * @param dataBytesAcked data bytes (not SYN or FIN) newly acknowledged
     * @param synAcked our SYN became acknowledged with this ACK
     * @param finAcked our FIN became acknowledged with this ACK
     * @param rttSampled an RTT sample was taken
     */
    public AckOutcome(int dataBytesAcked, boolean synAcked, boolean finAcked, boolean rttSampled) {
        set(dataBytesAcked, synAcked, finAcked, rttSampled);
    }

    AckOutcome set(int dataBytesAcked, boolean synAcked, boolean finAcked, boolean rttSampled) {
        this.dataBytesAcked = dataBytesAcked;
        this.synAcked = synAcked;
        this.finAcked = finAcked;
        this.rttSampled = rttSampled;
        return this;
    }

    /** Data bytes (not SYN or FIN) newly acknowledged. */
    public int dataBytesAcked() {
        return dataBytesAcked;
    }

    /** Our SYN became acknowledged with this ACK. */
    public boolean synAcked() {
        return synAcked;
    }

    /** Our FIN became acknowledged with this ACK. */
    public boolean finAcked() {
        return finAcked;
    }

    /** An RTT sample was taken. */
    public boolean rttSampled() {
        return rttSampled;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AckOutcome a
                && a.dataBytesAcked == dataBytesAcked
                && a.synAcked == synAcked
                && a.finAcked == finAcked
                && a.rttSampled == rttSampled;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataBytesAcked, synAcked, finAcked, rttSampled);
    }

    @Override
    public String toString() {
        return "AckOutcome[dataBytesAcked=" + dataBytesAcked + ", synAcked=" + synAcked + ", finAcked=" + finAcked
                + ", rttSampled=" + rttSampled + "]";
    }
}

package io.modtcp.stack.tcp.common;

import io.modtcp.stack.tcp.delivery.DeliveryView;
import io.modtcp.stack.wire.Seq;

/** A {@link DeliveryView} whose values a test sets directly, so other components can be tested without delivery. */
public final class StubDeliveryView implements DeliveryView {
    public int iss;
    public int sndUna;
    public int sndNxt;
    public int sndMax;
    public int rcvNxt;
    public int retries;
    public int unsent;
    public boolean finQueued;
    public boolean urgentMode;

    /** Puts SND.UNA, SND.NXT and SND.MAX at the given values. */
    public StubDeliveryView send(int una, int nxtAndMax) {
        sndUna = una;
        sndNxt = nxtAndMax;
        sndMax = nxtAndMax;
        return this;
    }

    @Override
    public int iss() {
        return iss;
    }

    @Override
    public int irs() {
        return 0;
    }

    @Override
    public int sndUna() {
        return sndUna;
    }

    @Override
    public int sndNxt() {
        return sndNxt;
    }

    @Override
    public int sndMax() {
        return sndMax;
    }

    @Override
    public int rcvNxt() {
        return rcvNxt;
    }

    @Override
    public int flightSize() {
        return Seq.sub(sndMax, sndUna);
    }

    @Override
    public int sendQueued() {
        return 0;
    }

    @Override
    public int unsentBytes() {
        return unsent;
    }

    @Override
    public boolean isSynAcked() {
        return Seq.gt(sndUna, iss);
    }

    @Override
    public boolean isFinQueued() {
        return finQueued;
    }

    @Override
    public boolean isFinSent() {
        return false;
    }

    @Override
    public boolean isFinAcked() {
        return false;
    }

    @Override
    public boolean isFinReceived() {
        return false;
    }

    @Override
    public int dupAcks() {
        return 0;
    }

    @Override
    public long rtoNs() {
        return 0;
    }

    @Override
    public long srttNs() {
        return 0;
    }

    @Override
    public long rttvarNs() {
        return 0;
    }

    @Override
    public long rtoDeadlineNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public long delayedAckDeadlineNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean isAckPending() {
        return false;
    }

    @Override
    public int retries() {
        return retries;
    }

    @Override
    public int outOfOrderSegments() {
        return 0;
    }

    @Override
    public int outOfOrderBytes() {
        return 0;
    }

    @Override
    public long outOfOrderHeldBytes() {
        return 0;
    }

    @Override
    public int tsRecent() {
        return 0;
    }

    @Override
    public boolean timestampsEnabled() {
        return false;
    }

    @Override
    public boolean urgentMode() {
        return urgentMode;
    }

    @Override
    public int sndUp() {
        return 0;
    }

    @Override
    public boolean isUrgentMarked() {
        return false;
    }

    @Override
    public int rcvUrgentSeq() {
        return 0;
    }

    @Override
    public boolean urgentInline() {
        return false;
    }

    @Override
    public int urgentDiscarded() {
        return 0;
    }

    @Override
    public int sackedBytes() {
        return 0;
    }

    @Override
    public int dsacksReceivedCount() {
        return 0;
    }

    @Override
    public int highRxt() {
        return 0;
    }

    @Override
    public long lastSendNs() {
        return 0;
    }

    @Override
    public int dsacksOfoReceivedCount() {
        return 0;
    }

    @Override
    public boolean isFrtoNewDataRound() {
        return false;
    }

    @Override
    public boolean isFrtoActive() {
        return false;
    }

    @Override
    public long rackTimerDeadlineNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public long lossProbeDeadlineNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean isLossProbeOutstanding() {
        return false;
    }

    @Override
    public long minRttNs() {
        return Long.MAX_VALUE;
    }

    @Override
    public int reorderingWindowMultiplier() {
        return 1;
    }

    @Override
    public boolean reorderingSeen() {
        return false;
    }
}

package io.modtcp.stack.tcp.delivery;

import io.modtcp.stack.wire.Seq;
import io.netty.buffer.ByteBuf;

/**
 * Urgent data (RFC 9293 §3.8.5 and §3.10.7.4 sixth step, RFC 6093): SND.UP on the sending side, RCV.UP on the
 * receiving side. Owned by {@link ReliableOrderedDelivery} (the urgent pointer lives in the sequence space).
 *
 * <p>The pointer is read as RFC 6093 §4 and Linux read it (not RFC 9293's "last urgent octet"): it is the offset,
 * from SEG.SEQ, of the octet <em>following</em> the urgent octet. Only one urgent octet is remembered, as on Linux
 * ({@code tp->urg_seq}): a newer urgent pointer replaces an older one, whose octet then stays in the stream; an older
 * or equal pointer (every retransmission and every segment sent while the sender is in urgent mode carries one) is
 * ignored. Nothing a peer sends makes this hold more than these few fields.
 *
 * <p>Delivery (Linux, and the JDK's {@code SO_OOBINLINE} on Linux): with {@code inline} off (the default), the
 * urgent octet is taken out of the stream, since Java cannot read it with {@code MSG_OOB}; with it on, the octet is
 * delivered in line, in order.
 */
final class Urgent implements PayloadSink {
    /** RFC 6093 §4: the urgent pointer field is 16 bits. */
    private static final int MAX_POINTER = 0xFFFF;

    /** What {@link #onPointer} made of an arriving urgent pointer. */
    enum Mark {
        /** A new urgent octet was marked. */
        MARKED,
        /** The pointer names an octet already marked, delivered or older: nothing changes. */
        OLD,
        /** A zero pointer, or one beyond the receive window: ignored (RFC 6093 §5 leaves the data path alone). */
        INVALID
    }

    private boolean sendMode;
    /** SND.UP: the sequence number following our latest urgent octet (valid in {@link #sendMode}). */
    private int sndUp;

    private boolean inline;
    private boolean receivePending;
    /** The sequence number of the urgent octet received (RCV.UP less one), valid while {@link #receivePending}. */
    private int urgentSeq;

    private int discarded;

    /** While filtering (see {@link #sink}): where the bytes go, and the sequence number of the next one. */
    private PayloadSink downstream;

    private int nextSeq;

    // ---- sending ----

    /** An urgent octet was queued; {@code end} is the sequence number following it (Linux's tcp_mark_urg). */
    void onUrgentQueued(int end) {
        sendMode = true;
        sndUp = end;
    }

    /** Urgent mode ends once the peer acknowledged the urgent octet (Linux's tcp_ack: snd_una passes snd_up). */
    void onCumulativeAck(int sndUna) {
        if (sendMode && Seq.geq(sndUna, sndUp)) {
            sendMode = false;
        }
    }

    boolean sendMode() {
        return sendMode;
    }

    int sndUp() {
        return sndUp;
    }

    /**
     * The urgent pointer for a segment starting at {@code seq}, or -1 for none (URG clear). Set on every segment
     * that starts before SND.UP (RFC 9293 §3.8.5: "the URG control bit ... on every segment" until the urgent octet
     * is past), as Linux's tcp_transmit_skb: the offset from {@code seq} to SND.UP, or 0xFFFF when SND.UP is more
     * than 64 KiB ahead and that would not point into data already sent.
     */
    int pointerFor(int seq, int sndNxt) {
        if (!sendMode || !Seq.lt(seq, sndUp)) {
            return -1;
        }
        if (Seq.lt(sndUp, seq + MAX_POINTER + 1)) {
            return Seq.sub(sndUp, seq);
        }
        return Seq.gt(seq + MAX_POINTER, sndNxt) ? MAX_POINTER : -1;
    }

    // ---- receiving ----

    void inline(boolean on) {
        inline = on;
    }

    boolean inline() {
        return inline;
    }

    /**
     * The URG bit of an acceptable segment (RFC 9293 §3.10.7.4 sixth step): {@code pointer} is its urgent pointer
     * field, {@code segSeq} its SEG.SEQ; RCV.NXT and the window we advertised bound what may be marked.
     */
    Mark onPointer(int segSeq, int pointer, int rcvNxt, int rcvWnd) {
        if (pointer == 0) {
            // RFC 6093 §4: the pointer names the octet after the urgent one; 0 names an octet before this segment.
            return Mark.INVALID;
        }
        int seq = segSeq + pointer - 1;
        if (Seq.lt(seq, rcvNxt)) {
            return Mark.OLD; // already delivered (Linux: "ignore urgent data that we've already seen and read")
        }
        if (!Seq.lt(seq, rcvNxt + rcvWnd)) {
            return Mark.INVALID; // beyond anything the peer may send now
        }
        if (receivePending && !Seq.gt(seq, urgentSeq)) {
            return Mark.OLD; // Linux: "do not replay urg ptr"
        }
        receivePending = true;
        urgentSeq = seq;
        return Mark.MARKED;
    }

    boolean receivePending() {
        return receivePending;
    }

    /** The sequence number of the urgent octet marked (valid while {@link #receivePending()}). */
    int urgentSeq() {
        return urgentSeq;
    }

    /** Urgent octets taken out of the stream so far. */
    int discarded() {
        return discarded;
    }

    /**
     * The sink in-order bytes from {@code startSeq} on go through: {@code downstream} itself unless an urgent octet
     * is marked, else a filter that drops it (inline off) or lets it pass (inline on), and forgets the mark once past.
     * Deliveries through the returned sink must be contiguous from {@code startSeq}.
     */
    PayloadSink sink(PayloadSink downstream, int startSeq) {
        if (!receivePending) {
            return downstream;
        }
        this.downstream = downstream;
        this.nextSeq = startSeq;
        return this;
    }

    /** The filter (see {@link #sink}): one delivery of in-order bytes from {@link #nextSeq}. */
    @Override
    public void deliver(ByteBuf data) {
        int start = nextSeq;
        int len = data.readableBytes();
        nextSeq = start + len;
        if (!receivePending || !Seq.lt(urgentSeq, start + len)) {
            downstream.deliver(data);
            return;
        }
        receivePending = false;
        int at = Seq.sub(urgentSeq, start);
        if (inline || at < 0) {
            downstream.deliver(data);
            return;
        }
        discarded++;
        if (at > 0) {
            downstream.deliver(data.readRetainedSlice(at));
        }
        data.skipBytes(1);
        if (data.isReadable()) {
            downstream.deliver(data);
        } else {
            data.release();
        }
    }
}

package io.modtcp.stack.tcp.flow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modtcp.stack.tcp.common.Segments;
import io.modtcp.stack.tcp.common.StubDeliveryView;
import io.modtcp.stack.tcp.common.TcpConfig;
import io.modtcp.stack.tcp.connection.ConnectionManagement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FlowControl's decision whether a short segment may go: Nagle (RFC 896, RFC 1122 §4.2.3.4), sender-side silly window
 * avoidance (RFC 9293 §3.8.6.2.1) and the persist override.
 */
class SendDecisionTest {
    private static final long MS = 1_000_000L;
    private static final int MSS = 1000;

    private final TcpConfig config =
            TcpConfig.builder().persistMinNs(200 * MS).persistMaxNs(1000 * MS).build();
    private final FlowControl flow = new FlowControl(config);
    private final ConnectionManagement cm = new ConnectionManagement(config);
    private final StubDeliveryView delivery = new StubDeliveryView();
    private final Segments segments = new Segments();

    @BeforeEach
    void peerOffersLargeWindow() {
        // The peer's largest window is 10 MSS, so half of it (5000) is far above the short segments below.
        flow.onSynWindow(segments.syn(100, 1000, 10 * MSS, MSS));
    }

    @AfterEach
    void release() {
        segments.close();
    }

    @Test
    void shouldAlwaysAllowFullSegmentOrNoData() {
        delivery.send(1000, 5000); // data in flight
        delivery.unsent = 3 * MSS;
        assertTrue(flow.isSendAllowed(MSS, MSS, delivery, cm.view()));
        assertTrue(flow.isSendAllowed(0, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowLastShortSegmentWhenNothingInFlight() {
        delivery.send(1000, 1000);
        delivery.unsent = 10;
        assertTrue(flow.isSendAllowed(10, MSS, delivery, cm.view()));
    }

    @Test
    void shouldHoldLastShortSegmentWhenDataInFlight() {
        // RFC 896: a small segment waits while anything is unacknowledged.
        delivery.send(1000, 2000);
        delivery.unsent = 10;
        assertFalse(flow.isSendAllowed(10, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowLastShortSegmentInFlightWhenNoDelay() {
        delivery.send(1000, 2000);
        delivery.unsent = 10;
        cm.noDelay(true);
        assertTrue(flow.isSendAllowed(10, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowLastShortSegmentInFlightWhenFinQueued() {
        delivery.send(1000, 2000);
        delivery.unsent = 10;
        delivery.finQueued = true;
        assertTrue(flow.isSendAllowed(10, MSS, delivery, cm.view()));
    }

    @Test
    void shouldHoldShortSegmentThatIsNotTheLastEvenWhenNoDelay() {
        // SWS avoidance: a segment cut short by the window (more data queued) waits unless it is at least half the
        // largest window the peer offered.
        delivery.send(1000, 1000);
        delivery.unsent = 3 * MSS;
        cm.noDelay(true);
        assertFalse(flow.isSendAllowed(400, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowShortSegmentOfHalfTheLargestWindow() {
        FlowControl small = new FlowControl(config);
        small.onSynWindow(segments.syn(100, 1000, 800, MSS));
        delivery.send(1000, 2000);
        delivery.unsent = 3 * MSS;
        assertTrue(small.isSendAllowed(400, MSS, delivery, cm.view()));
        assertFalse(small.isSendAllowed(399, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowRetransmissionBelowSndMax() {
        // After a timeout rewound SND.NXT, bytes below SND.MAX go at once (their own loss holds the ACK back).
        delivery.send(1000, 2000);
        delivery.sndNxt = 1000;
        delivery.unsent = 3 * MSS;
        assertTrue(flow.isSendAllowed(10, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAllowOneSegmentAfterPersistExpiresOnNonZeroWindow() {
        FlowControl small = new FlowControl(config);
        small.onSynWindow(segments.syn(100, 1000, 10 * MSS, MSS));
        small.onAcceptableAck(segments.seg(101, 1000, io.modtcp.stack.wire.TcpHeader.ACK, 100));
        delivery.send(1000, 1000);
        delivery.unsent = 3 * MSS;
        assertFalse(small.isSendAllowed(100, MSS, delivery, cm.view()));
        assertFalse(small.onPersistExpired(0, 200 * MS), "non-zero window: no probe, the override instead");
        assertTrue(small.view().persistOverride());
        assertTrue(small.isSendAllowed(100, MSS, delivery, cm.view()));
        small.onDataSegmentSent();
        assertFalse(small.view().persistOverride());
        assertFalse(small.isSendAllowed(100, MSS, delivery, cm.view()));
    }

    @Test
    void shouldAskForProbeWhenPersistExpiresOnZeroWindow() {
        flow.onAcceptableAck(segments.seg(101, 1000, io.modtcp.stack.wire.TcpHeader.ACK, 0));
        assertTrue(flow.onPersistExpired(0, 200 * MS));
        assertFalse(flow.view().persistOverride());
    }
}

package io.modtcp.stack.jfr;

import io.modtcp.stack.NetStack;
import io.modtcp.stack.stats.Counter;
import io.modtcp.stack.stats.Counters;
import io.modtcp.stack.tcp.ConnectionInfo;
import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.TcpObserver;
import io.modtcp.stack.tcp.common.TcpError;
import io.modtcp.stack.tcp.common.TcpState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * The JFR events of a stack ({@code io.modtcp.*}, category "modtcp"). Loaded only through {@link
 * io.modtcp.stack.runtime.FlightRecorderSupport}, which checks that the {@code jdk.jfr} module is there first: the
 * stack itself needs only {@code java.base}.
 *
 * <p>Each hook first asks a preallocated event instance whether its type is enabled in a running recording (one
 * static-field read once JFR has instrumented the class); only then does it allocate and commit an event. The
 * per-connection samples come from a periodic hook on JFR's own thread, which takes a copy of the connection table on
 * the stack thread ({@link NetStack#connectionInfos(long)}), waiting at most {@value #SAMPLE_TIMEOUT_MS} ms.
 */
public final class JfrObserver implements TcpObserver, Counters.DropListener, AutoCloseable {
    static final long SAMPLE_TIMEOUT_MS = 500;

    /**
     * One instance per event type, only to ask whether the type is enabled; initialized with the first hook call,
     * which comes after the recorder is there.
     */
    private static final class Probe {
        static final ConnectionOpenedEvent OPENED = new ConnectionOpenedEvent();
        static final ConnectionClosedEvent CLOSED = new ConnectionClosedEvent();
        static final StateChangeEvent STATE = new StateChangeEvent();
        static final RetransmissionEvent RETRANSMISSION = new RetransmissionEvent();
        static final RetransmissionTimeoutEvent RTO = new RetransmissionTimeoutEvent();
        static final RecoveryEnteredEvent RECOVERY_ENTERED = new RecoveryEnteredEvent();
        static final RecoveryExitedEvent RECOVERY_EXITED = new RecoveryExitedEvent();
        static final DropEvent DROP = new DropEvent();
    }

    /** The stacks whose connections the periodic hook samples. */
    private static final Set<NetStack> SAMPLED = ConcurrentHashMap.newKeySet();

    /** The periodic hook is added once, the first time a recorder is there. */
    private static boolean hookAdded;

    private final NetStack stack;
    private final FlightRecorderListener listener = new FlightRecorderListener() {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            attach();
        }
    };
    private volatile boolean closed;

    private JfrObserver(NetStack stack) {
        this.stack = stack;
    }

    /**
     * Installs the events on {@code stack} once the flight recorder is initialized: at once when it already is
     * ({@code -XX:StartFlightRecording}, a {@code Recording} made earlier), else when a recording first starts
     * ({@code jcmd <pid> JFR.start}, JMC). Until then nothing of JFR is set up (that costs a few hundred ms of class
     * loading, which a program that never records should not pay). Closing the result takes the events off again.
     */
    public static JfrObserver install(NetStack stack) {
        JfrObserver o = new JfrObserver(stack);
        FlightRecorder.addListener(o.listener);
        return o;
    }

    private void attach() {
        synchronized (JfrObserver.class) {
            if (!hookAdded) {
                FlightRecorder.addPeriodicEvent(ConnectionSampleEvent.class, JfrObserver::sample);
                hookAdded = true;
            }
        }
        if (closed || stack.isClosed()) {
            return;
        }
        try {
            stack.setObserver(this, this);
            SAMPLED.add(stack);
        } catch (IllegalStateException e) {
            // the stack closed meanwhile, or its command queue is full: no events for it
        }
    }

    @Override
    public void close() {
        closed = true;
        FlightRecorder.removeListener(listener);
        SAMPLED.remove(stack);
        if (!stack.isClosed()) {
            try {
                stack.setObserver(null, null);
            } catch (IllegalStateException e) {
                // closed meanwhile, or its command queue full: the observer goes with the stack
            }
        }
    }

    private static void sample() {
        for (NetStack s : SAMPLED) {
            if (s.isClosed()) {
                continue;
            }
            List<ConnectionInfo> infos;
            try {
                infos = s.connectionInfos(SAMPLE_TIMEOUT_MS);
            } catch (TimeoutException | IllegalStateException e) {
                continue; // the stack thread is busy or gone: no sample this period
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (ConnectionInfo i : infos) {
                if (i.state() == TcpState.LISTEN) {
                    continue; // a listener has no transfer to sample
                }
                ConnectionSampleEvent e = new ConnectionSampleEvent();
                e.of(i.localAddress(), i.localPort(), i.remoteAddress(), i.remotePort());
                e.state = i.state().name();
                e.cwnd = i.cwnd();
                e.ssthresh = i.ssthresh();
                e.srtt = i.srttNs();
                e.rttvar = i.rttvarNs();
                e.rto = i.rtoNs();
                e.sendQueue = i.sendQueue();
                e.receiveQueue = i.receiveQueue();
                e.bytesSent = i.bytesSent();
                e.bytesReceived = i.bytesReceived();
                e.retransmits = i.retransmits();
                e.commit();
            }
        }
    }

    @Override
    public void opened(TcpConnection c, boolean active) {
        if (Probe.OPENED.isEnabled()) {
            ConnectionOpenedEvent e = new ConnectionOpenedEvent();
            e.of(c);
            e.active = active;
            e.commit();
        }
    }

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to) {
        if (Probe.STATE.isEnabled()) {
            StateChangeEvent e = new StateChangeEvent();
            e.of(c);
            e.from = from.name();
            e.to = to.name();
            e.commit();
        }
    }

    @Override
    public void closed(TcpConnection c, TcpError error) {
        if (Probe.CLOSED.isEnabled()) {
            ConnectionClosedEvent e = new ConnectionClosedEvent();
            e.of(c);
            e.error = error == null ? null : error.name();
            e.bytesSent = c.bytesSent();
            e.bytesReceived = c.bytesReceived();
            e.retransmits = c.retransmits();
            e.commit();
        }
    }

    @Override
    public void retransmitted(TcpConnection c, int seq, int length) {
        if (Probe.RETRANSMISSION.isEnabled()) {
            RetransmissionEvent e = new RetransmissionEvent();
            e.of(c);
            e.seq = seq & 0xFFFF_FFFFL;
            e.length = length;
            e.cwnd = c.congestion().cwnd();
            e.state = c.state().name();
            e.commit();
        }
    }

    @Override
    public void retransmitTimeout(TcpConnection c, long rtoNs, int retries) {
        if (Probe.RTO.isEnabled()) {
            RetransmissionTimeoutEvent e = new RetransmissionTimeoutEvent();
            e.of(c);
            e.rto = rtoNs;
            e.retries = retries;
            e.cwnd = c.congestion().cwnd();
            e.ssthresh = c.congestion().ssthresh();
            e.commit();
        }
    }

    @Override
    public void recoveryEntered(TcpConnection c, boolean sack) {
        if (Probe.RECOVERY_ENTERED.isEnabled()) {
            RecoveryEnteredEvent e = new RecoveryEnteredEvent();
            e.of(c);
            e.sack = sack;
            e.cwnd = c.congestion().cwnd();
            e.ssthresh = c.congestion().ssthresh();
            e.commit();
        }
    }

    @Override
    public void recoveryExited(TcpConnection c, long durationNs) {
        if (Probe.RECOVERY_EXITED.isEnabled()) {
            RecoveryExitedEvent e = new RecoveryExitedEvent();
            e.of(c);
            e.recoveryDuration = durationNs;
            e.cwnd = c.congestion().cwnd();
            e.commit();
        }
    }

    @Override
    public void dropped(Counter reason, long count) {
        if (Probe.DROP.isEnabled()) {
            DropEvent e = new DropEvent();
            e.reason = reason.name();
            e.count = count;
            e.commit();
        }
    }
}

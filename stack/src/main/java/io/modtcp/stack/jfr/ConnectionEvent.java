package io.modtcp.stack.jfr;

import io.modtcp.stack.tcp.TcpConnection;
import io.modtcp.stack.tcp.connection.ConnectionView;
import jdk.jfr.Event;
import jdk.jfr.Label;

/** The fields every per-connection event carries: the 4-tuple (RFC 9293 §2.7's socket pair). */
abstract class ConnectionEvent extends Event {
    @Label("Local Address")
    String localAddress;

    @Label("Local Port")
    int localPort;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Remote Port")
    int remotePort;

    /** Fills the 4-tuple from {@code c}; returns this. */
    final ConnectionEvent of(TcpConnection c) {
        ConnectionView cv = c.connection();
        localAddress = String.valueOf(cv.localAddr());
        localPort = cv.localPort();
        remoteAddress = String.valueOf(cv.remoteAddr());
        remotePort = cv.remotePort();
        return this;
    }

    /** Fills the 4-tuple from explicit values; returns this. */
    final ConnectionEvent of(Object local, int lport, Object remote, int rport) {
        localAddress = String.valueOf(local);
        localPort = lport;
        remoteAddress = String.valueOf(remote);
        remotePort = rport;
        return this;
    }
}

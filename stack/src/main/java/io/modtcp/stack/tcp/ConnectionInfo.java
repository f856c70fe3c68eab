package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.common.TcpState;
import io.modtcp.stack.wire.IpAddr;

/**
 * A copy of one connection's figures, taken on the stack thread ({@link TcpEngine#connectionInfos()}), safe to read
 * anywhere: what {@code ss -tin} shows and Linux's {@code tcp_info} carries.
 *
 * @param sendQueue bytes the application wrote that the peer has not acknowledged (Linux's Send-Q)
 * @param receiveQueue bytes delivered in order that the application has not read yet (Linux's Recv-Q)
 * @param srttNs smoothed RTT (RFC 6298), 0 before the first sample
 * @param bytesSent payload bytes sent, retransmissions included (Linux's tcpi_bytes_sent)
 * @param bytesReceived payload bytes delivered in order (Linux's tcpi_bytes_received)
 * @param retransmits segments sent again (Linux's tcpi_total_retrans)
 */
public record ConnectionInfo(
        TcpState state,
        IpAddr localAddress,
        int localPort,
        IpAddr remoteAddress,
        int remotePort,
        long sendQueue,
        long receiveQueue,
        long srttNs,
        long rttvarNs,
        long rtoNs,
        long minRttNs,
        int cwnd,
        int ssthresh,
        int sendMss,
        int sendWindow,
        long bytesSent,
        long bytesReceived,
        long retransmits,
        boolean inRecovery) {}

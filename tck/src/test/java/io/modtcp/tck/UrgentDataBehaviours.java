package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.charset.StandardCharsets;

/**
 * TCP urgent data (RFC 9293 §3.8.5, RFC 6093): {@code Socket.sendUrgentData} and {@code SO_OOBINLINE}. The urgent
 * byte goes in the stream after what was written before it; a receiver with {@code SO_OOBINLINE} on reads it in line,
 * in order; with it off (the default) the byte is taken out of the stream (Java has no {@code MSG_OOB} read).
 */
class UrgentDataBehaviours {
    private static final byte[] BEFORE = "ab".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFTER = "cd".getBytes(StandardCharsets.US_ASCII);
    private static final byte URGENT = 'U';

    /** Writes "ab", the urgent byte 'U', then "cd" and shuts the output down. */
    private static void sendWithUrgentByte(Socket sender) throws IOException {
        OutputStream out = sender.getOutputStream();
        out.write(BEFORE);
        out.flush();
        sender.sendUrgentData(URGENT);
        out.write(AFTER);
        out.flush();
        sender.shutdownOutput();
    }

    /** Reads to the end of the stream. */
    private static String readAll(Socket receiver) throws IOException {
        receiver.setSoTimeout(20_000);
        InputStream in = receiver.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Behaviour(
            "Socket.getOOBInline is false by default; setOOBInline(true/false) reads back; also on a channel's socket")
    void oobInlineRoundTrip(Tck tck) throws Exception {
        for (Socket s : new Socket[] {
            tck.socket(), tck.channel().socket(), tck.connectSockets().subject()
        }) {
            assertFalse(s.getOOBInline(), "off by default");
            s.setOOBInline(true);
            assertTrue(s.getOOBInline());
            s.setOOBInline(false);
            assertFalse(s.getOOBInline());
        }
    }

    @Behaviour("sendUrgentData with SO_OOBINLINE on at the receiver: the urgent byte is read in line, in order")
    void urgentByteInlineAtPeer(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.peer().setOOBInline(true);
        sendWithUrgentByte(s.subject());
        assertEquals("abUcd", readAll(s.peer()));
    }

    @Behaviour("urgent data received with SO_OOBINLINE on is read in line, in order")
    void urgentByteInlineAtSubject(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().setOOBInline(true);
        sendWithUrgentByte(s.peer());
        assertEquals("abUcd", readAll(s.subject()));
    }

    @Behaviour("sendUrgentData with SO_OOBINLINE off at the receiver: the urgent byte is not in the stream")
    void urgentByteDiscardedAtPeer(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        sendWithUrgentByte(s.subject());
        assertEquals("abcd", readAll(s.peer()));
    }

    @Behaviour("urgent data received with SO_OOBINLINE off is not in the stream")
    void urgentByteDiscardedAtSubject(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        sendWithUrgentByte(s.peer());
        assertEquals("abcd", readAll(s.subject()));
    }

    @Behaviour("sendUrgentData on a closed Socket throws SocketException \"Socket closed\"")
    void urgentOnClosedSocket(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().close();
        SocketException e =
                assertThrows(SocketException.class, () -> s.subject().sendUrgentData(1));
        assertEquals("Socket closed", e.getMessage());
    }

    @Behaviour("sendUrgentData after shutdownOutput throws IOException \"Broken pipe\" (the kernel's EPIPE)")
    void urgentAfterShutdownOutput(Tck tck) throws Exception {
        Tck.Sockets s = tck.connectSockets();
        s.subject().shutdownOutput();
        IOException e = assertThrows(IOException.class, () -> s.subject().sendUrgentData(1));
        assertEquals("Broken pipe", e.getMessage());
        assertFalse(s.subject().isClosed(), "the socket stays open");
    }

    @Behaviour("sendUrgentData on an unconnected Socket throws SocketException \"Not connected\"")
    void urgentUnconnected(Tck tck) throws Exception {
        SocketException e =
                assertThrows(SocketException.class, () -> tck.socket().sendUrgentData(1));
        assertEquals("Not connected", e.getMessage());
    }

    @Behaviour("a channel's socket: sendUrgentData sends the byte (read in line with SO_OOBINLINE on)")
    void urgentOnChannelSocket(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.peer().socket().setOOBInline(true);
        Socket subject = c.subject().socket();
        subject.getOutputStream().write(BEFORE);
        subject.sendUrgentData(URGENT);
        subject.getOutputStream().write(AFTER);
        c.subject().shutdownOutput();
        assertArrayEquals("abUcd".getBytes(StandardCharsets.US_ASCII), Tck.readFully(c.peer(), 10));
    }

    @Behaviour("a channel's socket: sendUrgentData throws AsynchronousCloseException after shutdownOutput,"
            + " ClosedChannelException after close, NotYetConnectedException unconnected")
    void urgentOnChannelSocketErrors(Tck tck) throws Exception {
        Tck.Channels c = tck.connect();
        c.subject().shutdownOutput();
        assertThrows(
                AsynchronousCloseException.class, () -> c.subject().socket().sendUrgentData(1));
        c.subject().close();
        IOException closed =
                assertThrows(IOException.class, () -> c.subject().socket().sendUrgentData(1));
        assertEquals(ClosedChannelException.class, closed.getClass());
        assertThrows(
                NotYetConnectedException.class, () -> tck.channel().socket().sendUrgentData(1));
    }
}

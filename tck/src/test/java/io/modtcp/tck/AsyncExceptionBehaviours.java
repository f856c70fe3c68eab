package io.modtcp.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asynchronous exceptions ({@code Thread.stop}, JDK 17; removed from JDK 20, where it throws
 * {@code UnsupportedOperationException}): a thread stopped while blocked in a socket call leaves no lock broken.
 */
class AsyncExceptionBehaviours {
    @Behaviour("Thread.stop of a thread blocked in ServerSocket.accept ends it with ThreadDeath and the next accept on"
            + " the same ServerSocket works (JDK 17); from JDK 20 Thread.stop throws UnsupportedOperationException")
    @SuppressWarnings({"deprecation", "removal"})
    void threadStopDuringAccept(Tck tck) throws Exception {
        ServerSocket l = tck.serverSocket();
        l.bind(new InetSocketAddress(tck.subject().address(), 0));
        // accept with a timeout, again and again: the platform's accept waits in native code, where an asynchronous
        // exception arrives only when the wait returns.
        l.setSoTimeout(200);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread t = new Thread(
                () -> {
                    try {
                        while (true) {
                            try {
                                l.accept().close();
                                ended.set(new AssertionError("accept returned a connection"));
                                return;
                            } catch (SocketTimeoutException e) {
                                // wait again
                            }
                        }
                    } catch (Throwable e) {
                        ended.set(e);
                    }
                },
                "tck-accept-" + tck.name());
        t.setDaemon(true);
        t.start();
        Thread.sleep(300); // in accept, or about to be
        if (Runtime.version().feature() >= 20) {
            assertThrows(UnsupportedOperationException.class, t::stop);
            l.close();
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(t.isAlive());
            return;
        }
        t.stop();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(t.isAlive(), "the stopped thread ended");
        assertNotNull(ended.get());
        assertEquals(
                "java.lang.ThreadDeath",
                ended.get().getClass().getName(),
                ended.get().toString());
        // The ServerSocket still works: a connection is accepted and carries data.
        l.setSoTimeout(10_000);
        Socket c = tck.peerSocket();
        c.connect(l.getLocalSocketAddress(), 10_000);
        Socket a = tck.track(l.accept());
        c.getOutputStream().write(new byte[] {1, 2, 3});
        a.setSoTimeout(10_000);
        assertArrayEquals(new byte[] {1, 2, 3}, a.getInputStream().readNBytes(3));
        assertTrue(!l.isClosed());
    }
}

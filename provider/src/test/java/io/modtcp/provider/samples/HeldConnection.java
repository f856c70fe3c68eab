package io.modtcp.provider.samples;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Holds one loopback connection open for the {@code ss} command: a ServerSocket and a Socket on 127.0.0.1 (modtcp's
 * under the agent), 1000 bytes written, 400 of them read (so 600 wait in the receive queue), then "ready <port>" on
 * stdout; it ends when its stdin closes.
 */
public final class HeldConnection {
    private HeldConnection() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
                Socket accepted = server.accept()) {
            client.getOutputStream().write(new byte[1000]);
            client.getOutputStream().flush();
            accepted.getInputStream().readNBytes(400);
            // Let the ACKs settle: the sender's Send-Q drains to 0, the receiver keeps 600 bytes unread.
            Thread.sleep(300);
            System.out.println("ready " + server.getLocalPort());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // wait for the test to close stdin
            }
        }
    }
}

package io.modtcp.junit5;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Plain {@code java.net} traffic, as an application's: a server on 127.0.0.1 and a client, {@code exchanges} requests of
 * 100 bytes each answered with 1000, then a close from each side. Under the agent it runs on modtcp's in-JVM loopback.
 */
final class Conversation {
    private Conversation() {}

    static void run(int exchanges) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    byte[] request = new byte[100];
                    byte[] response = new byte[1000];
                    for (int i = 0; i < exchanges; i++) {
                        in.readFully(request);
                        response[0] = request[0];
                        out.write(response);
                    }
                    in.read(); // the client's FIN
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            server.start();
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                c.setSoTimeout(60_000);
                DataInputStream in = new DataInputStream(c.getInputStream());
                OutputStream out = c.getOutputStream();
                byte[] request = new byte[100];
                byte[] response = new byte[1000];
                for (int i = 0; i < exchanges; i++) {
                    request[0] = (byte) i;
                    out.write(request);
                    in.readFully(response);
                    if (response[0] != (byte) i) {
                        throw new AssertionError("response " + i + " carries " + response[0]);
                    }
                }
                c.shutdownOutput();
                if (in.read() != -1) {
                    throw new AssertionError("data after the last response");
                }
            }
            server.join(60_000);
        }
    }
}

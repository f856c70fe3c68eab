package io.modtcp.provider.samples;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;

/**
 * Prints, one line each, what socket calls whose outcome depends on {@code java.net.preferIPv4Stack} and {@code
 * jdk.includeInExceptions} do: run once on the platform and once under the agent, the lines must be the same.
 * Nothing listens on port 1 of 127.0.0.1.
 */
public final class PropertyProbe {
    private PropertyProbe() {}

    private static void probe(String what, Callable<?> call) {
        String outcome;
        try {
            outcome = "-> " + call.call();
        } catch (Exception e) {
            outcome = "!! " + e;
        }
        System.out.println("probe " + what + " " + outcome);
    }

    public static void main(String[] args) throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        InetSocketAddress refused = new InetSocketAddress("127.0.0.1", 1);
        probe("channel connect ::1", () -> SocketChannel.open().connect(new InetSocketAddress(v6, 1)));
        probe(
                "channel bind ::1",
                () -> SocketChannel.open().bind(new InetSocketAddress(v6, 0)).isOpen());
        probe("server channel bind ::1", () -> ServerSocketChannel.open()
                .bind(new InetSocketAddress(v6, 0))
                .isOpen());
        probe("socket connect ::1", () -> {
            new Socket().connect(new InetSocketAddress(v6, 1));
            return "connected";
        });
        probe("socket bind ::1", () -> {
            new Socket().bind(new InetSocketAddress(v6, 0));
            return "bound";
        });
        probe("server socket bind ::1", () -> {
            new ServerSocket().bind(new InetSocketAddress(v6, 0));
            return "bound";
        });
        probe("server socket wildcard family", () -> {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getInetAddress().getClass().getSimpleName() + " "
                        + s.getInetAddress().getHostAddress();
            }
        });
        probe("channel connect refused", () -> SocketChannel.open().connect(refused));
        probe("socket connect refused", () -> {
            new Socket().connect(refused);
            return "connected";
        });
        probe("socket to localhost refused", () -> new Socket("localhost", 1));
        probe("non-blocking finishConnect refused", () -> {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            c.connect(refused);
            for (int i = 0; i < 1000 && !c.finishConnect(); i++) {
                Thread.sleep(5);
            }
            return "connected";
        });
    }
}

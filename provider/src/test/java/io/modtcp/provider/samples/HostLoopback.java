package io.modtcp.provider.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A program that uses the host's loopback both ways: it connects to a server of another process on 127.0.0.1 (the
 * port is its argument; the server sends one line), and to a server of its own on 127.0.0.1, with a {@code Socket}
 * and with a {@code SocketChannel}. Needs only java.base. The last line prints modtcp's figures when run under the
 * agent.
 */
public final class HostLoopback {
    private HostLoopback() {}

    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        int otherPort = Integer.parseInt(args[0]);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(lo, otherPort), 10_000);
            System.out.println("other process says " + readLine(s.getInputStream()));
        }
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress(lo, otherPort))) {
            ByteBuffer b = ByteBuffer.allocate(100);
            while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
                if (c.read(b) < 0) {
                    break;
                }
            }
            System.out.println("other process says (channel) " + new String(b.array(), 0, b.position()).trim());
        }
        try (ServerSocket own = new ServerSocket(0, 50, lo);
                Socket c = new Socket(lo, own.getLocalPort());
                Socket a = own.accept()) {
            OutputStream out = a.getOutputStream();
            out.write("own listener\n".getBytes("US-ASCII"));
            out.flush();
            System.out.println("own server says " + readLine(c.getInputStream()));
        }
        try (ServerSocketChannel own = ServerSocketChannel.open().bind(new InetSocketAddress(lo, 0));
                SocketChannel c = SocketChannel.open(own.getLocalAddress());
                SocketChannel a = own.accept()) {
            a.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
            ByteBuffer b = ByteBuffer.allocate(2);
            while (b.hasRemaining() && c.read(b) >= 0) {
                // until both bytes are in
            }
            System.out.println("own channel server says " + new String(b.array(), "US-ASCII"));
        }
        System.out.println(ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not booted");
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int ch = in.read(); ch >= 0 && ch != '\n'; ch = in.read()) {
            sb.append((char) ch);
        }
        return sb.toString();
    }
}

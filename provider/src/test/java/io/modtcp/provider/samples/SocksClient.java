package io.modtcp.provider.samples;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;

/**
 * Connects to {@code target.invalid:80} (a name that resolves nowhere) with a plain {@code Socket}, so only a SOCKS
 * proxy given by {@code socksProxyHost}/{@code socksProxyPort} can reach it, then with {@code new Socket(Proxy)};
 * prints the line each connection reads.
 */
public final class SocksClient {
    private SocksClient() {}

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = InetSocketAddress.createUnresolved("target.invalid", 80);
        try (Socket s = new Socket()) {
            s.connect(target, 10_000);
            System.out.println("socksProxyHost: " + readLine(s.getInputStream()));
        }
        Proxy proxy = new Proxy(
                Proxy.Type.SOCKS,
                new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getProperty("socksProxyPort"))));
        try (Socket s = new Socket(proxy)) {
            s.connect(target, 10_000);
            System.out.println("Socket(Proxy): " + readLine(s.getInputStream()));
        }
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int ch = in.read(); ch >= 0 && ch != '\n'; ch = in.read()) {
            sb.append((char) ch);
        }
        return sb.toString();
    }
}

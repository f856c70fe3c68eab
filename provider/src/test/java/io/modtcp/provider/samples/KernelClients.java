package io.modtcp.provider.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Three unmodified clients of a kernel HTTP server ({@code args[0]} host, {@code args[1]} port, {@code args[2]} path):
 * the JDK HttpClient, HttpURLConnection, and a plain {@link Socket} speaking HTTP/1.0; each prints its status, body
 * length and body SHA-256. Then the {@link Socket} sends {@link Payload#bytes}{@code (args[4])} to a kernel sink on
 * port {@code args[3]}, which answers the SHA-256 and length it received. Knows nothing of modtcp except the last
 * line, which prints what modtcp carried.
 */
public final class KernelClients {
    private KernelClients() {}

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int sinkPort = Integer.parseInt(args[3]);
        int uploadBytes = Integer.parseInt(args[4]);
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        URI uri = URI.create("http://" + host + ":" + port + path);

        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        System.out.println("httpclient " + r.statusCode() + " " + r.body().length + " " + Payload.sha256(r.body()));

        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        try (InputStream in = c.getInputStream()) {
            byte[] body = in.readAllBytes();
            System.out.println("urlconnection " + c.getResponseCode() + " " + body.length + " " + Payload.sha256(body));
        }

        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] all = s.getInputStream().readAllBytes();
            int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = new String(all, 0, end, StandardCharsets.ISO_8859_1);
            byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
            System.out.println("socket " + head.split(" ")[1] + " " + body.length + " " + Payload.sha256(body));
        }

        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, sinkPort), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(Payload.bytes(uploadBytes));
            s.shutdownOutput();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            System.out.println("socket upload " + reply);
        }
        System.out.println(ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not booted");
    }

    private static int indexOf(byte[] a, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= a.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (a[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no end of headers in " + a.length + " bytes");
    }
}

package io.modtcp.provider.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * An unmodified Jetty 12 server, the JDK HttpClient, HttpURLConnection and a plain Socket/ServerSocket echo, all on
 * 127.0.0.1. Knows nothing of modtcp except the last line, which prints what modtcp carried: run it with
 * {@code -javaagent:provider/target/modtcp-agent.jar} and everything goes through the in-JVM loopback.
 */
public final class JettyAndClients {
    private JettyAndClients() {}

    /** With the argument {@code nio}, only NIO users run (Jetty and HttpClient): the provider property alone. */
    public static void main(String[] args) throws Exception {
        boolean nioOnly = args.length > 0 && args[0].equals("nio");
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                Content.Sink.write(response, true, "hello from jetty " + Request.getPathInContext(request), callback);
                return true;
            }
        });
        server.start();
        int port = connector.getLocalPort();
        System.out.println("jetty port " + port);
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hc" + i))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.println("httpclient " + r.statusCode() + " " + r.body());
            }
            // 64 concurrent requests on the HttpClient's own selector thread and Jetty's.
            java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> futures =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                futures.add(client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/many" + i))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            for (int i = 0; i < futures.size(); i++) {
                HttpResponse<String> r = futures.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                if (r.statusCode() == 200 && r.body().equals("hello from jetty /many" + i)) {
                    ok++;
                }
            }
            System.out.println("httpclient concurrent ok " + ok + "/64");
            for (int i = 0; i < (nioOnly ? 0 : 3); i++) {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/uc" + i)
                        .toURL()
                        .openConnection();
                c.setConnectTimeout(10_000);
                c.setReadTimeout(10_000);
                try (InputStream in = c.getInputStream()) {
                    System.out.println("urlconnection " + c.getResponseCode() + " "
                            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } finally {
            server.stop();
        }
        if (nioOnly) {
            System.out.println(ModTcpRuntime.get().status());
            return;
        }
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread echo = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    s.getOutputStream().write(s.getInputStream().readNBytes(4));
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            echo.start();
            try (Socket s = new Socket("127.0.0.1", ss.getLocalPort())) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                System.out.println(
                        "socket echo " + new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            }
            echo.join();
        }
        System.out.println(ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not booted");
    }
}

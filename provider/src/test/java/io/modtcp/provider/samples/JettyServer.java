package io.modtcp.provider.samples;

import io.modtcp.provider.ModTcpRuntime;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * An unmodified Jetty 12 server on the wildcard address, port {@code args[0]}: {@code GET /bytes/N} answers
 * {@link Payload#bytes}{@code (N)}, {@code POST /sha256} answers the SHA-256 and length of the request body, anything
 * else {@code hello from jetty PATH}. Prints {@code jetty port P} when it listens, stops when a line {@code stop}
 * arrives on standard input (or after {@code args[1]} seconds), then prints what modtcp carried.
 */
public final class JettyServer {
    private JettyServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long lifetimeMs = Long.parseLong(args[1]) * 1000;
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (path.startsWith("/bytes/")) {
                    byte[] body = Payload.bytes(Integer.parseInt(path.substring("/bytes/".length())));
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                    response.write(true, ByteBuffer.wrap(body), callback);
                } else if (path.equals("/sha256") && request.getMethod().equals("POST")) {
                    MessageDigest sha = Payload.digest();
                    long n = 0;
                    byte[] buf = new byte[65536];
                    try (InputStream in = Content.Source.asInputStream(request)) {
                        for (int r; (r = in.read(buf)) > 0; n += r) {
                            sha.update(buf, 0, r);
                        }
                    }
                    Content.Sink.write(response, true, HexFormat.of().formatHex(sha.digest()) + " " + n, callback);
                } else {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                    Content.Sink.write(response, true, "hello from jetty " + path, callback);
                }
                return true;
            }
        });
        server.start();
        System.out.println("jetty port " + connector.getLocalPort() + " on " + connector.getHost());
        Thread stopper = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !line.equals("stop"); ) {
                    // wait for "stop"
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        stopper.setDaemon(true);
        stopper.start();
        stopper.join(lifetimeMs);
        server.stop();
        System.out.println(ModTcpRuntime.isBooted() ? ModTcpRuntime.get().status() : "modtcp: not booted");
    }
}

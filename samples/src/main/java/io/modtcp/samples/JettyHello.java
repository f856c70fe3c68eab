package io.modtcp.samples;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * A Jetty 12 server speaking HTTP/1.1 and h2c (HTTP/2 over cleartext, by upgrade or prior knowledge) on one port.
 *
 * <ul>
 *   <li>{@code GET /hello}: one line naming the protocol and the client's address;
 *   <li>{@code GET /bytes/N}: N bytes of {@link Payload} (N up to 64 MiB);
 *   <li>{@code POST /echo}: the request body back, its SHA-256 in {@code X-Sha256};
 *   <li>{@code GET /files/...}: static files from {@code --dir}, when given.
 * </ul>
 *
 * <p>Usage: {@code JettyHello [--host 127.0.0.1] [--port 8080] [--dir DIR]}. It prints one line when it listens, then
 * serves until the JVM is stopped.
 */
public final class JettyHello {
    static final int MAX_BYTES = 64 << 20;
    private static final Map<Integer, byte[]> BODIES = new ConcurrentHashMap<>();

    private JettyHello() {}

    public static void main(String[] args) throws Exception {
        Args a = new Args(
                args,
                Set.of("host", "port", "dir"),
                Set.of(),
                "JettyHello [--host 127.0.0.1] [--port 8080] [--dir DIR]");
        String dir = a.get("dir", null);
        Server server = start(a.get("host", "127.0.0.1"), a.getInt("port", 8080), dir == null ? null : Path.of(dir));
        server.join();
    }

    /** Starts the server and prints where it listens; port 0 picks a free port ({@link #port(Server)}). */
    public static Server start(String host, int port, Path dir) throws Exception {
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(
                server, new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ContextHandlerCollection contexts = new ContextHandlerCollection();
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--dir " + dir + ": not a directory");
            }
            ResourceHandler files = new ResourceHandler();
            files.setBaseResource(ResourceFactory.of(files).newResource(dir));
            files.setDirAllowed(true);
            contexts.addHandler(new ContextHandler(files, "/files"));
        }
        contexts.addHandler(new ContextHandler(new Hello(), "/"));
        server.setHandler(contexts);
        server.start();
        System.out.println("jetty listening on http://" + host + ":" + port(server) + "/ (HTTP/1.1 and h2c)"
                + (dir != null ? " files from " + dir : "") + " provider="
                + SelectorProvider.provider().getClass().getName());
        return server;
    }

    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    private static final class Hello extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            if (method.equals("GET") && path.equals("/hello")) {
                String text = "hello from jetty over "
                        + request.getConnectionMetaData().getHttpVersion().asString() + " to "
                        + Request.getRemoteAddr(request) + "\n";
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                Content.Sink.write(response, true, text, callback);
                return true;
            }
            if (method.equals("GET") && path.startsWith("/bytes/")) {
                int n;
                try {
                    n = Integer.parseInt(path.substring("/bytes/".length()));
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > MAX_BYTES) {
                    Response.writeError(request, response, callback, 400, "size must be 0.." + MAX_BYTES);
                    return true;
                }
                byte[] body = BODIES.size() < 16 ? BODIES.computeIfAbsent(n, Payload::bytes) : Payload.bytes(n);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
            if (method.equals("POST") && path.equals("/echo")) {
                byte[] body;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put("X-Sha256", Payload.sha256(body));
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
            Response.writeError(request, response, callback, 404, "try /hello, /bytes/N, POST /echo, /files/");
            return true;
        }
    }
}

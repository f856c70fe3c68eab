package io.modtcp.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.Set;

/**
 * An HTTP client: fetches each URL with the JDK {@link HttpClient} or {@link HttpURLConnection} and prints the status,
 * the protocol, the body's length and its SHA-256.
 *
 * <p>Usage: {@code HttpGet [--client jdk|urlconnection|jdk,urlconnection] [--http2] [--post-bytes N] [--repeat K] URL...}; with
 * {@code --post-bytes} it POSTs N bytes of {@link Payload}. Exits with 1 if any response is not 2xx.
 */
public final class HttpGet {
    private HttpGet() {}

    /** One exchange: which client, the status, the protocol and what came back. */
    public record Result(String client, String method, URI uri, int status, String version, Payload.Digest body) {
        @Override
        public String toString() {
            return client + " " + method + " " + uri + " -> " + status + " " + version + " " + body;
        }
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(
                args,
                Set.of("client", "post-bytes", "repeat"),
                Set.of("http2"),
                "HttpGet [--client jdk|urlconnection|jdk,urlconnection] [--http2] [--post-bytes N] [--repeat K] URL...");
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        boolean ok = true;
        for (int i = 0; i < a.getInt("repeat", 1); i++) {
            for (String url : a.positional()) {
                for (String client : a.get("client", "jdk").split(",")) {
                    Result r =
                            fetch(client, a.flag("http2"), URI.create(url), Long.parseLong(a.get("post-bytes", "-1")));
                    System.out.println(r);
                    ok &= r.status() / 100 == 2;
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** Fetches {@code uri}; POSTs {@code postBytes} bytes of {@link Payload} when it is not negative. */
    public static Result fetch(String client, boolean http2, URI uri, long postBytes) throws Exception {
        if (client.equals("jdk")) {
            return jdk(http2, uri, postBytes);
        }
        if (client.equals("urlconnection")) {
            return urlConnection(uri, postBytes);
        }
        throw new IllegalArgumentException("--client must be jdk or urlconnection, not " + client);
    }

    private static Result jdk(boolean http2, URI uri, long postBytes) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(http2 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        if (postBytes >= 0) {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(Payload.bytes(Math.toIntExact(postBytes))));
        }
        HttpResponse<InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            return new Result(
                    "jdk",
                    postBytes >= 0 ? "POST" : "GET",
                    uri,
                    r.statusCode(),
                    r.version().toString(),
                    Payload.digest(in));
        }
    }

    private static Result urlConnection(URI uri, long postBytes) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        if (postBytes >= 0) {
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(postBytes);
            try (OutputStream out = c.getOutputStream()) {
                Payload.write(out, postBytes);
            }
        }
        int status = c.getResponseCode();
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            Payload.Digest d = in == null ? new Payload.Digest(0, Payload.sha256(0)) : Payload.digest(in);
            return new Result("urlconnection", postBytes >= 0 ? "POST" : "GET", uri, status, "HTTP_1_1", d);
        }
    }
}

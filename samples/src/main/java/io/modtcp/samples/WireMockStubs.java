package io.modtcp.samples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * A WireMock 3 stub server:
 *
 * <ul>
 *   <li>{@code GET /stub/hello}: {@code hello from wiremock};
 *   <li>{@code GET /stub/json}: a small JSON document;
 *   <li>{@code GET /stub/blob}: {@code --mb} MiB of {@link Payload};
 *   <li>{@code POST /stub/orders} with the JSON body {@code {"item":"tcp"}}: 201 with a {@code Location}.
 * </ul>
 *
 * <p>Usage: {@code WireMockStubs [--host 127.0.0.1] [--port 8081] [--mb 4]}. It prints one line when it listens, then
 * serves until the JVM is stopped.
 */
public final class WireMockStubs {
    public static final String JSON = "{\"stack\":\"user-space\",\"ok\":true}";

    private WireMockStubs() {}

    public static void main(String[] args) throws Exception {
        Args a = new Args(
                args,
                Set.of("host", "port", "mb"),
                Set.of(),
                "WireMockStubs [--host 127.0.0.1] [--port 8081] [--mb 4]");
        start(a.get("host", "127.0.0.1"), a.getInt("port", 8081), a.getInt("mb", 4));
        Thread.currentThread().join();
    }

    /** Starts the server with its stubs and prints where it listens; port 0 picks a free port. */
    public static WireMockServer start(String host, int port, int blobMb) {
        WireMockServer server = new WireMockServer(
                options().bindAddress(host).port(port).disableRequestJournal().containerThreads(32));
        server.start();
        server.stubFor(get(urlEqualTo("/stub/hello"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/plain")
                        .withBody("hello from wiremock\n")));
        server.stubFor(get(urlEqualTo("/stub/json"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(JSON)));
        long blob = (long) blobMb << 20;
        server.stubFor(get(urlEqualTo("/stub/blob"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/octet-stream")
                        .withBody(Payload.bytes((int) blob))));
        server.stubFor(post(urlEqualTo("/stub/orders"))
                .withRequestBody(equalToJson("{\"item\":\"tcp\"}"))
                .willReturn(aResponse().withStatus(201).withHeader("Location", "/stub/orders/1")));
        System.out.println("wiremock listening on http://" + host + ":" + server.port()
                + "/ stubs /stub/hello /stub/json /stub/blob (" + blob + " bytes sha256=" + Payload.sha256(blob)
                + ") POST /stub/orders provider="
                + SelectorProvider.provider().getClass().getName());
        return server;
    }
}

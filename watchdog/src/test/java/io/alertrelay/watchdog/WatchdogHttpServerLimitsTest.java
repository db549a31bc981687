package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP surface's limits and token (docs/http.md), against a real server on a free loopback port. */
final class WatchdogHttpServerLimitsTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final WatchdogHttpServer.Limits SHORT = new WatchdogHttpServer.Limits(Duration.ofMillis(300),
            Duration.ofMillis(300), Duration.ofSeconds(10), 2048, 64, 64, 8);

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<String> received = new AtomicReference<>();
    private WatchdogHttpServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private void start(Optional<String> token) {
        server = WatchdogHttpServer.start("127.0.0.1", 0, token, SHORT, Readiness::ok, () -> "", () -> "{}");
        server.addRoute("/echo", this::echo);
    }

    private void echo(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.set(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
        byte[] answer = ("got " + body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(201, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private HttpResponse<String> post(String path, String body, Optional<String> authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        authorization.ifPresent(value -> request.header("Authorization", value));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRouteGetsItsMethodUriAndBodyAndItsAnswerIsSentAsWritten() throws Exception {
        start(Optional.empty());
        HttpResponse<String> response = post("/echo/1?x=y", "hello", Optional.empty());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("got hello");
        assertThat(received.get()).isEqualTo("POST /echo/1?x=y hello");
    }

    @Test
    void onLoopbackWithoutATokenChangesNeedNoToken() throws Exception {
        start(Optional.empty());
        assertThat(post("/echo", "x", Optional.empty()).statusCode()).isEqualTo(201);
    }

    @Test
    void withATokenChangesNeedItAndReadsDoNot() throws Exception {
        start(Optional.of(TOKEN));
        HttpResponse<String> without = post("/echo", "x", Optional.empty());
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(without.body()).doesNotContain(TOKEN);
        assertThat(post("/echo", "x", Optional.of("Bearer wrong-token-0123456789")).statusCode()).isEqualTo(401);
        assertThat(received.get()).isNull();
        assertThat(post("/echo", "x", Optional.of("Bearer " + TOKEN)).statusCode()).isEqualTo(201);
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void boundBeyondLoopbackWithoutATokenChangesAreRefused() throws Exception {
        server = WatchdogHttpServer.start("0.0.0.0", 0, Optional.empty(), SHORT, Readiness::ok, () -> "", () -> "{}");
        server.addRoute("/echo", this::echo);
        HttpResponse<String> refused = post("/echo", "x", Optional.empty());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("set http.token");
        assertThat(received.get()).isNull();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start(Optional.empty());
        assertThat(post("/echo", "x".repeat(65), Optional.empty()).statusCode()).isEqualTo(413);
        assertThat(received.get()).isNull();
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        start(Optional.empty());
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/health/live")).header("X-Big", "y".repeat(4096)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(431);
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        start(Optional.empty());
        try (Socket socket = open("GET /health/live HTTP/1.1\r\nHost: x\r\n")) {
            assertThat(readUntilClosed(socket)).isEmpty();
        }
    }

    @Test
    void aBodyThatNeverCompletesIs408AndNeverReachesTheRoute() throws Exception {
        start(Optional.empty());
        try (Socket socket = open("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nab")) {
            assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 408");
        }
        assertThat(received.get()).isNull();
    }

    private Socket open(String partial) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** What the server sends until it closes (a generous socket timeout: the server's limit is 300 ms). */
    private static String readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}

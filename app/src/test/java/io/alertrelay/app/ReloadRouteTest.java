package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who may reload: loopback without a token, elsewhere only with {@code http.token}; POST only. */
final class ReloadRouteTest {
    private static final String TOKEN = "0123456789abcdef-reload-token";
    private final List<String> reloads = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;

    private URI start(boolean loopbackOnly, Optional<String> token, boolean applied) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(ReloadRoute.PATH, new ReloadRoute(trigger -> {
            reloads.add(trigger);
            return applied ? new Reloader.Result(true, "aaaaaaaaaaaa", List.of("sinks.x: added"), List.of())
                    : new Reloader.Result(false, "bbbbbbbbbbbb", List.of(), List.of("sinks.x.timeout: '5x' is not a duration"));
        }, loopbackOnly, token));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + ReloadRoute.PATH);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpResponse<String> post(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onLoopbackWithoutATokenAPostReloads() throws Exception {
        URI uri = start(true, Optional.empty(), true);
        HttpResponse<String> response = post(uri, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"applied\"", "sinks.x: added", "aaaaaaaaaaaa");
        assertThat(reloads).singleElement().asString().startsWith("POST /-/reload from 127.0.0.1");
    }

    @Test
    void aRejectedReloadIs422WithItsProblems() throws Exception {
        URI uri = start(true, Optional.empty(), false);
        HttpResponse<String> response = post(uri, null);
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("\"rejected\"", "sinks.x.timeout: '5x' is not a duration", "bbbbbbbbbbbb");
    }

    @Test
    void boundElsewhereWithoutATokenNobodyMayReload() throws Exception {
        URI uri = start(false, Optional.empty(), true);
        assertThat(post(uri, null).statusCode()).isEqualTo(403);
        assertThat(post(uri, "Bearer anything").statusCode()).isEqualTo(403);
        assertThat(reloads).isEmpty();
    }

    @Test
    void withATokenOnlyTheRightBearerReloads() throws Exception {
        URI uri = start(false, Optional.of(TOKEN), true);
        assertThat(post(uri, null).statusCode()).isEqualTo(401);
        assertThat(post(uri, "Bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = post(uri, "Bearer wrong");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain(TOKEN);
        assertThat(reloads).isEmpty();
        assertThat(post(uri, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(reloads).hasSize(1);
    }

    @Test
    void onlyPostReloads() throws Exception {
        URI uri = start(true, Optional.empty(), true);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(reloads).isEmpty();
    }
}

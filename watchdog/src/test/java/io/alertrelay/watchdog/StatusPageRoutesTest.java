package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status page's files come from the jar and its history route answers JSON (docs/status-page.md). */
final class StatusPageRoutesTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final WatchdogHttpServer server = WatchdogHttpServer.start("127.0.0.1", 0, Readiness::ok, () -> "",
            () -> Map.of("relay", "relay-1"));

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageItsScriptAndStyleAreServedWithTheirTypes() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script src=\"ui/status.js\"></script>").doesNotContain("http://", "https://");
        HttpResponse<String> script = get("/ui/status.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("get(\"status\")").contains("get(\"status/history\")");
        assertThat(get("/ui/status.css").headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
        assertThat(get("/ui/other.js").statusCode()).isEqualTo(404);
    }

    @Test
    void theHistoryRouteAnswersTheSnapshotAsJsonAndRefusesChanges() throws Exception {
        StatusHistory history = new StatusHistory();
        history.add("sinkQueueDepth", "ops-slack", java.time.Instant.parse("2026-11-27T12:00:00Z"), 2);
        server.addRoute(WatchdogHttpServer.HISTORY_PATH, WatchdogHttpServer.jsonRoute(
                () -> history.snapshot(java.time.Instant.parse("2026-11-27T12:00:05Z"))));
        HttpResponse<String> response = get("/status/history");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.body().replaceAll("\\s", "")).contains("\"sinkQueueDepth\":{\"ops-slack\":[[1795780800000,2.0]]}");
        assertThat(get("/status").body()).contains("relay-1");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/status/history")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }
}

package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.watchdog.canary.CanaryMonitor;
import io.alertrelay.watchdog.canary.NodeState;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.watchdog.testing.RecordingHealthAlerts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class WatchdogHttpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<Readiness> readiness = new AtomicReference<>(Readiness.ok());
    private final AtomicReference<Object> status = new AtomicReference<>();
    private WatchdogHttpServer server = WatchdogHttpServer.start("127.0.0.1", 0, readiness::get,
            () -> "# TYPE alertrelay_canary_received_total counter\nalertrelay_canary_received_total 3.0\n", status::get);

    record Subscription(String name, NodeState state, Optional<String> node, Instant since, Duration age) {}

    record Status(List<Subscription> subscriptions, Optional<String> empty) {}

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void listensOnAnEphemeralPortWhenAskedForPortZero() {
        assertThat(server.port()).isPositive();
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void liveIsOkWhileTheProcessServes() throws Exception {
        HttpResponse<String> response = get("/health/live");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void readyFollowsTheReadinessCheckAndSaysWhyNot() throws Exception {
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("ready");

        readiness.set(Readiness.notReady("subscriptions not acknowledged on 10.0.0.5:6379",
                "no canary received on 10.0.0.5:6379 yet"));
        HttpResponse<String> notReady = get("/health/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(notReady.body());
        assertThat(body.get("status").asText()).isEqualTo("not ready");
        assertThat(body.get("reasons")).extracting(JsonNode::asText).containsExactly(
                "subscriptions not acknowledged on 10.0.0.5:6379", "no canary received on 10.0.0.5:6379 yet");
    }

    @Test
    void aReadinessCheckThatThrowsIsNotReady() throws Exception {
        server.close();
        server = WatchdogHttpServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("boom");
        }, () -> "", () -> "");
        HttpResponse<String> response = get("/health/ready");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("readiness check failed: IllegalStateException");
    }

    @Test
    void metricsServeThePrometheusTextWithItsContentType() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("alertrelay_canary_received_total 3.0");
    }

    @Test
    void statusIsTheAppsObjectAsJsonWithInstantsDurationsAndOptionalsReadable() throws Exception {
        status.set(new Status(List.of(new Subscription("alerts:*", NodeState.OK, Optional.of("10.0.0.5:6379"),
                Instant.parse("2026-11-23T12:03:11.873Z"), Duration.ofMillis(1461))), Optional.empty()));
        HttpResponse<String> response = get("/status");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode subscription = JSON.readTree(response.body()).get("subscriptions").get(0);
        assertThat(subscription.get("name").asText()).isEqualTo("alerts:*");
        assertThat(subscription.get("state").asText()).isEqualTo("OK");
        assertThat(subscription.get("node").asText()).isEqualTo("10.0.0.5:6379");
        assertThat(subscription.get("since").asText()).isEqualTo("2026-11-23T12:03:11.873Z");
        assertThat(subscription.get("age").asText()).isEqualTo("PT1.461S");
        assertThat(JSON.readTree(response.body()).get("empty").isNull()).isTrue();
    }

    @Test
    void theWatchdogsOwnStatusRecordsSerialize() throws Exception {
        ManualClock clock = ManualClock.at("2026-11-23T12:03:00Z");
        RecordingHealthAlerts alerts = new RecordingHealthAlerts();
        BlindWindows windows = new BlindWindows(alerts, "relay-1", clock);
        CanaryMonitor monitor = new CanaryMonitor(CanaryMonitor.Settings.from(WatchdogConfig.defaults()), "relay-1",
                List.of(new CanaryTarget("alerts:__canary__", io.alertrelay.spi.Subscription.pattern("alerts:*"))),
                (node, channel, payload) -> CompletableFuture.completedFuture(
                        io.alertrelay.watchdog.canary.CanaryPublisher.Published.on(node)), (node, reason) -> { }, alerts, windows,
                clock);
        monitor.expectedNodes(Set.of("10.0.0.5:6379"), "10.0.0.5:6379");
        monitor.tick();
        monitor.onCanaryReceived("relay-1", 1, "10.0.0.5:6379", clock.instant().plusMillis(3));
        windows.subscriptionLost("10.0.0.5:6379", "alerts:*", clock.instant(), "reset");
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("canary", monitor.status());
        all.put("blindWindows", windows.status());
        all.put("ready", monitor.readiness());
        status.set(all);

        JsonNode body = JSON.readTree(get("/status").body());
        JsonNode node = body.get("canary").get("nodes").get(0);
        assertThat(node.get("state").asText()).isEqualTo("OK");
        assertThat(node.get("lastSeq").asLong()).isEqualTo(1);
        assertThat(node.get("lastRoundTripMillis").asLong()).isEqualTo(3);
        assertThat(node.get("lastReceived").asText()).isEqualTo("2026-11-23T12:03:00.003Z");
        assertThat(body.get("canary").get("interval").asText()).isEqualTo("PT10S");
        assertThat(body.get("canary").get("targets").get(0).get("subscription").get("name").asText()).isEqualTo("alerts:*");
        assertThat(body.get("blindWindows").get("open").get(0).get("awaitingAcknowledgement").asBoolean()).isTrue();
        assertThat(body.get("blindWindows").get("open").get(0).get("acknowledgedAt").isNull()).isTrue();
        assertThat(body.get("ready").get("ready").asBoolean()).isTrue();
    }

    @Test
    void aSupplierThatThrowsGivesA500() throws Exception {
        server.close();
        server = WatchdogHttpServer.start("127.0.0.1", 0, readiness::get, () -> {
            throw new IllegalStateException("registry closed");
        }, () -> "");
        assertThat(get("/metrics").statusCode()).isEqualTo(500);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsAre404AndOtherMethods405AndHeadHasNoBody() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(404);
        assertThat(get("/health/live/extra").statusCode()).isEqualTo(404);

        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/health/live"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");

        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/health/live"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void stopClosesThePortAndIsIdempotent() {
        URI live = uri("/health/live");
        server.stop();
        server.stop();
        assertThatThrownBy(() -> send(HttpRequest.newBuilder(live).GET().build())).isInstanceOf(IOException.class);
    }

    @Test
    void aTakenPortIsReportedWithTheKeysToChange() {
        assertThatThrownBy(() -> WatchdogHttpServer.start("127.0.0.1", server.port(), readiness::get, () -> "", () -> ""))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("http.bind/http.port: cannot listen on 127.0.0.1:" + server.port());
    }

    @Test
    void isNotStartedWhenDisabled() {
        assertThat(WatchdogHttpServer.fromConfig(new WatchdogConfig.Http(false, "127.0.0.1", 0), readiness::get,
                () -> "", () -> "")).isEmpty();
    }
}

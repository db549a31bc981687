package io.alertrelay.sink.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkState;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slack sink through the Web API, against a MockWebServer standing in for https://slack.com/api/. */
final class SlackWebApiTest {
    private static final String TOKEN = "xoxb-SECRET-bot-TOKEN-42";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private final SinkState state = SinkState.inMemory();
    private final List<SlackSink> sinks = new ArrayList<>();
    private final List<DeliveryResult> results = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void tearDown() throws IOException {
        sinks.forEach(SlackSink::close);
        server.shutdown();
        results.forEach(result -> assertThat(result.detail()).doesNotContain(TOKEN));
    }

    private SlackSink sink(Map<String, Object> extra) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("token", TOKEN);
        section.put("channel", "C0OPS");
        section.put("api-url", server.url("/api/").toString());
        section.put("timeout", "5s");
        section.putAll(extra);
        TreeConfigView view = TreeConfigView.root(Map.of("sinks", Map.of("ops-slack", section)))
                .section("sinks").section("ops-slack");
        SlackSink sink = (SlackSink) new SlackSinkFactory().create(view, new SinkContext() {
            @Override
            public String instanceName() {
                return "ops-slack";
            }

            @Override
            public SinkState state() {
                return state;
            }
        });
        sinks.add(sink);
        return sink;
    }

    private SlackSink sink() {
        return sink(Map.of());
    }

    private void answer(String json) {
        server.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(json));
    }

    private RecordedRequest next() throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).as("a request to the stand-in").isNotNull();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        return request;
    }

    private static JsonNode body(RecordedRequest request) throws IOException {
        return JSON.readTree(request.getBody().readUtf8());
    }

    private DeliveryResult deliver(SlackSink sink, Alert alert) {
        DeliveryResult result = sink.deliver(alert);
        results.add(result);
        return result;
    }

    private static Alert resolved(Alert alert) {
        return new Alert(alert.id() + "-r", alert.title(), Status.RESOLVED, alert.severity(), alert.summary(),
                alert.labels(), alert.source(), alert.timestamp().map(at -> at.plusSeconds(600)), alert.extra(),
                alert.origin());
    }

    @Test
    void aResolutionEditsTheFiringMessageAndRepliesInItsThreadAlsoFromANewInstance() throws Exception {
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000100\"}");
        assertThat(deliver(sink(), Alerts.diskFull()).outcome()).isEqualTo(Outcome.DELIVERED);
        RecordedRequest post = next();
        assertThat(post.getPath()).isEqualTo("/api/chat.postMessage");
        JsonNode posted = body(post);
        assertThat(posted.path("channel").asText()).isEqualTo("C0OPS");
        assertThat(posted.path("attachments").get(0).path("color").asText()).isEqualTo("#E01E5A");
        assertThat(posted.path("attachments").get(0).path("blocks").get(0).path("text").path("text").asText())
                .isEqualTo("[FIRING] Disk full on db-1");

        SlackSink afterRestart = sink(); // the same persistent state, a new sink
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000100\"}");
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000200\"}");
        assertThat(deliver(afterRestart, resolved(Alerts.diskFull())).outcome()).isEqualTo(Outcome.DELIVERED);
        RecordedRequest update = next();
        assertThat(update.getPath()).isEqualTo("/api/chat.update");
        JsonNode updated = body(update);
        assertThat(updated.path("channel").asText()).isEqualTo("C0OPS");
        assertThat(updated.path("ts").asText()).isEqualTo("1700000000.000100");
        assertThat(updated.path("attachments").get(0).path("color").asText()).isEqualTo("#2EB67D");
        assertThat(updated.path("text").asText()).startsWith("[RESOLVED]");
        RecordedRequest reply = next();
        assertThat(reply.getPath()).isEqualTo("/api/chat.postMessage");
        JsonNode replied = body(reply);
        assertThat(replied.path("thread_ts").asText()).isEqualTo("1700000000.000100");
        assertThat(replied.path("text").asText()).isEqualTo("Resolved: Disk full on db-1 at 2026-11-23T10:10:00Z");
        assertThat(state.get(io.alertrelay.spi.Fingerprint.of(Alerts.diskFull()))).as("forgotten once resolved")
                .isEmpty();
    }

    @Test
    void aResolutionWithoutAKnownOriginalIsANewMessage() throws Exception {
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000300\"}");
        assertThat(deliver(sink(), resolved(Alerts.diskFull())).outcome()).isEqualTo(Outcome.DELIVERED);
        RecordedRequest request = next();
        assertThat(request.getPath()).isEqualTo("/api/chat.postMessage");
        assertThat(body(request).has("thread_ts")).isFalse();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void slackErrorsAreClassifiedAndKeptInTheDetail() throws Exception {
        SlackSink sink = sink();
        answer("{\"ok\":false,\"error\":\"channel_not_found\"}");
        answer("{\"ok\":false,\"error\":\"missing_scope\",\"needed\":\"chat:write\",\"provided\":\"users:read\"}");
        answer("{\"ok\":false,\"error\":\"invalid_blocks\"}");
        answer("{\"ok\":false,\"error\":\"internal_error\"}");
        answer("{\"ok\":false,\"error\":\"ratelimited\"}");
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "7")
                .setBody("{\"ok\":false,\"error\":\"ratelimited\"}"));
        server.enqueue(new MockResponse().setResponseCode(503).setBody("upstream " + TOKEN));
        server.enqueue(new MockResponse().setResponseCode(200).setBody("<html>proxy</html>"));

        assertThat(deliver(sink, Alerts.diskFull())).isEqualTo(
                DeliveryResult.rejected("Slack chat.postMessage: channel_not_found"));
        assertThat(deliver(sink, Alerts.diskFull())).isEqualTo(
                DeliveryResult.rejected("Slack chat.postMessage: missing_scope (needed chat:write)"));
        assertThat(deliver(sink, Alerts.diskFull()).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(deliver(sink, Alerts.diskFull())).isEqualTo(
                DeliveryResult.retryable("Slack chat.postMessage: internal_error"));
        assertThat(deliver(sink, Alerts.diskFull()).outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(deliver(sink, Alerts.diskFull())).isEqualTo(DeliveryResult.retryable(
                "Slack chat.postMessage: HTTP 429 ratelimited (retry after 7s)", Duration.ofSeconds(7)));
        DeliveryResult unavailable = deliver(sink, Alerts.diskFull());
        assertThat(unavailable.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(unavailable.detail()).startsWith("Slack chat.postMessage: HTTP 503").doesNotContain(TOKEN);
        assertThat(deliver(sink, Alerts.diskFull()).outcome()).as("not Slack's JSON").isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void aBadTokenIsAStartUpErrorNamingTheKeyNeverTheToken() throws Exception {
        answer("{\"ok\":false,\"error\":\"invalid_auth\"}");
        ConfigurationException refused = catchThrowableOfType(ConfigurationException.class, () -> sink().verify());
        assertThat(refused.problems()).containsExactly(
                "sinks.ops-slack.token: Slack refused the token (auth.test answered invalid_auth; value not shown: "
                        + "sensitive)");
        assertThat(refused.getMessage()).doesNotContain(TOKEN);
        assertThat(next().getPath()).isEqualTo("/api/auth.test");

        answer("{\"ok\":true,\"team\":\"Acme\",\"user\":\"alert-relay\"}");
        sink().verify();
        server.enqueue(new MockResponse().setResponseCode(503));
        sink().verify(); // Slack down at start-up: the relay starts, deliveries are retried
    }

    @Test
    void createMakesNoCallAndTheTargetIsTheChannelPacedAtSlacksDefault() {
        SlackSink sink = sink();
        assertThat(server.getRequestCount()).isZero();
        assertThat(sink.target(Alerts.diskFull())).isEqualTo("C0OPS");
        assertThat(sink.defaultRate()).contains(new io.alertrelay.spi.Rate(1, 3));
        assertThat(sink.toString()).doesNotContain(TOKEN);
    }

    @Test
    void aDigestStaysWithinBlockKitLimitsAndListsOrCountsEveryAlert() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            alerts.add(Alerts.alert("d-" + i, "Disk full on db-" + i + " <!here> " + "x".repeat(i == 3 ? 400 : 0),
                    i == 7 ? Severity.CRITICAL : Severity.WARNING, Map.of()));
        }
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000400\"}");
        DeliveryResult result = sink(Map.of("mention", Map.of("critical", "<!subteam^S123>"))).deliverAll(alerts);
        results.add(result);
        assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
        JsonNode posted = body(next());
        assertThat(posted.path("text").asText()).isEqualTo(
                "<!subteam^S123> [FIRING] [critical] Disk full on db-0 &lt;!here&gt;  … and 119 more");
        JsonNode blocks = posted.path("attachments").get(0).path("blocks");
        assertThat(blocks.size()).isLessThanOrEqualTo(50);
        assertThat(blocks.get(0).path("text").path("text").asText()).hasSizeLessThanOrEqualTo(150)
                .isEqualTo("[FIRING] Disk full on db-0 &lt;!here&gt;  … and 119 more");
        assertThat(blocks.get(1).path("text").path("text").asText()).isEqualTo("<!subteam^S123>");
        StringBuilder listed = new StringBuilder();
        for (JsonNode block : blocks) {
            String text = block.path("text").path("text").asText();
            assertThat(text.length()).isLessThanOrEqualTo(3000);
            if (block.path("type").asText().equals("section")) {
                listed.append(text).append('\n');
            }
        }
        String lines = listed.toString();
        assertThat(lines).contains("• [warning] Disk full on db-0 &lt;!here&gt;  (firing)")
                .contains("• [critical] Disk full on db-7 &lt;!here&gt;  (firing)")
                .contains("Disk full on db-49 ").doesNotContain("Disk full on db-50 ")
                .contains("… and 70 more").doesNotContain("<!here>");
        assertThat(lines.lines().filter(line -> line.startsWith("• ")).count()).isEqualTo(50);
    }

    @Test
    void resolutionsInADigestEditTheirOriginalsOnceAndTheDigestListsThem() throws Exception {
        SlackSink sink = sink();
        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000500\"}");
        deliver(sink, Alerts.diskFull());
        next();
        Alert other = Alerts.alert("o-1", "Load high on web-1");
        server.enqueue(new MockResponse().setResponseCode(200).setBody("{\"ok\":true,\"ts\":\"1700000000.000500\"}"));
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "1")
                .setBody("{\"ok\":false,\"error\":\"ratelimited\"}"));
        DeliveryResult limited = sink.deliverAll(List.of(resolved(Alerts.diskFull()), other));
        results.add(limited);
        assertThat(limited.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(next().getPath()).isEqualTo("/api/chat.update");
        assertThat(next().getPath()).isEqualTo("/api/chat.postMessage");

        answer("{\"ok\":true,\"channel\":\"C0OPS\",\"ts\":\"1700000000.000600\"}");
        DeliveryResult retried = sink.deliverAll(List.of(resolved(Alerts.diskFull()), other));
        results.add(retried);
        assertThat(retried.outcome()).isEqualTo(Outcome.DELIVERED);
        RecordedRequest digest = next();
        assertThat(digest.getPath()).as("the edit is not made twice").isEqualTo("/api/chat.postMessage");
        assertThat(body(digest).toString()).contains("• [critical] Disk full on db-1 (resolved)")
                .contains("• [warning] Load high on web-1 (firing)");
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void aWebhookResolutionNamesTheOriginalAndOnlyFiringAlertsMention() throws Exception {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("webhook-url", server.url("/services/T0/B0/X").toString());
        section.put("mention", Map.of("critical", "<!subteam^S123>"));
        TreeConfigView view = TreeConfigView.root(Map.of("sinks", Map.of("hook", section))).section("sinks")
                .section("hook");
        SlackSink sink = (SlackSink) new SlackSinkFactory().create(view, new SinkContext() {
            @Override
            public String instanceName() {
                return "hook";
            }

            @Override
            public Clock clock() {
                return Clock.fixed(java.time.Instant.parse("2026-11-23T10:00:05Z"), java.time.ZoneOffset.UTC);
            }

            @Override
            public SinkState state() {
                return state;
            }
        });
        sinks.add(sink);
        server.enqueue(new MockResponse().setBody("ok"));
        server.enqueue(new MockResponse().setBody("ok"));
        deliver(sink, Alerts.diskFull());
        deliver(sink, resolved(Alerts.diskFull()));
        JsonNode firing = JSON.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
        JsonNode resolution = JSON.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(firing.path("text").asText()).isEqualTo("<!subteam^S123> [FIRING] [critical] Disk full on db-1");
        assertThat(firing.path("blocks").get(1).path("text").path("text").asText()).isEqualTo("<!subteam^S123>");
        assertThat(resolution.path("text").asText()).isEqualTo("[RESOLVED] [critical] Disk full on db-1");
        JsonNode context = resolution.path("blocks").get(resolution.path("blocks").size() - 1).path("elements");
        assertThat(context.get(1).path("text").asText())
                .isEqualTo("resolves the message of 2026-11-23T10:00:05Z: Disk full on db-1");
    }
}

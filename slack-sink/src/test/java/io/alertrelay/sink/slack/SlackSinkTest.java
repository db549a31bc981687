package io.alertrelay.sink.slack;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.TestSinkContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SlackSinkTest {
    private static final String TOKEN = "SECRETTOKEN";
    private static final String TOKEN_PATH = "/services/T000/B000/" + TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MockWebServer server;
    private String webhookUrl;
    private final List<SlackSink> sinks = new ArrayList<>();
    private final List<DeliveryResult> results = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger slackLogger;
    private Level previousLevel;

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
        webhookUrl = server.url(TOKEN_PATH).toString();

        slackLogger = (Logger) LoggerFactory.getLogger("io.alertrelay.sink.slack");
        previousLevel = slackLogger.getLevel();
        slackLogger.setLevel(Level.DEBUG);
        slackLogger.setAdditive(false);
        logs.start();
        slackLogger.addAppender(logs);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            sinks.forEach(SlackSink::close);
            server.shutdown();
            // Whatever happened in the test, the token never leaked into a result or a log line.
            for (DeliveryResult result : results) {
                assertThat(result.detail()).doesNotContain(TOKEN).doesNotContain(webhookUrl);
            }
            for (ILoggingEvent event : logs.list) {
                assertThat(event.getFormattedMessage()).doesNotContain(TOKEN);
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN);
                }
            }
        } finally {
            slackLogger.detachAppender(logs);
            slackLogger.setAdditive(true);
            slackLogger.setLevel(previousLevel);
        }
    }

    private SlackSink sink(Map<String, Object> extra) {
        return sink(extra, TestSinkContext.named("ops-slack"));
    }

    private SlackSink sink(Map<String, Object> extra, SinkContext context) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("webhook-url", webhookUrl);
        section.put("timeout", "5s");
        section.putAll(extra);
        TreeConfigView view = TreeConfigView.root(Map.of("sinks", Map.of("ops-slack", section)))
                .section("sinks").section("ops-slack");
        SlackSink sink = (SlackSink) new SlackSinkFactory().create(view, context);
        sinks.add(sink);
        return sink;
    }

    private SlackSink sink() {
        return sink(Map.of());
    }

    private DeliveryResult deliver(SlackSink sink, Alert alert) {
        DeliveryResult result = sink.deliver(alert);
        results.add(result);
        return result;
    }

    private DeliveryResult answer(MockResponse response) {
        server.enqueue(response);
        return deliver(sink(), Alerts.diskFull());
    }

    private JsonNode takeBody() throws InterruptedException, IOException {
        RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getPath()).isEqualTo(TOKEN_PATH);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        return JSON.readTree(request.getBody().readUtf8());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.path("text").asText()));
        return texts;
    }

    @Test
    void postsABlockKitMessageAndReportsDelivered() throws Exception {
        DeliveryResult result = answer(new MockResponse().setBody("ok"));

        assertThat(result).isEqualTo(DeliveryResult.delivered());
        JsonNode body = takeBody();
        assertThat(body.path("text").asText()).isEqualTo("[FIRING] [critical] Disk full on db-1");
        assertThat(body.has("channel")).isFalse();
        assertThat(body.has("icon_emoji")).isFalse();

        JsonNode blocks = body.path("blocks");
        assertThat(blocks).hasSize(4);
        JsonNode header = blocks.get(0);
        assertThat(header.path("type").asText()).isEqualTo("header");
        assertThat(header.path("text").path("type").asText()).isEqualTo("plain_text");
        assertThat(header.path("text").path("text").asText()).isEqualTo("[FIRING] Disk full on db-1");

        JsonNode fields = blocks.get(1);
        assertThat(fields.path("type").asText()).isEqualTo("section");
        assertThat(fields.path("fields")).allSatisfy(field -> {
            assertThat(field.path("type").asText()).isEqualTo("mrkdwn");
            assertThat(field.path("verbatim").asBoolean()).isTrue();
        });
        assertThat(texts(fields.path("fields"))).containsSubsequence(
                "*Severity*\ncritical", "*Source*\nmonitor-7", "*Channel*\nalerts:prod");
        assertThat(texts(fields.path("fields"))).contains("*host*\ndb-1", "*team*\nstorage").hasSize(5);

        assertThat(blocks.get(2).path("type").asText()).isEqualTo("section");
        assertThat(blocks.get(2).path("text").path("text").asText()).isEqualTo("/var at 97%");

        assertThat(blocks.get(3).path("type").asText()).isEqualTo("context");
        assertThat(texts(blocks.get(3).path("elements"))).containsExactly("id evt-42 | at 2026-11-23T10:00:00Z");

        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                // the sink's settings are in the relay's effective-configuration log (URL masked), not a line of its own
                .allSatisfy(line -> assertThat(line).doesNotContain(TOKEN))
                .anySatisfy(line -> assertThat(line).contains("alert evt-42 -> DELIVERED"));
    }

    @Test
    void sendsConfiguredOverrides() throws Exception {
        server.enqueue(new MockResponse().setBody("ok"));
        SlackSink sink = sink(Map.of("channel", "#ops", "username", "relay", "icon-emoji", ":rotating_light:"));

        assertThat(deliver(sink, Alerts.diskFull()).outcome()).isEqualTo(Outcome.DELIVERED);

        JsonNode body = takeBody();
        assertThat(body.path("channel").asText()).isEqualTo("#ops");
        assertThat(body.path("username").asText()).isEqualTo("relay");
        assertThat(body.path("icon_emoji").asText()).isEqualTo(":rotating_light:");
    }

    @Test
    void escapesEventDataSoItCannotMentionOrLink() throws Exception {
        server.enqueue(new MockResponse().setBody("ok"));
        Alert alert = new Alert("id<!here>", "Deploy <!channel> & <http://evil|click>", Status.FIRING,
                Severity.CRITICAL, Optional.of("a & b <@U123> <!subteam^S1>"),
                Map.of("<!here>", "<http://x|y>"), Optional.of("<!everyone>"), Optional.empty(), Map.of(),
                new Alert.Origin("alerts:<b>", Optional.empty(), Instant.parse("2026-11-23T10:00:01Z")));

        assertThat(deliver(sink(), alert).outcome()).isEqualTo(Outcome.DELIVERED);

        JsonNode body = takeBody();
        String raw = JSON.writeValueAsString(body);
        assertThat(raw).doesNotContain("<").doesNotContain(">");
        assertThat(body.path("text").asText())
                .isEqualTo("[FIRING] [critical] Deploy &lt;!channel&gt; &amp; &lt;http://evil|click&gt;");
        JsonNode blocks = body.path("blocks");
        assertThat(blocks.get(0).path("text").path("text").asText())
                .isEqualTo("[FIRING] Deploy &lt;!channel&gt; &amp; &lt;http://evil|click&gt;");
        assertThat(texts(blocks.get(1).path("fields"))).containsExactly(
                "*Severity*\ncritical",
                "*Source*\n&lt;!everyone&gt;",
                "*Channel*\nalerts:&lt;b&gt;",
                "*&lt;!here&gt;*\n&lt;http://x|y&gt;");
        assertThat(blocks.get(2).path("text").path("text").asText())
                .isEqualTo("a &amp; b &lt;@U123&gt; &lt;!subteam^S1&gt;");
        assertThat(texts(blocks.get(3).path("elements")))
                .containsExactly("id id&lt;!here&gt; | received 2026-11-23T10:00:01Z");
    }

    @Test
    void rateLimitedWithRetryAfterSecondsIsRetryable() {
        DeliveryResult result = answer(new MockResponse().setResponseCode(429).setHeader("Retry-After", "30")
                .setBody("rate_limited"));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(result.detail()).contains("429").contains("rate_limited");
    }

    @Test
    void rateLimitedWithRetryAfterDateIsRetryable() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
        server.enqueue(new MockResponse().setResponseCode(429)
                .setHeader("Retry-After", "Mon, 23 Nov 2026 10:01:30 GMT"));

        DeliveryResult result = deliver(sink(Map.of(), new TestSinkContext("ops-slack", clock)), Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.retryAfter()).contains(Duration.ofSeconds(90));
    }

    @Test
    void rateLimitedWithoutRetryAfterIsRetryableWithoutWait() {
        DeliveryResult result = answer(new MockResponse().setResponseCode(429));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.retryAfter()).isEmpty();
    }

    @Test
    void serverErrorsAndRequestTimeoutAreRetryable() {
        for (int code : new int[] {500, 502, 503, 408}) {
            DeliveryResult result = answer(new MockResponse().setResponseCode(code).setBody("service down"));

            assertThat(result.outcome()).as("HTTP %d", code).isEqualTo(Outcome.RETRYABLE);
            assertThat(result.detail()).contains("HTTP " + code).contains("service down");
            assertThat(result.retryAfter()).isEmpty();
        }
    }

    @Test
    void badRequestIsRejectedWithSlacksErrorText() {
        DeliveryResult result = answer(new MockResponse().setResponseCode(400).setBody("invalid_payload"));

        assertThat(result).isEqualTo(DeliveryResult.rejected("Slack answered HTTP 400: invalid_payload"));
    }

    @Test
    void otherClientErrorsAreRejected() {
        Map<Integer, String> answers = Map.of(404, "no_service", 403, "invalid_token", 410, "channel_is_archived",
                400, "no_text");
        answers.forEach((code, text) -> {
            DeliveryResult result = answer(new MockResponse().setResponseCode(code).setBody(text));

            assertThat(result.outcome()).as("HTTP %d", code).isEqualTo(Outcome.REJECTED);
            assertThat(result.detail()).isEqualTo("Slack answered HTTP " + code + ": " + text);
        });
    }

    @Test
    void errorTextIsOneLineCutAndRedacted() {
        String body = "invalid_payload\u0000\r\n\tfor " + webhookUrl + " and " + TOKEN + " " + "x".repeat(500);

        DeliveryResult result = answer(new MockResponse().setResponseCode(400).setBody(body));

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        String text = result.detail().substring("Slack answered HTTP 400: ".length());
        assertThat(text).startsWith("invalid_payload for <redacted> and <redacted> xxx").endsWith("…");
        assertThat(text).hasSize(SlackSink.MAX_DETAIL_BODY);
        assertThat(text.chars()).noneMatch(Character::isISOControl);
    }

    @Test
    void aTokenEchoedInAnotherLetterCaseIsRedactedToo() {
        // a receiver (or a proxy in front of it) may upper- or lower-case what it echoes; the token is still a secret
        String body = "invalid_token " + TOKEN.toLowerCase(java.util.Locale.ROOT) + " at "
                + webhookUrl.toString().toLowerCase(java.util.Locale.ROOT);

        DeliveryResult result = answer(new MockResponse().setResponseCode(403).setBody(body));

        assertThat(result.detail()).isEqualTo("Slack answered HTTP 403: invalid_token <redacted> at <redacted>");
        assertThat(result.detail().toLowerCase(java.util.Locale.ROOT))
                .doesNotContain(TOKEN.toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void redirectsAreNotFollowedAndRejected() {
        DeliveryResult result = answer(new MockResponse().setResponseCode(302)
                .setHeader("Location", server.url("/elsewhere")));

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).contains("HTTP 302");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void disconnectIsRetryable() {
        DeliveryResult result = answer(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).contains("Slack");
        assertThat(server.getRequestCount()).isEqualTo(1); // OkHttp's own silent retry is off
    }

    @Test
    void disconnectAfterRequestIsRetryable() {
        DeliveryResult result = answer(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
    }

    @Test
    void connectionRefusedIsRetryable() throws IOException {
        server.shutdown(); // nothing listens on the webhook's port any more

        DeliveryResult result = deliver(sink(), Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).contains("could not connect to Slack");
    }

    @Test
    void slowServerIsRetryable() {
        server.enqueue(new MockResponse().setBody("ok").setHeadersDelay(2, TimeUnit.SECONDS));
        SlackSink sink = sink(Map.of("timeout", "200ms", "connect-timeout", "200ms"));

        DeliveryResult result = deliver(sink, Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).startsWith("no answer from Slack within 200ms");
    }

    @Test
    void successStatusCountsEvenWhenTheBodyIsSlow() {
        // Once Slack has sent 200 the message is posted; a retry would post it twice.
        server.enqueue(new MockResponse().setBody("ok").setBodyDelay(2, TimeUnit.SECONDS));
        SlackSink sink = sink(Map.of("timeout", "200ms", "connect-timeout", "200ms"));

        assertThat(deliver(sink, Alerts.diskFull())).isEqualTo(DeliveryResult.delivered());
    }

    @Test
    void slowErrorBodyStillClassifiesByStatus() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody("invalid_payload")
                .setBodyDelay(2, TimeUnit.SECONDS));
        SlackSink sink = sink(Map.of("timeout", "200ms", "connect-timeout", "200ms"));

        DeliveryResult result = deliver(sink, Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).startsWith("Slack answered HTTP 400");
    }

    @Test
    void interruptedDeliveryIsRetryableAndKeepsTheInterrupt() {
        server.enqueue(new MockResponse().setBody("ok"));
        SlackSink sink = sink();

        Thread.currentThread().interrupt();
        DeliveryResult result;
        try {
            result = deliver(sink, Alerts.diskFull());
        } finally {
            assertThat(Thread.interrupted()).as("interrupt flag restored").isTrue();
        }

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).contains("interrupted");
    }

    @Test
    void closeReleasesResourcesIsIdempotentAndRefusesLaterDeliveries() {
        server.enqueue(new MockResponse().setBody("ok"));
        SlackSink sink = sink();
        assertThat(deliver(sink, Alerts.diskFull()).outcome()).isEqualTo(Outcome.DELIVERED);

        sink.close();
        sink.close();

        assertThat(sink.client().dispatcher().executorService().isShutdown()).isTrue();
        assertThat(sink.client().connectionPool().connectionCount()).isZero();
        DeliveryResult afterClose = sink.deliver(Alerts.diskFull());
        assertThat(afterClose.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(afterClose.detail()).isEqualTo("slack sink ops-slack is closed");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void reusesTheConnectionAcrossDeliveries() throws Exception {
        server.enqueue(new MockResponse().setBody("ok"));
        server.enqueue(new MockResponse().setBody("ok"));
        SlackSink sink = sink();

        deliver(sink, Alerts.diskFull());
        deliver(sink, Alerts.alert("evt-43", "CPU hot"));

        assertThat(server.takeRequest().getSequenceNumber()).isZero();
        assertThat(server.takeRequest().getSequenceNumber()).isEqualTo(1);
        assertThat(sink.client().connectionPool().connectionCount()).isEqualTo(1);
    }
}

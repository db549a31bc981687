package io.alertrelay.sink.webhook;

import static io.alertrelay.sink.webhook.TestConfigs.section;
import static io.alertrelay.sink.webhook.TestConfigs.view;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.testing.TestSinkContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sink against a real HTTP server (MockWebServer): what it sends, and how it classifies every kind of answer. */
final class WebhookSinkTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SIGNING_SECRET = "whsec-0123456789abcdef";
    private static final String BEARER = "TokEn-0123456789";
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private final MockWebServer server = new MockWebServer();
    private final ManualClock clock = new ManualClock(NOW);
    private WebhookSink sink;

    @BeforeEach
    void start() throws IOException {
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        if (sink != null) {
            sink.close();
        }
        server.shutdown();
    }

    private WebhookSink sink(Object... extra) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("url", server.url("/hooks/PATHSECRET1").toString());
        section.put("timeout", "2s");
        section.putAll(section(extra));
        sink = new WebhookSink(WebhookSinkConfig.from(view(section)), new TestSinkContext("ops-hook", clock));
        return sink;
    }

    private static JsonNode json(RecordedRequest request) throws IOException {
        return MAPPER.readTree(request.getBody().clone().readUtf8());
    }

    @Test
    void postsTheFixedSchemaAsJson() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204));

        DeliveryResult result = sink().deliver(Alerts.diskFull());

        assertThat(result).isEqualTo(DeliveryResult.delivered());
        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getPath()).isEqualTo("/hooks/PATHSECRET1");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(request.getHeader("User-Agent")).isEqualTo("alert-relay-webhook-sink");
        assertThat(request.getHeader("X-Alert-Relay-Signature")).isNull();
        assertThat(json(request)).isEqualTo(MAPPER.readTree("""
                {"version": 1, "id": "evt-42", "status": "firing", "severity": "critical",
                 "title": "Disk full on db-1", "summary": "/var at 97%", "source": "monitor-7",
                 "timestamp": "2026-11-23T10:00:00Z", "labels": {"host": "db-1", "team": "storage"}, "extra": {},
                 "channel": "alerts:prod", "pattern": "alerts:*", "received_at": "2026-11-23T10:00:01Z",
                 "sink": "ops-hook"}
                """));
    }

    @Test
    void absentFieldsAreNullAndExtraKeepsItsJson() throws Exception {
        server.enqueue(new MockResponse());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("runbook", "https://wiki/disk");
        extra.put("value", 97.5);
        extra.put("nested", Map.of("a", List.of(1, 2)));
        extra.put("nothing", null);
        Alert alert = new Alert("a-1", "t", Status.RESOLVED, Severity.INFO, Optional.empty(), Map.of(),
                Optional.empty(), Optional.empty(), extra, new Alert.Origin("ops", Optional.empty(), NOW));

        assertThat(sink().deliver(alert).outcome()).isEqualTo(Outcome.DELIVERED);

        JsonNode body = json(server.takeRequest());
        assertThat(body.get("status").asText()).isEqualTo("resolved");
        assertThat(body.get("summary").isNull()).isTrue();
        assertThat(body.get("source").isNull()).isTrue();
        assertThat(body.get("timestamp").isNull()).isTrue();
        assertThat(body.get("pattern").isNull()).isTrue();
        assertThat(body.get("extra")).isEqualTo(MAPPER.readTree(
                "{\"runbook\": \"https://wiki/disk\", \"value\": 97.5, \"nested\": {\"a\": [1, 2]}, \"nothing\": null}"));
    }

    @Test
    void theTemplateShapesTheBodyAndEventDataCannotBreakOut() throws Exception {
        server.enqueue(new MockResponse());
        Alert alert = Alerts.alert("id\"1", "Quote \" brace } {{title}} ${HOME} \\ and\nnewline", Severity.ERROR,
                Map.of("team", "st\"orage", "host", "db-1"));

        sink("template", """
                {"content": "[{{ severity }}] {{title}}", "team": "{{labels.team}}", "missing": "{{labels.none}}",
                 "labels": "{{labels}}", "meta": {"id": "{{id}}", "at": ["{{received_at}}", "{{sink}}"], "n": 3}}
                """).deliver(alert);

        JsonNode body = json(server.takeRequest());
        assertThat(body).isEqualTo(MAPPER.createObjectNode()
                .put("content", "[error] Quote \" brace } {{title}} ${HOME} \\ and\nnewline")
                .put("team", "st\"orage")
                .put("missing", "")
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("labels", MAPPER.valueToTree(alert.labels()))
                .set("meta", MAPPER.readTree("{\"id\": \"id\\\"1\", \"at\": [\"2026-11-23T10:00:00Z\", \"ops-hook\"], \"n\": 3}")));
    }

    @Test
    void configuredHeadersAreSent() throws Exception {
        server.enqueue(new MockResponse());

        sink("headers", section("Authorization", "Bearer " + BEARER, "X-Team", "storage")).deliver(Alerts.diskFull());

        RecordedRequest request = server.takeRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + BEARER);
        assertThat(request.getHeader("X-Team")).isEqualTo("storage");
    }

    @Test
    void theSignatureIsAnHmacOfTimestampAndBodyThatAReceiverCanCheck() throws Exception {
        server.enqueue(new MockResponse());
        server.enqueue(new MockResponse());
        WebhookSink sink = sink("signing-secret", SIGNING_SECRET);

        sink.deliver(Alerts.diskFull());
        clock.advance(Duration.ofSeconds(90));
        sink.deliver(Alerts.diskFull());

        for (long expectedTimestamp : new long[] {NOW.getEpochSecond(), NOW.getEpochSecond() + 90}) {
            RecordedRequest request = server.takeRequest();
            byte[] body = request.getBody().readByteArray();
            String header = request.getHeader("X-Alert-Relay-Signature");
            assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
            long t = Long.parseLong(header.substring(2, header.indexOf(',')));
            assertThat(t).isEqualTo(expectedTimestamp);
            // what a receiver does: HMAC-SHA256(secret, "<t>." + raw body), compare, and refuse an old t
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            assertThat(header.substring(header.indexOf("v1=") + 3)).isEqualTo(HexFormat.of().formatHex(mac.doFinal(body)));
        }
    }

    @Test
    void theSignatureMatchesAKnownVector() {
        // computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec-0123456789abcdef'
        assertThat(WebhookSink.signature(SIGNING_SECRET, 1_700_000_000L, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("t=1700000000,v1=" + KNOWN_VECTOR);
    }

    static final String KNOWN_VECTOR = "d77c78ac4da074c56908b55eac30358b2a7bfc573be4c76819af5102e8dcf939";

    @Test
    void success2xxIsDelivered() {
        server.enqueue(new MockResponse().setResponseCode(202).setBody("queued"));

        assertThat(sink().deliver(Alerts.diskFull())).isEqualTo(DeliveryResult.delivered());
    }

    @Test
    void rateLimitedIsRetryableWithRetryAfterSeconds() {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "30").setBody("slow down"));

        DeliveryResult result = sink().deliver(Alerts.diskFull());

        assertThat(result).isEqualTo(DeliveryResult.retryable("webhook answered HTTP 429: slow down (retry after 30s)",
                Duration.ofSeconds(30)));
    }

    @Test
    void serverErrorIsRetryableHonouringAnHttpDateRetryAfter() {
        server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "Fri, 27 Nov 2026 12:02:00 GMT"));

        DeliveryResult result = sink().deliver(Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.retryAfter()).contains(Duration.ofMinutes(2));
        assertThat(result.detail()).isEqualTo("webhook answered HTTP 503 (retry after 120s)");
    }

    @Test
    void serverErrorWithoutRetryAfterAndRequestTimeoutAreRetryable() {
        server.enqueue(new MockResponse().setResponseCode(500).setBody("boom"));
        server.enqueue(new MockResponse().setResponseCode(408));
        WebhookSink sink = sink();

        assertThat(sink.deliver(Alerts.diskFull())).isEqualTo(DeliveryResult.retryable("webhook answered HTTP 500: boom"));
        assertThat(sink.deliver(Alerts.diskFull())).isEqualTo(DeliveryResult.retryable("webhook answered HTTP 408"));
    }

    @Test
    void otherClientErrorsAreRejectedWithABodyExcerptOnOneLine() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody("{\"error\":\n  \"invalid payload\"}"));
        server.enqueue(new MockResponse().setResponseCode(422).setBody("x".repeat(500)));

        WebhookSink sink = sink();
        assertThat(sink.deliver(Alerts.diskFull()))
                .isEqualTo(DeliveryResult.rejected("webhook answered HTTP 400: {\"error\": \"invalid payload\"}"));
        DeliveryResult long422 = sink.deliver(Alerts.diskFull());
        assertThat(long422.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(long422.detail()).isEqualTo("webhook answered HTTP 422: " + "x".repeat(199) + "…");
    }

    @Test
    void anAnswerEchoingASecretInAnyLetterCaseIsMasked() {
        String echo = "bad token bearer " + BEARER.toUpperCase(java.util.Locale.ROOT) + " for "
                + server.url("/hooks/PATHSECRET1") + " and pathsecret1, signed with " + SIGNING_SECRET;
        server.enqueue(new MockResponse().setResponseCode(401).setBody(echo));

        DeliveryResult result = sink("headers", section("Authorization", "Bearer " + BEARER),
                "signing-secret", SIGNING_SECRET).deliver(Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).isEqualTo("webhook answered HTTP 401: bad token <redacted> for <redacted> and"
                + " <redacted>, signed with <redacted>");
    }

    @Test
    void redirectsAreRejectedNotFollowed() {
        server.enqueue(new MockResponse().setResponseCode(301).setHeader("Location", "/elsewhere"));

        DeliveryResult result = sink().deliver(Alerts.diskFull());

        assertThat(result).isEqualTo(DeliveryResult.rejected(
                "webhook answered HTTP 301 (redirects are not followed; check url)"));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aDroppedConnectionIsRetryable() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));

        DeliveryResult result = sink().deliver(Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).startsWith("I/O error talking to the webhook");
        assertThat(server.getRequestCount()).isEqualTo(1); // OkHttp's silent retry is off
    }

    @Test
    void aServerThatNeverAnswersIsRetryableAfterTheTimeout() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));

        DeliveryResult result = sink("timeout", "300ms", "connect-timeout", "300ms").deliver(Alerts.diskFull());

        assertThat(result.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(result.detail()).startsWith("no answer from the webhook within 300ms");
    }

    @Test
    void aBodyOverOneMebibyteIsRejectedUnsent() {
        Alert huge = new Alert("big", "t", Status.FIRING, Severity.INFO, Optional.of("x".repeat(1024 * 1024)),
                Map.of(), Optional.empty(), Optional.empty(), Map.of(), new Alert.Origin("ops", Optional.empty(), NOW));

        DeliveryResult result = sink().deliver(huge);

        assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(result.detail()).matches("the webhook body has \\d+ bytes; at most 1048576 are sent");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void closeReleasesTheClientIsIdempotentAndLaterDeliveriesAreRetryableUnsent() {
        server.enqueue(new MockResponse());
        WebhookSink sink = sink();
        assertThat(sink.deliver(Alerts.diskFull()).outcome()).isEqualTo(Outcome.DELIVERED);

        sink.close();
        sink.close();

        assertThat(sink.client().dispatcher().executorService().isShutdown()).isTrue();
        assertThat(sink.client().connectionPool().connectionCount()).isZero();
        assertThat(sink.deliver(Alerts.diskFull())).isEqualTo(DeliveryResult.retryable("webhook sink ops-hook is closed"));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void toStringShowsOnlySchemeHostAndPort() {
        assertThat(sink().toString()).isEqualTo("WebhookSink[ops-hook -> http://" + server.getHostName() + ":"
                + server.getPort() + "/<redacted>]");
    }
}

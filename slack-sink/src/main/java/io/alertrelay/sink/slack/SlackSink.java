package io.alertrelay.sink.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.config.ReceiverText;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Fingerprint;
import io.alertrelay.spi.Rate;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkState;
import io.alertrelay.spi.Status;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each alert as a Block Kit message ({@link SlackMessage}) to a Slack incoming webhook and classifies the
 * answer:
 * <ul>
 *   <li>2xx: delivered (the body is not read: once Slack has answered with a success status the message is posted,
 *       and a retry would post it twice);</li>
 *   <li>429: retryable, with Slack's {@code Retry-After} (seconds or an HTTP date) when it sends one;</li>
 *   <li>408 and 5xx: retryable;</li>
 *   <li>connection failures, timeouts and other I/O errors: retryable;</li>
 *   <li>any other status (other 4xx, 3xx: redirects are not followed): rejected, with Slack's error text
 *       ({@code invalid_payload}, {@code no_service}, ...) cut to 200 characters.</li>
 * </ul>
 *
 * <p>The webhook URL carries Slack's token. It never appears in a {@link DeliveryResult#detail()} or a log line:
 * exception messages (OkHttp's may name the URL) are not passed on, only the exception's class and a fixed
 * description, and Slack's error text is redacted too.
 *
 * <p>One {@link OkHttpClient} (own connection pool and dispatcher) per instance. OkHttp's own silent retry on
 * connection failure is off: the pipeline owns retries. {@link #close()} is idempotent; {@link #deliver} after
 * {@code close()} returns a retryable result without a network call (the {@link Sink} contract).
 */
final class SlackSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(SlackSink.class);

    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String USER_AGENT = "alert-relay-slack-sink";
    static final int MAX_DETAIL_BODY = 200;
    private static final long MAX_BODY_READ = 4096;
    private static final int CUT_TAIL = 1024;
    private static final String REDACTED = "<redacted>";

    /** Slack's default pace per channel: about one message a second, short bursts allowed. */
    static final Rate DEFAULT_RATE = new Rate(1, 3);
    /** Most resolved originals edited in place before one digest (Slack's chat.update allows about 50 a minute). */
    static final int MAX_EDITS_PER_DIGEST = 20;

    private final String instance;
    private final SlackSinkConfig config;
    private final Clock clock;
    private final HttpUrl url;
    private final List<String> secrets;
    private final OkHttpClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final SinkState state;
    private final String tokenKey;
    private final SlackWebApi api;

    SlackSink(SlackSinkConfig config, SinkContext context) {
        this(config, context, "sinks." + context.instanceName() + ".token");
    }

    /** @param tokenKey the full key of the token ({@code sinks.<id>.token}), named when Slack refuses it */
    SlackSink(SlackSinkConfig config, SinkContext context, String tokenKey) {
        this.instance = context.instanceName();
        this.config = config;
        this.clock = context.clock();
        this.state = context.state();
        this.tokenKey = tokenKey;
        this.url = config.webApi() ? null : HttpUrl.get(config.webhookUrl().toString());
        this.secrets = secretsOf(config, url);
        this.client = new OkHttpClient.Builder()
                .callTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .build();
        this.api = config.webApi() ? new SlackWebApi(client, config, this::redact, this::timeout, clock) : null;
    }

    @Override
    public Optional<Rate> defaultRate() {
        return Optional.of(DEFAULT_RATE);
    }

    /** The channel: alerts are paced, and paused after a 429, per channel. */
    @Override
    public String target(Alert alert) {
        return config.channel().orElse("");
    }

    /**
     * With the Web API: {@code auth.test}. A token Slack refuses ({@code invalid_auth}, {@code token_revoked}, ...) is a
     * start-up error naming {@code sinks.<id>.token}; Slack unreachable or failing is logged and the relay starts.
     */
    @Override
    public void verify() {
        if (api == null || closed.get()) {
            return;
        }
        SlackWebApi.Answer answer = api.call("auth.test", MAPPER.createObjectNode());
        if (answer.ok()) {
            log.info("slack sink {}: auth.test accepted the token (team {}, user {})", instance,
                    answer.body().path("team").asText("?"), answer.body().path("user").asText("?"));
            return;
        }
        if (answer.failure().outcome() == io.alertrelay.spi.Outcome.REJECTED
                && SlackWebApi.BAD_TOKEN.contains(answer.error())) {
            throw new ConfigurationException(tokenKey + ": Slack refused the token (auth.test answered "
                    + answer.error() + "; value not shown: sensitive)");
        }
        log.warn("slack sink {}: could not check the token with auth.test ({}); starting anyway, deliveries will be "
                + "retried", instance, answer.failure().detail());
    }

    @Override
    public DeliveryResult deliver(Alert alert) {
        if (closed.get()) {
            return log(alert, DeliveryResult.retryable("slack sink " + instance + " is closed"));
        }
        if (api != null) {
            return log(alert, alert.status() == Status.RESOLVED ? resolveThroughApi(alert) : fireThroughApi(alert));
        }
        String fingerprint = Fingerprint.of(alert);
        String resolves = null;
        if (alert.status() == Status.RESOLVED) {
            resolves = original(fingerprint).map(SlackSink::resolvesLine).orElse(null);
        }
        DeliveryResult result = post(alert, SlackMessage.from(alert, config, resolves));
        if (result.outcome() == io.alertrelay.spi.Outcome.DELIVERED) {
            remember(alert, fingerprint, null, null, false);
        }
        return log(alert, result);
    }

    /** Several alerts as one Block Kit digest ({@link SlackMessage#digest}), through the configured transport. */
    @Override
    public DeliveryResult deliverAll(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("no alerts to deliver");
        }
        if (alerts.size() == 1) {
            return deliver(alerts.get(0));
        }
        Alert first = alerts.get(0);
        if (closed.get()) {
            return log(first, DeliveryResult.retryable("slack sink " + instance + " is closed"));
        }
        SlackMessage digest = SlackMessage.digest(alerts, config);
        DeliveryResult result;
        String channel = null;
        String ts = null;
        if (api != null) {
            DeliveryResult edits = editResolvedOriginals(alerts);
            if (edits != null) {
                return log(first, edits);
            }
            boolean firing = alerts.stream().anyMatch(alert -> alert.status() == Status.FIRING);
            Severity severity = alerts.stream().map(Alert::severity).min(java.util.Comparator.naturalOrder())
                    .orElseThrow();
            SlackWebApi.Answer answer = api.call("chat.postMessage", api.message(digest,
                    SlackMessage.colour(firing ? Status.FIRING : Status.RESOLVED, severity)));
            result = answer.ok() ? DeliveryResult.delivered() : answer.failure();
            channel = answer.body().path("channel").asText(null);
            ts = answer.body().path("ts").asText(null);
        } else {
            result = post(first, digest);
        }
        if (result.outcome() == io.alertrelay.spi.Outcome.DELIVERED) {
            for (Alert alert : alerts) {
                remember(alert, Fingerprint.of(alert), channel, ts, true);
            }
        }
        return log(first, result);
    }

    /**
     * Before a digest: the resolved alerts in it whose firing message was posted alone are edited in place
     * ({@code chat.update}: not paced per channel like posts; at most {@link #MAX_EDITS_PER_DIGEST} per digest, the
     * rest only listed), with no thread reply (that would be one more post per alert in the channel the digest is
     * there to spare). An edit is noted in the state, so a retry of the digest does not edit again. Returns the
     * failure that stops the digest (retryable: the digest is tried again later), or null.
     */
    private DeliveryResult editResolvedOriginals(List<Alert> alerts) {
        int edits = 0;
        for (Alert alert : alerts) {
            if (alert.status() != Status.RESOLVED || edits >= MAX_EDITS_PER_DIGEST) {
                continue;
            }
            String fingerprint = Fingerprint.of(alert);
            Optional<JsonNode> original = original(fingerprint);
            if (original.isEmpty() || original.get().path("digest").asBoolean(false)
                    || original.get().path("updated").asBoolean(false) || !original.get().hasNonNull("ts")) {
                continue;
            }
            ObjectNode update = api.message(SlackMessage.from(alert, config), SlackMessage.colour(alert.status(),
                    alert.severity()));
            update.put("channel", original.get().path("channel").asText());
            update.put("ts", original.get().path("ts").asText());
            SlackWebApi.Answer updated = api.call("chat.update", update);
            edits++;
            if (!updated.ok() && updated.failure().outcome() == io.alertrelay.spi.Outcome.RETRYABLE) {
                return updated.failure();
            }
            if (!updated.ok()) {
                log.info("slack sink {}: the message of alert {} was not edited ({}); its resolution is in the digest",
                        instance, alert.id(), updated.failure().detail());
                continue;
            }
            ((ObjectNode) original.get()).put("updated", true);
            try {
                state.put(fingerprint, MAPPER.writeValueAsString(original.get()));
            } catch (JsonProcessingException | RuntimeException e) {
                log.debug("slack sink {}: could not note the edit of alert {}", instance, alert.id());
            }
        }
        return null;
    }

    /** A firing alert through chat.postMessage; its channel and ts are kept for its resolution. */
    private DeliveryResult fireThroughApi(Alert alert) {
        SlackWebApi.Answer answer = api.call("chat.postMessage", api.message(SlackMessage.from(alert, config),
                SlackMessage.colour(alert.status(), alert.severity())));
        if (!answer.ok()) {
            return answer.failure();
        }
        remember(alert, Fingerprint.of(alert), answer.body().path("channel").asText(null),
                answer.body().path("ts").asText(null), false);
        return DeliveryResult.delivered();
    }

    /**
     * A resolution: the original message edited in place ({@code chat.update}: status and colour) and a short reply in
     * its thread. A digest is not edited (it lists other alerts too): only the reply. Without a known original (never
     * posted by this sink, or forgotten): a new message. An original Slack no longer lets us edit
     * ({@code message_not_found}, {@code cant_update_message}, {@code edit_window_closed}): a new message too.
     */
    private DeliveryResult resolveThroughApi(Alert alert) {
        String fingerprint = Fingerprint.of(alert);
        Optional<JsonNode> original = original(fingerprint);
        String channel = original.map(o -> o.path("channel").asText(null)).orElse(null);
        String ts = original.map(o -> o.path("ts").asText(null)).orElse(null);
        if (channel == null || ts == null) {
            SlackWebApi.Answer posted = api.call("chat.postMessage", api.message(SlackMessage.from(alert, config,
                    original.map(SlackSink::resolvesLine).orElse(null)), SlackMessage.colour(alert.status(),
                    alert.severity())));
            if (posted.ok()) {
                state.remove(fingerprint);
            }
            return posted.ok() ? DeliveryResult.delivered() : posted.failure();
        }
        if (!original.get().path("digest").asBoolean(false) && !original.get().path("updated").asBoolean(false)) {
            ObjectNode update = api.message(SlackMessage.from(alert, config), SlackMessage.colour(alert.status(),
                    alert.severity()));
            update.put("channel", channel);
            update.put("ts", ts);
            SlackWebApi.Answer updated = api.call("chat.update", update);
            if (!updated.ok()) {
                if (!SlackWebApi.GONE.contains(updated.error())) {
                    return updated.failure();
                }
                log.info("slack sink {}: the message of alert {} cannot be edited any more ({}); posting the "
                        + "resolution as a new message", instance, alert.id(), updated.error());
                state.remove(fingerprint);
                return resolveThroughApi(alert);
            }
            // edited: a retry of the thread reply below must not edit again
            ((ObjectNode) original.get()).put("updated", true);
            try {
                state.put(fingerprint, MAPPER.writeValueAsString(original.get()));
            } catch (JsonProcessingException | RuntimeException e) {
                log.debug("slack sink {}: could not note the edit of alert {}", instance, alert.id());
            }
        }
        ObjectNode reply = MAPPER.createObjectNode();
        reply.put("channel", channel);
        reply.put("thread_ts", ts);
        reply.put("text", "Resolved: " + SlackMessage.fit(SlackMessage.singleLine(alert.title()), 300)
                + alert.timestamp().map(at -> " at " + java.time.format.DateTimeFormatter.ISO_INSTANT.format(at))
                .orElse(""));
        SlackWebApi.Answer replied = api.call("chat.postMessage", reply);
        if (!replied.ok()) {
            if (replied.failure().outcome() == io.alertrelay.spi.Outcome.RETRYABLE) {
                return replied.failure(); // the edit is redone (the same text) with the reply
            }
            log.warn("slack sink {}: alert {}: the message was marked resolved but the thread reply was refused ({})",
                    instance, alert.id(), replied.failure().detail());
        }
        state.remove(fingerprint);
        return DeliveryResult.delivered();
    }

    /** Keeps where a firing alert was posted (and when, as what), for its resolution; forgets a resolved one. */
    private void remember(Alert alert, String fingerprint, String channel, String ts, boolean digest) {
        try {
            if (alert.status() == Status.RESOLVED) {
                if (digest || api == null) {
                    state.remove(fingerprint);
                }
                return;
            }
            ObjectNode value = MAPPER.createObjectNode();
            if (channel != null && ts != null) {
                value.put("channel", channel);
                value.put("ts", ts);
            }
            value.put("digest", digest);
            value.put("at", java.time.format.DateTimeFormatter.ISO_INSTANT.format(clock.instant()));
            value.put("title", SlackMessage.singleLine(alert.title()).substring(0,
                    Math.min(200, alert.title().length())));
            state.put(fingerprint, MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException | RuntimeException e) {
            log.warn("slack sink {}: could not keep the message of alert {} for its resolution ({})", instance,
                    alert.id(), e.getClass().getSimpleName());
        }
    }

    private Optional<JsonNode> original(String fingerprint) {
        try {
            Optional<String> stored = state.get(fingerprint);
            return stored.isEmpty() ? Optional.empty() : Optional.of(MAPPER.readTree(stored.get()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** "Resolves the message of <time>: <title>", escaped: what a resolution sent as a new message names. */
    private static String resolvesLine(JsonNode original) {
        return "resolves the message of " + SlackMessage.fit(original.path("at").asText("?"), 40) + ": "
                + SlackMessage.fit(original.path("title").asText(""), 200);
    }

    /** Posts one message to the webhook and classifies Slack's answer. */
    private DeliveryResult post(Alert alert, SlackMessage message) {
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            return log(alert, DeliveryResult.rejected("could not encode the Slack message ("
                    + e.getClass().getSimpleName() + ")"));
        }
        Request request = new Request.Builder()
                .url(url)
                .header("User-Agent", USER_AGENT)
                .post(RequestBody.create(body, JSON))
                .build();
        try (Response response = client.newCall(request).execute()) {
            return classify(response);
        } catch (InterruptedIOException e) {
            if (ReceiverText.isInterrupt(e)) {
                Thread.currentThread().interrupt();
                return DeliveryResult.retryable("interrupted while posting to Slack");
            }
            return DeliveryResult.retryable("no answer from Slack within " + timeout() + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (IOException e) {
            return DeliveryResult.retryable(describe(e));
        } catch (RuntimeException e) {
            // OkHttp does not throw these for network trouble; whatever it is, it is not the event's fault.
            return DeliveryResult.retryable("unexpected failure posting to Slack (" + e.getClass().getName() + ")");
        }
    }

    private DeliveryResult classify(Response response) {
        int code = response.code();
        if (response.isSuccessful()) {
            return DeliveryResult.delivered();
        }
        String answer = errorText(response);
        String detail = "Slack answered HTTP " + code + (answer.isEmpty() ? "" : ": " + answer);
        if (code == 429) {
            Optional<Duration> retryAfter = ReceiverText.retryAfter(response.header("Retry-After"), clock.instant());
            return retryAfter.map(wait -> DeliveryResult.retryable(detail + " (retry after " + wait.toSeconds() + "s)",
                    wait)).orElseGet(() -> DeliveryResult.retryable(detail));
        }
        if (code == 408 || code >= 500) {
            return DeliveryResult.retryable(detail);
        }
        if (code >= 300 && code < 400) {
            return DeliveryResult.rejected(detail + " (redirects are not followed; check webhook-url)");
        }
        return DeliveryResult.rejected(detail);
    }

    /** Slack's error text (its whole body, e.g. {@code invalid_payload}): one line, redacted, at most 200 chars. */
    private String errorText(Response response) {
        byte[] bytes;
        try {
            bytes = response.peekBody(MAX_BODY_READ).bytes();
        } catch (IOException e) {
            return "";
        }
        String raw = new String(bytes, StandardCharsets.UTF_8);
        if (bytes.length >= MAX_BODY_READ) {
            // Cut off mid-body: drop the tail so no half of a secret escapes redaction.
            raw = raw.substring(0, Math.max(0, raw.length() - CUT_TAIL));
        }
        return ReceiverText.truncate(ReceiverText.oneLine(redact(raw)), MAX_DETAIL_BODY);
    }




    /** A fixed description per kind of failure; the exception's message is not used (it may name the URL). */
    static String describe(IOException e) {
        String what;
        if (e instanceof UnknownHostException) {
            what = "could not resolve Slack's host";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            what = "could not connect to Slack";
        } else if (e instanceof SSLException) {
            what = "TLS failure talking to Slack";
        } else {
            what = "I/O error talking to Slack (connection closed?)";
        }
        return what + " (" + e.getClass().getSimpleName() + ")";
    }


    private String timeout() {
        Duration timeout = config.timeout();
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }

    private DeliveryResult log(Alert alert, DeliveryResult result) {
        // The pipeline logs outcomes at warn/error with this detail; here only the debug trail.
        if (log.isDebugEnabled()) {
            log.debug("slack sink {}: alert {} -> {} ({})", instance, alert.id(), result.outcome(), result.detail());
        }
        return result;
    }

    /** Every secret, in any letter case (a receiver or a proxy may change the case of what it echoes). */
    private String redact(String text) {
        return ReceiverText.redact(text, secrets, REDACTED);
    }

    /** The strings that would give the token away, longest first: the URL in its forms, its path, its last segment. */
    private static List<String> secretsOf(SlackSinkConfig config, HttpUrl url) {
        List<String> secrets = new ArrayList<>();
        config.token().ifPresent(secrets::add);
        if (url == null) {
            return List.copyOf(secrets);
        }
        secrets.add(config.webhookUrl().toString());
        secrets.add(url.toString());
        if (url.encodedPath().length() > 1) {
            secrets.add(url.encodedPath());
        }
        if (url.encodedQuery() != null && !url.encodedQuery().isEmpty()) {
            secrets.add(url.encodedQuery());
        }
        List<String> segments = url.encodedPathSegments();
        String token = segments.get(segments.size() - 1);
        if (token.length() >= 4) {
            secrets.add(token); // Slack's secret is the last segment: /services/T.../B.../<token>
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return List.copyOf(secrets);
    }

    /** For tests: the client whose resources {@link #close()} releases. */
    OkHttpClient client() {
        return client;
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        log.debug("slack sink {}: closed", instance);
    }

    @Override
    public String toString() {
        return "SlackSink[" + instance + " -> " + (config.webApi() ? config.apiUrl() + " channel "
                + config.channel().orElse("?") : config.redactedWebhookUrl()) + "]";
    }
}

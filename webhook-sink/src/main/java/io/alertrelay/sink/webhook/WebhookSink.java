package io.alertrelay.sink.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.config.ReceiverText;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * POSTs each alert as JSON (the fixed schema, or the configured {@link WebhookTemplate}) and classifies the answer as
 * the Slack sink does:
 * <ul>
 *   <li>2xx: delivered (the body is not read);</li>
 *   <li>429, 408 and 5xx: retryable, with the receiver's {@code Retry-After} (seconds or an HTTP date) when it sends
 *       one;</li>
 *   <li>connection failures, timeouts and other I/O errors: retryable;</li>
 *   <li>3xx (redirects are not followed) and other 4xx: rejected, with an excerpt of the answer (one line, secrets
 *       masked, at most 200 characters).</li>
 * </ul>
 *
 * <p>With a {@code signing-secret}, every attempt carries {@code X-Alert-Relay-Signature: t=<unix seconds>,v1=<hex>},
 * the HMAC-SHA256 of {@code "<t>." + body} keyed with the secret, so a receiver can check origin and integrity and
 * reject old (replayed) requests.
 *
 * <p>The URL, the header values and the signing secret never appear in a {@link DeliveryResult#detail()}, a log line or
 * {@link #toString()}: exception messages (OkHttp's may name the URL) are not passed on, and the receiver's answer is
 * masked (in any letter case) before it is quoted. One {@link OkHttpClient} per instance; OkHttp's silent retry on
 * connection failure is off (the pipeline owns retries). {@link #close()} is idempotent; {@link #deliver} after it
 * returns a retryable result without a network call.
 */
final class WebhookSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);

    static final String SIGNATURE_HEADER = "X-Alert-Relay-Signature";
    static final int MAX_BODY = 1024 * 1024;
    static final int MAX_DETAIL_BODY = 200;
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String USER_AGENT = "alert-relay-webhook-sink";
    private static final long MAX_BODY_READ = 4096;
    private static final int CUT_TAIL = 1024;
    private static final int MIN_SECRET_TO_MASK = 4;
    private static final String REDACTED = "<redacted>";

    private final String instance;
    private final WebhookSinkConfig config;
    private final Optional<WebhookTemplate> template;
    private final Clock clock;
    private final HttpUrl url;
    private final List<Pattern> secrets;
    private final OkHttpClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    WebhookSink(WebhookSinkConfig config, SinkContext context) {
        this.instance = context.instanceName();
        this.config = config;
        this.template = config.template().map(WebhookTemplate::parse);
        this.clock = context.clock();
        this.url = HttpUrl.get(config.url().toString());
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
    }

    @Override
    public DeliveryResult deliver(Alert alert) {
        if (closed.get()) {
            return log(alert, DeliveryResult.retryable("webhook sink " + instance + " is closed"));
        }
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(body(alert));
        } catch (JsonProcessingException | RuntimeException e) {
            return log(alert, DeliveryResult.rejected("could not encode the webhook body ("
                    + e.getClass().getSimpleName() + ")"));
        }
        if (body.length > MAX_BODY) {
            return log(alert, DeliveryResult.rejected("the webhook body has " + body.length + " bytes; at most "
                    + MAX_BODY + " are sent"));
        }
        try {
            Request.Builder request = new Request.Builder()
                    .url(url)
                    .header("User-Agent", USER_AGENT)
                    .post(RequestBody.create(body, JSON));
            config.headers().forEach(request::header);
            if (config.signingSecret().isPresent()) {
                request.header(SIGNATURE_HEADER, signature(config.signingSecret().get(),
                        clock.instant().getEpochSecond(), body));
            }
            try (Response response = client.newCall(request.build()).execute()) {
                return log(alert, classify(response));
            }
        } catch (InterruptedIOException e) {
            if (ReceiverText.isInterrupt(e)) {
                Thread.currentThread().interrupt();
                return log(alert, DeliveryResult.retryable("interrupted while posting to the webhook"));
            }
            return log(alert, DeliveryResult.retryable("no answer from the webhook within "
                    + WebhookSinkConfig.format(config.timeout()) + " (" + e.getClass().getSimpleName() + ")"));
        } catch (IOException e) {
            return log(alert, DeliveryResult.retryable(describe(e)));
        } catch (RuntimeException e) {
            // OkHttp does not throw these for network trouble; whatever it is, it is not the event's fault.
            return log(alert, DeliveryResult.retryable("unexpected failure posting to the webhook ("
                    + e.getClass().getName() + ")"));
        }
    }

    /** The JSON body: the template rendered, or the fixed schema (docs/sinks/webhook.md). */
    JsonNode body(Alert alert) {
        if (template.isPresent()) {
            return template.get().render(alert, instance, MAPPER);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("version", 1);
        body.put("id", alert.id());
        body.put("status", alert.status().name().toLowerCase(Locale.ROOT));
        body.put("severity", alert.severity().name().toLowerCase(Locale.ROOT));
        body.put("title", alert.title());
        body.put("summary", alert.summary().orElse(null));
        body.put("source", alert.source().orElse(null));
        body.put("timestamp", alert.timestamp().map(Instant::toString).orElse(null));
        body.set("labels", MAPPER.valueToTree(alert.labels()));
        body.set("extra", MAPPER.valueToTree(alert.extra()));
        body.put("channel", alert.origin().channel());
        body.put("pattern", alert.origin().pattern().orElse(null));
        body.put("received_at", alert.origin().receivedAt().toString());
        body.put("sink", instance);
        return body;
    }

    /** {@code t=<seconds>,v1=<lower-case hex HMAC-SHA256 of "<seconds>." + body>}. */
    static String signature(String secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e); // every JDK has it
        }
    }

    private DeliveryResult classify(Response response) {
        int code = response.code();
        if (response.isSuccessful()) {
            return DeliveryResult.delivered();
        }
        String answer = errorText(response);
        String detail = "webhook answered HTTP " + code + (answer.isEmpty() ? "" : ": " + answer);
        if (code == 429 || code == 408 || code >= 500) {
            Optional<Duration> retryAfter = ReceiverText.retryAfter(response.header("Retry-After"), clock.instant());
            return retryAfter.map(wait -> DeliveryResult.retryable(detail + " (retry after " + wait.toSeconds() + "s)",
                    wait)).orElseGet(() -> DeliveryResult.retryable(detail));
        }
        if (code >= 300 && code < 400) {
            return DeliveryResult.rejected(detail + " (redirects are not followed; check url)");
        }
        return DeliveryResult.rejected(detail);
    }

    /** The start of the answer's body: secrets masked, one line, at most 200 characters. */
    private String errorText(Response response) {
        byte[] bytes;
        try {
            bytes = response.peekBody(MAX_BODY_READ).bytes();
        } catch (IOException e) {
            return "";
        }
        String raw = new String(bytes, StandardCharsets.UTF_8);
        if (bytes.length >= MAX_BODY_READ) {
            // Cut off mid-body: drop the tail so no half of a secret escapes masking.
            raw = raw.substring(0, Math.max(0, raw.length() - CUT_TAIL));
        }
        return ReceiverText.truncate(ReceiverText.oneLine(redact(raw)), MAX_DETAIL_BODY);
    }




    /** A fixed description per kind of failure; the exception's message is not used (it may name the URL). */
    private static String describe(IOException e) {
        String what;
        if (e instanceof UnknownHostException) {
            what = "could not resolve the webhook's host";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            what = "could not connect to the webhook";
        } else if (e instanceof SSLException) {
            what = "TLS failure talking to the webhook";
        } else {
            what = "I/O error talking to the webhook (connection closed?)";
        }
        return what + " (" + e.getClass().getSimpleName() + ")";
    }


    private DeliveryResult log(Alert alert, DeliveryResult result) {
        // The pipeline logs outcomes at warn/error with this detail; here only the debug trail.
        if (log.isDebugEnabled()) {
            log.debug("webhook sink {}: alert {} -> {} ({})", instance, ReceiverText.oneLine(ReceiverText.truncate(alert.id(), MAX_DETAIL_BODY)),
                    result.outcome(), result.detail());
        }
        return result;
    }

    String redact(String text) {
        String result = text;
        for (Pattern secret : secrets) {
            result = secret.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
        }
        return result;
    }

    /**
     * What would give a secret away, longest first, matched in any letter case: the URL in its forms, its path, each
     * path segment, its query and each query value, each header value and its last word ({@code Bearer <token>}), the
     * signing secret. Values shorter than 4
     * characters are not masked (they would mask ordinary text and protect nothing).
     */
    private static List<Pattern> secretsOf(WebhookSinkConfig config, HttpUrl url) {
        List<String> values = new ArrayList<>();
        values.add(config.url().toString());
        values.add(url.toString());
        values.add(url.encodedPath());
        values.addAll(url.encodedPathSegments());
        values.addAll(url.pathSegments());
        if (url.encodedQuery() != null) {
            values.add(url.encodedQuery());
            for (int i = 0; i < url.querySize(); i++) {
                if (url.queryParameterValue(i) != null) {
                    values.add(url.queryParameterValue(i));
                }
            }
        }
        for (String value : config.headers().values()) {
            values.add(value);
            int space = value.lastIndexOf(' ');
            if (space >= 0) {
                values.add(value.substring(space + 1));
            }
        }
        config.signingSecret().ifPresent(values::add);
        return values.stream()
                .filter(value -> value.length() >= MIN_SECRET_TO_MASK)
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(value -> Pattern.compile(Pattern.quote(value), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE))
                .toList();
    }

    /** For tests: the client whose resources {@link #close()} releases. */
    OkHttpClient client() {
        return client;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        log.debug("webhook sink {}: closed", instance);
    }

    @Override
    public String toString() {
        return "WebhookSink[" + instance + " -> " + config.redactedUrl() + "]";
    }
}

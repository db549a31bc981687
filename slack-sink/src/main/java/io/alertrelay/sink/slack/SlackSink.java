package io.alertrelay.sink.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private final String instance;
    private final SlackSinkConfig config;
    private final Clock clock;
    private final HttpUrl url;
    private final List<String> secrets;
    private final OkHttpClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    SlackSink(SlackSinkConfig config, SinkContext context) {
        this.instance = context.instanceName();
        this.config = config;
        this.clock = context.clock();
        this.url = HttpUrl.get(config.webhookUrl().toString());
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
            return log(alert, DeliveryResult.retryable("slack sink " + instance + " is closed"));
        }
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(SlackMessage.from(alert, config));
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
            return log(alert, classify(response));
        } catch (InterruptedIOException e) {
            if (ReceiverText.isInterrupt(e)) {
                Thread.currentThread().interrupt();
                return log(alert, DeliveryResult.retryable("interrupted while posting to Slack"));
            }
            return log(alert, DeliveryResult.retryable("no answer from Slack within " + timeout() + " ("
                    + e.getClass().getSimpleName() + ")"));
        } catch (IOException e) {
            return log(alert, DeliveryResult.retryable(describe(e)));
        } catch (RuntimeException e) {
            // OkHttp does not throw these for network trouble; whatever it is, it is not the event's fault.
            return log(alert, DeliveryResult.retryable("unexpected failure posting to Slack ("
                    + e.getClass().getName() + ")"));
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
    private static String describe(IOException e) {
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

    private String redact(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, REDACTED);
        }
        return result;
    }

    /** The strings that would give the token away, longest first: the URL in its forms, its path, its last segment. */
    private static List<String> secretsOf(SlackSinkConfig config, HttpUrl url) {
        List<String> secrets = new ArrayList<>();
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
        return "SlackSink[" + instance + " -> " + config.redactedWebhookUrl() + "]";
    }
}

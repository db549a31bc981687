package io.alertrelay.sink.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.config.ReceiverText;
import io.alertrelay.spi.DeliveryResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Slack's Web API ({@code chat.postMessage}, {@code chat.update}, {@code auth.test}) with a bot token, and how its
 * answers are classified. Slack answers HTTP 200 with {@code {"ok":false,"error":"..."}} for most failures:
 * <ul>
 *   <li>retryable: {@link #RETRYABLE} ({@code ratelimited}, {@code internal_error}, {@code fatal_error},
 *       {@code service_unavailable}, {@code request_timeout}), HTTP 429 (with its {@code Retry-After}), 408 and 5xx,
 *       an answer that is not JSON, timeouts and connection failures;</li>
 *   <li>rejected: every other error ({@code invalid_auth}, {@code token_revoked}, {@code missing_scope},
 *       {@code channel_not_found}, {@code not_in_channel}, {@code is_archived}, {@code msg_too_long},
 *       {@code invalid_blocks}, ...) and other HTTP statuses. The detail names the method and Slack's error
 *       ({@code Slack chat.postMessage: channel_not_found}), and for {@code missing_scope} the scope Slack says is
 *       needed; it becomes the dead letter's answer.</li>
 * </ul>
 * The token travels only in the {@code Authorization} header and is redacted from anything Slack answers.
 */
final class SlackWebApi {
    static final Set<String> RETRYABLE = Set.of("ratelimited", "internal_error", "fatal_error", "service_unavailable",
            "request_timeout");
    /** auth.test errors that mean the token itself is refused: a start-up error. */
    static final Set<String> BAD_TOKEN = Set.of("invalid_auth", "not_authed", "token_revoked", "token_expired",
            "account_inactive", "not_allowed_token_type");
    /** chat.update errors that mean the original cannot be edited: the resolution becomes a new message. */
    static final Set<String> GONE = Set.of("message_not_found", "cant_update_message", "edit_window_closed");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final long MAX_BODY_READ = 64 * 1024;

    private final OkHttpClient client;
    private final SlackSinkConfig config;
    private final HttpUrl base;
    private final String authorization;
    private final UnaryOperator<String> redact;
    private final Supplier<String> timeout;
    private final Clock clock;

    SlackWebApi(OkHttpClient client, SlackSinkConfig config, UnaryOperator<String> redact, Supplier<String> timeout,
                Clock clock) {
        this.client = client;
        this.config = config;
        this.base = HttpUrl.get(config.apiUrl().toString());
        this.authorization = "Bearer " + config.token().orElseThrow();
        this.redact = redact;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * What one call answered: the body when {@code ok}, else the classified failure and Slack's error code (empty
     * when the failure was not one of Slack's {@code error}s).
     */
    record Answer(JsonNode body, DeliveryResult failure, String error) {
        boolean ok() {
            return failure == null;
        }

        static Answer failed(DeliveryResult failure) {
            return new Answer(MissingNode.getInstance(), failure, "");
        }
    }

    /**
     * A message for chat.postMessage / chat.update: the fallback {@code text} at the top (it carries the mention), the
     * blocks in one attachment with the status colour, the configured channel and overrides.
     */
    ObjectNode message(SlackMessage message, String colour) {
        ObjectNode body = MAPPER.valueToTree(message);
        JsonNode blocks = body.remove("blocks");
        ArrayNode attachments = body.putArray("attachments");
        ObjectNode attachment = attachments.addObject();
        attachment.put("color", colour);
        attachment.set("blocks", blocks);
        config.channel().ifPresent(channel -> body.put("channel", channel));
        return body;
    }

    Answer call(String method, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            return Answer.failed(DeliveryResult.rejected("could not encode the Slack message ("
                    + e.getClass().getSimpleName() + ")"));
        }
        Request request = new Request.Builder()
                .url(base.resolve(method))
                .header("User-Agent", "alert-relay-slack-sink")
                .header("Authorization", authorization)
                .post(RequestBody.create(bytes, JSON))
                .build();
        String what = "Slack " + method;
        try (Response response = client.newCall(request).execute()) {
            int code = response.code();
            String text = new String(response.peekBody(MAX_BODY_READ).bytes(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode answer;
            try {
                answer = MAPPER.readTree(text);
            } catch (IOException e) {
                answer = MissingNode.getInstance();
            }
            String error = answer.path("error").asText("");
            String shown = ReceiverText.truncate(ReceiverText.oneLine(redact.apply(error.isEmpty() ? text : error)),
                    SlackSink.MAX_DETAIL_BODY);
            if (code == 429) {
                String detail = what + ": HTTP 429 " + (error.isEmpty() ? "ratelimited" : shown);
                Optional<Duration> wait = ReceiverText.retryAfter(response.header("Retry-After"), clock.instant());
                return new Answer(answer, wait.map(w -> DeliveryResult.retryable(detail + " (retry after "
                        + w.toSeconds() + "s)", w)).orElseGet(() -> DeliveryResult.retryable(detail)), error);
            }
            if (code == 408 || code >= 500) {
                return new Answer(answer, DeliveryResult.retryable(what + ": HTTP " + code
                        + (shown.isEmpty() ? "" : " " + shown)), error);
            }
            if (!response.isSuccessful()) {
                return new Answer(answer, DeliveryResult.rejected(what + ": HTTP " + code
                        + (shown.isEmpty() ? "" : " " + shown)), error);
            }
            if (!answer.isObject() || !answer.has("ok")) {
                return new Answer(answer, DeliveryResult.retryable(what + ": the answer is not Slack's JSON ("
                        + ReceiverText.truncate(ReceiverText.oneLine(redact.apply(text)), 80) + ")"), "");
            }
            if (answer.path("ok").asBoolean(false)) {
                return new Answer(answer, null, "");
            }
            String detail = what + ": " + shown;
            if (answer.hasNonNull("needed")) {
                detail += " (needed " + ReceiverText.truncate(answer.path("needed").asText(), 100) + ")";
            }
            if (RETRYABLE.contains(error)) {
                String retryable = detail;
                Optional<Duration> wait = ReceiverText.retryAfter(response.header("Retry-After"), clock.instant());
                return new Answer(answer, wait.map(w -> DeliveryResult.retryable(retryable + " (retry after "
                        + w.toSeconds() + "s)", w)).orElseGet(() -> DeliveryResult.retryable(retryable)), error);
            }
            return new Answer(answer, DeliveryResult.rejected(detail), error);
        } catch (InterruptedIOException e) {
            if (ReceiverText.isInterrupt(e)) {
                Thread.currentThread().interrupt();
                return Answer.failed(DeliveryResult.retryable("interrupted while calling " + what));
            }
            return Answer.failed(DeliveryResult.retryable("no answer from " + what + " within " + timeout.get() + " ("
                    + e.getClass().getSimpleName() + ")"));
        } catch (IOException e) {
            return Answer.failed(DeliveryResult.retryable(what + ": " + SlackSink.describe(e)));
        } catch (RuntimeException e) {
            return Answer.failed(DeliveryResult.retryable("unexpected failure calling " + what + " ("
                    + e.getClass().getName() + ")"));
        }
    }
}

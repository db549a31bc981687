package io.alertrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.alertrelay.core.Matcher;
import io.alertrelay.core.Notifier;
import io.alertrelay.core.Silence;
import io.alertrelay.core.Silences;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/silences} on the relay's HTTP port (what {@code alert-relay silence ...} calls):
 *
 * <ul>
 *   <li>{@code GET /api/silences}: every silence (active, pending, expired in the last 24h);</li>
 *   <li>{@code GET /api/silences/ID}: one;</li>
 *   <li>{@code POST /api/silences} with {@code {"matchers": ["service=batch", "severity!=critical"],
 *       "until": "2026-12-24T06:00:00Z", "starts": "...", "author": "ana", "comment": "nightly batch"}}: creates one
 *       (201 with it); Alertmanager's names are accepted too ({@code endsAt}, {@code startsAt}, {@code createdBy},
 *       matchers as {@code {"name", "value", "isRegex", "isEqual"}});</li>
 *   <li>{@code DELETE /api/silences/ID}: expires it now (200 with it; 404 when there is none).</li>
 * </ul>
 * With {@code http.token} set, every request (reads too: silences say what is being hidden) needs
 * {@code Authorization: Bearer <token>} (401 otherwise); without one, the API answers only when {@code http.bind} is a
 * loopback address (403 otherwise).
 */
final class SilenceRoutes implements HttpHandler {
    static final String PATH = "/api/silences";
    /** Largest request body read. */
    static final int MAX_BODY = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(SilenceRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Silences silences;
    private final Optional<byte[]> token;
    private final Clock clock;

    private final boolean loopback;

    SilenceRoutes(Silences silences, Optional<String> token, boolean loopback, Clock clock) {
        this.silences = silences;
        this.loopback = loopback;
        this.token = token.map(value -> value.getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (token.isEmpty() && !loopback) {
                respond(exchange, 403, Map.of("error", "/api/silences needs http.token when http.bind is not a "
                        + "loopback address"));
                return;
            }
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                respond(exchange, 401, Map.of("error", "Authorization: Bearer <http.token> required"));
                return;
            }
            String method = exchange.getRequestMethod();
            String rest = exchange.getRequestURI().getPath().substring(PATH.length());
            String id = rest.isEmpty() || rest.equals("/") ? "" : rest.substring(1);
            if (id.contains("/")) {
                respond(exchange, 404, Map.of("error", "try GET/POST /api/silences, GET/DELETE /api/silences/ID"));
            } else if (id.isEmpty() && method.equals("GET")) {
                Instant now = clock.instant();
                respond(exchange, 200, silences.list().stream().map(silence -> json(silence, now)).toList());
            } else if (id.isEmpty() && method.equals("POST")) {
                create(exchange);
            } else if (!id.isEmpty() && method.equals("GET")) {
                Optional<Silence> silence = silences.get(id);
                respond(exchange, silence.isPresent() ? 200 : 404, silence.<Object>map(s -> json(s, clock.instant()))
                        .orElse(Map.of("error", "no silence " + id)));
            } else if (!id.isEmpty() && method.equals("DELETE")) {
                Optional<Silence> expired = silences.expire(id);
                respond(exchange, expired.isPresent() ? 200 : 404, expired.<Object>map(s -> json(s, clock.instant()))
                        .orElse(Map.of("error", "no silence " + id)));
            } else {
                exchange.getResponseHeaders().set("Allow", id.isEmpty() ? "GET, POST" : "GET, DELETE");
                respond(exchange, 405, Map.of("error", id.isEmpty() ? "use GET or POST" : "use GET or DELETE"));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
            try {
                respond(exchange, 500, Map.of("error", e.getClass().getSimpleName()));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or the client went away
            }
        } finally {
            exchange.close();
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (token.isEmpty()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get());
    }

    private void create(HttpExchange exchange) throws IOException {
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                respond(exchange, 413, Map.of("error", "body larger than " + MAX_BODY + " bytes"));
                return;
            }
            body = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            respond(exchange, 400, Map.of("error", "body is not JSON"));
            return;
        }
        List<String> problems = new ArrayList<>();
        List<Matcher> matchers = new ArrayList<>();
        JsonNode given = body == null ? null : body.get("matchers");
        if (given == null || !given.isArray() || given.isEmpty()) {
            problems.add("matchers: at least one, e.g. [\"service=batch\"]");
        } else {
            for (int i = 0; i < given.size(); i++) {
                try {
                    matchers.add(matcher(given.get(i)));
                } catch (IllegalArgumentException e) {
                    problems.add("matchers[" + i + "]: " + given.get(i) + " " + e.getMessage());
                }
            }
        }
        Optional<Instant> until = instant(body, problems, "until", "endsAt");
        if (until.isEmpty() && problems.stream().noneMatch(p -> p.startsWith("until"))) {
            problems.add("until: required, an ISO-8601 instant such as 2026-12-24T06:00:00Z");
        }
        Optional<Instant> starts = instant(body, problems, "starts", "startsAt");
        String author = text(body, "author", "createdBy");
        String comment = text(body, "comment", "comment");
        if (author.isBlank()) {
            problems.add("author: required (who makes the silence)");
        }
        if (comment.isBlank()) {
            problems.add("comment: required (why)");
        }
        if (!problems.isEmpty()) {
            respond(exchange, 400, Map.of("error", String.join("; ", problems)));
            return;
        }
        try {
            Silence silence = silences.add(matchers, starts, until.get(), author, comment);
            respond(exchange, 201, json(silence, clock.instant()));
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, Map.of("error", e.getMessage()));
        }
    }

    private static Matcher matcher(JsonNode node) {
        if (node.isTextual()) {
            return Matcher.parse(node.asText());
        }
        if (node.isObject() && node.hasNonNull("name") && node.hasNonNull("value")) {
            boolean regex = node.path("isRegex").asBoolean(false);
            boolean equal = node.path("isEqual").asBoolean(true);
            String op = regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!=");
            String value = node.path("value").asText();
            return Matcher.parse(node.path("name").asText() + op + "\"" + value.replace("\\", "\\\\")
                    .replace("\"", "\\\"") + "\"");
        }
        throw new IllegalArgumentException("a matcher is a string like \"service=batch\" or {\"name\", \"value\", "
                + "\"isRegex\", \"isEqual\"}");
    }

    private static Optional<Instant> instant(JsonNode body, List<String> problems, String name, String alias) {
        String value = text(body, name, alias);
        if (value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(RoutingConfig.instant(value));
        } catch (IllegalArgumentException e) {
            problems.add(name + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String text(JsonNode body, String name, String alias) {
        if (body == null) {
            return "";
        }
        JsonNode value = body.hasNonNull(name) ? body.get(name) : body.get(alias);
        return value == null || value.isNull() ? "" : value.asText();
    }

    static Map<String, Object> json(Silence silence, Instant now) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", silence.id());
        json.put("state", silence.state(now));
        json.put("matchers", silence.matchers().stream().map(Matcher::toString).toList());
        json.put("startsAt", silence.startsAt().toString());
        json.put("endsAt", silence.endsAt().toString());
        json.put("createdBy", silence.createdBy());
        json.put("comment", silence.comment());
        json.put("origin", silence.origin());
        return json;
    }

    /** What {@code /status} shows under {@code silences}. */
    static Map<String, Object> status(Notifier notifier) {
        Instant now = notifier.clock().instant();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("silenced", notifier.silencedCount());
        status.put("openGroups", notifier.openGroups());
        status.put("silences", notifier.silences().list().stream().filter(silence -> !silence.state(now)
                .equals("expired")).map(silence -> json(silence, now)).toList());
        return status;
    }

    private static void respond(HttpExchange exchange, int code, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

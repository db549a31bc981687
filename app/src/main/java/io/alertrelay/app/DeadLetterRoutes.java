package io.alertrelay.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.alertrelay.core.DeadLetters;
import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.spi.Alert;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /dead-letters} on the relay's HTTP port (what {@code alert-relay dead-letters ...} calls):
 *
 * <ul>
 *   <li>{@code GET /dead-letters[?sink=ID]}: the dead letters, oldest first, without the alerts' bodies;</li>
 *   <li>{@code GET /dead-letters/ID}: one, with its alert;</li>
 *   <li>{@code POST /dead-letters/ID/retry}, {@code POST /dead-letters/retry[?sink=ID]}: re-drive one or all;</li>
 *   <li>{@code POST /dead-letters/ID/purge}, {@code POST /dead-letters/purge[?sink=ID]}: delete one or all.</li>
 * </ul>
 * Changes need POST (a browser's GET cannot re-drive or purge); the HTTP server lets a POST through only with
 * {@code Authorization: Bearer <http.token>} when a token is set, and refuses it without one when {@code http.bind}
 * is not loopback (docs/http.md). Reading is not authenticated.
 */
final class DeadLetterRoutes implements HttpHandler {
    static final String PATH = "/dead-letters";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DeadLetters deadLetters;

    DeadLetterRoutes(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String rest = exchange.getRequestURI().getPath().substring(PATH.length());
            List<String> parts = rest.isEmpty() || rest.equals("/") ? List.of()
                    : List.of(rest.substring(1).split("/"));
            Optional<String> sink = query(exchange, "sink");
            if (parts.isEmpty() && method.equals("GET")) {
                respond(exchange, 200, deadLetters.list(sink).stream().map(letter -> summary(letter, false)).toList());
            } else if (parts.size() == 1 && (parts.get(0).equals("retry") || parts.get(0).equals("purge"))) {
                if (!method.equals("POST")) {
                    respond(exchange, 405, Map.of("error", "use POST"));
                } else if (parts.get(0).equals("retry")) {
                    respond(exchange, 200, Map.of("retried", deadLetters.retryAll(sink)));
                } else {
                    respond(exchange, 200, Map.of("purged", deadLetters.purgeAll(sink)));
                }
            } else if (!parts.isEmpty() && parts.size() <= 2 && isId(parts.get(0))) {
                long id = Long.parseLong(parts.get(0));
                if (parts.size() == 1 && method.equals("GET")) {
                    Optional<DeadLetter> letter = deadLetters.get(id);
                    if (letter.isPresent()) {
                        respond(exchange, 200, summary(letter.get(), true));
                    } else {
                        respond(exchange, 404, Map.of("error", "no dead letter " + id));
                    }
                } else if (parts.size() == 2 && parts.get(1).equals("retry") && method.equals("POST")) {
                    retry(exchange, id);
                } else if (parts.size() == 2 && parts.get(1).equals("purge") && method.equals("POST")) {
                    boolean purged = deadLetters.purge(id);
                    respond(exchange, purged ? 200 : 404, purged ? Map.of("purged", 1)
                            : Map.of("error", "no dead letter " + id));
                } else {
                    respond(exchange, 405, Map.of("error", "GET /dead-letters/ID, POST /dead-letters/ID/retry or "
                            + "/purge"));
                }
            } else {
                respond(exchange, 404, Map.of("error", "try GET /dead-letters, GET /dead-letters/ID, "
                        + "POST /dead-letters/ID/retry, POST /dead-letters/ID/purge, POST /dead-letters/retry, "
                        + "POST /dead-letters/purge (?sink=ID)"));
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

    private void retry(HttpExchange exchange, long id) throws IOException {
        DeadLetters.Retry result = deadLetters.retry(id);
        if (result instanceof DeadLetters.Retried retried) {
            respond(exchange, 200, Map.of("retried", 1, "sink", retried.letter().sinkId(), "notification",
                    retried.notification().id()));
        } else if (result instanceof DeadLetters.SinkNotConfigured orphan) {
            respond(exchange, 409, Map.of("error", "sink " + orphan.letter().sinkId() + " is not configured; the dead "
                    + "letter is kept"));
        } else {
            respond(exchange, 404, Map.of("error", "no dead letter " + id));
        }
    }

    private static boolean isId(String text) {
        return !text.isEmpty() && text.length() < 19 && text.chars().allMatch(Character::isDigit);
    }

    private static Optional<String> query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return Optional.of(URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    static Map<String, Object> summary(DeadLetter letter, boolean withAlert) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", letter.id());
        json.put("sink", letter.sinkId());
        json.put("reason", letter.reason());
        json.put("answer", letter.answer());
        json.put("attempts", letter.attempts());
        json.put("createdAt", letter.createdAt().toString());
        json.put("diedAt", letter.diedAt().toString());
        json.put("alertId", letter.alert().id());
        json.put("title", letter.alert().title());
        if (withAlert) {
            json.put("alert", alert(letter.alert()));
        }
        return json;
    }

    private static Map<String, Object> alert(Alert alert) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", alert.id());
        json.put("title", alert.title());
        json.put("status", alert.status().wireName());
        json.put("severity", alert.severity().wireName());
        alert.summary().ifPresent(summary -> json.put("summary", summary));
        json.put("labels", alert.labels());
        alert.source().ifPresent(source -> json.put("source", source));
        alert.timestamp().ifPresent(timestamp -> json.put("timestamp", timestamp.toString()));
        json.put("extra", alert.extra());
        json.put("channel", alert.origin().channel());
        json.put("receivedAt", alert.origin().receivedAt().toString());
        return json;
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

package io.alertrelay.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /-/reload}: reloads the configuration file (as SIGHUP does) and answers what happened: 200
 * {@code {"result": "applied", "hash": ..., "changes": [...]}} or 422 {@code {"result": "rejected", "hash": <still
 * live>, "problems": [...]}}.
 *
 * <p>Who may: with {@code http.token} set, only a request with {@code Authorization: Bearer <token>} (401 otherwise);
 * without it, only when {@code http.bind} is a loopback address (403 otherwise: a reload over the network needs the
 * token). Other methods: 405.
 */
final class ReloadRoute implements HttpHandler {
    static final String PATH = "/-/reload";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Function<String, Reloader.Result> reload;
    private final boolean loopbackOnly;
    private final Optional<byte[]> token;

    /**
     * @param reload       {@link Reloader#reload}, given who asked
     * @param loopbackOnly whether the HTTP server listens on a loopback address only
     * @param token        {@code http.token}, if set
     */
    ReloadRoute(Function<String, Reloader.Result> reload, boolean loopbackOnly, Optional<String> token) {
        this.reload = reload;
        this.loopbackOnly = loopbackOnly;
        this.token = token.map(value -> ("Bearer " + value).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.skipNBytes(0); // the body is not read; closing it is enough
        }
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            respond(exchange, 404, Map.of("error", "not found"));
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            respond(exchange, 405, Map.of("error", "use POST " + PATH));
            return;
        }
        if (token.isPresent()) {
            String given = exchange.getRequestHeaders().getFirst("Authorization");
            if (given == null || !MessageDigest.isEqual(token.get(), given.getBytes(StandardCharsets.UTF_8))) {
                respond(exchange, 401, Map.of("error", "needs Authorization: Bearer <http.token>"));
                return;
            }
        } else if (!loopbackOnly) {
            respond(exchange, 403, Map.of("error", "http.bind is not a loopback address: reloading over the network "
                    + "needs http.token (or send SIGHUP)"));
            return;
        }
        Reloader.Result result = reload.apply("POST " + PATH + " from "
                + exchange.getRemoteAddress().getAddress().getHostAddress());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("result", result.applied() ? "applied" : "rejected");
        answer.put("hash", result.hash());
        answer.put(result.applied() ? "changes" : "problems", result.applied() ? result.changes() : result.problems());
        respond(exchange, result.applied() ? 200 : 422, answer);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

package io.alertrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code alert-relay blind-windows|status [--url http://127.0.0.1:9464]}: asks a running relay (its {@code /status}
 * endpoint) and prints what a person on call needs, one line each.
 */
final class StatusCommand {
    static final String DEFAULT_URL = "http://127.0.0.1:9464";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusCommand() {}

    static String usage(String command) {
        return command.equals("status") ? """
                Usage: java -jar alert-relay.jar status [--url http://127.0.0.1:9464]
                  Asks a running relay (GET /status) and prints its live configuration (origin and hash), each Redis
                  node's subscription state, the canaries and each sink's state. Exit: 0 answered, 1 unreachable,
                  2 usage error.
                """ : """
                Usage: java -jar alert-relay.jar blind-windows [--url http://127.0.0.1:9464]
                  Asks a running relay (GET /status) for the intervals in which alerts may not have been delivered
                  (open and closed blind windows). Exit: 0 answered, 1 unreachable, 2 usage error.
                """;
    }

    static int run(String command, String url, PrintStream out, PrintStream err) {
        JsonNode status;
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url + "/status"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("GET " + url + "/status answered HTTP " + response.statusCode());
                return Main.EXIT_FAILURE;
            }
            status = JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        } catch (Exception e) {
            err.println("Cannot read " + url + "/status: " + e.getClass().getSimpleName()
                    + " (is the relay running, with http enabled on that port?)");
            return Main.EXIT_FAILURE;
        }
        if (command.equals("blind-windows")) {
            printBlindWindows(status.path("blindWindows"), out);
        } else {
            printStatus(status, out);
        }
        return Main.EXIT_OK;
    }

    private static void printBlindWindows(JsonNode windows, PrintStream out) {
        for (JsonNode open : windows.path("open")) {
            out.println("OPEN   since " + open.path("start").asText() + " on " + open.path("subscription").asText()
                    + ": " + open.path("reason").asText());
        }
        JsonNode recent = windows.path("recent");
        for (int i = recent.size() - 1; i >= 0; i--) { // oldest first, like a log
            out.println(recent.get(i).path("message").asText());
        }
        out.println(windows.path("closedCount").asLong() + " blind window(s), "
                + String.format(java.util.Locale.ROOT, "%.2f", windows.path("totalSeconds").asDouble())
                + " s in total; " + windows.path("open").size() + " open now");
    }

    private static void printStatus(JsonNode status, PrintStream out) {
        JsonNode ready = status.path("ready");
        out.println("relay " + status.path("relay").asText() + ": " + (ready.path("ready").asBoolean() ? "READY"
                : "NOT READY " + ready.path("reasons")));
        JsonNode config = status.path("config");
        if (!config.isMissingNode()) {
            out.println("config " + config.path("origin").asText() + " sha256 " + config.path("hash").asText()
                    + " (loaded " + config.path("loadedAt").asText() + ")");
            JsonNode last = config.path("lastReload");
            if (!last.isMissingNode()) {
                out.println("  last reload " + last.path("at").asText() + " (" + last.path("trigger").asText() + "): "
                        + last.path("result").asText() + " " + (last.has("problems") ? last.path("problems")
                        : last.path("changes")));
            }
        }
        JsonNode master = status.path("redis").path("master");
        out.println("master subscription: " + master.path("state").asText() + " on " + master.path("node").asText()
                + " (" + master.path("reason").asText() + ")");
        for (JsonNode node : status.path("redis").path("nodes")) {
            out.println("  node " + node.path("node").asText() + " " + node.path("role").asText() + " "
                    + node.path("state").asText());
        }
        for (JsonNode node : status.path("canary").path("nodes")) {
            out.println("canary " + node.path("node").asText() + ": " + node.path("state").asText() + " ("
                    + node.path("reason").asText() + ")");
        }
        for (JsonNode sink : status.path("sinks")) {
            out.println("sink " + sink.path("id").asText() + " (" + sink.path("type").asText() + "): "
                    + sink.path("state").asText() + ", queue " + sink.path("queueDepth").asInt()
                    + ", pending " + sink.path("pending").asLong() + " (oldest "
                    + String.format(java.util.Locale.ROOT, "%.0f", sink.path("oldestPendingSeconds").asDouble())
                    + " s), dead letters " + sink.path("deadLetters").asLong()
                    + (sink.path("lastFailure").asText().isEmpty() ? "" : ", last failure: "
                    + sink.path("lastFailure").asText()));
        }
        out.println("blind windows: " + status.path("blindWindows").path("closedCount").asLong() + " closed, "
                + status.path("blindWindows").path("open").size() + " open");
    }
}

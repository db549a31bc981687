package io.alertrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alertrelay.config.Parsers;
import io.alertrelay.core.Matcher;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code alert-relay silence add|list|expire ...}: asks a running relay (its {@code /api/silences} routes). The token
 * ({@code http.token}) comes from {@code --token} or the environment variable {@value #TOKEN_ENV}.
 */
final class SilenceCommand {
    static final String TOKEN_ENV = DeadLettersCommand.TOKEN_VARIABLE;
    static final String USAGE = """
            Usage: java -jar alert-relay.jar silence add MATCHER... (--until INSTANT | --for DURATION)
                       --comment TEXT [--author NAME] [--starts INSTANT] [--url URL] [--token TOKEN]
                   java -jar alert-relay.jar silence list [--all] [--url URL] [--token TOKEN]
                   java -jar alert-relay.jar silence expire ID [--url URL] [--token TOKEN]
              MATCHER is Alertmanager's syntax: service=batch, severity!=critical, host=~"db-.*", team!~ops
              INSTANT is ISO-8601 (2026-12-24T06:00:00Z); DURATION like 30m, 2h, 1d.
              --author defaults to $USER; list shows active and pending silences (--all: expired ones too).
              URL defaults to http://127.0.0.1:9464 (the relay's http.bind and http.port); the token defaults to
              $RELAY_HTTP_TOKEN (needed when the relay sets http.token).
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SilenceCommand() {}

    /** {@code args} without the leading {@code silence}. */
    static int run(List<String> args, Function<String, String> environment, PrintStream out, PrintStream err) {
        String url = StatusCommand.DEFAULT_URL;
        Optional<String> token = Optional.ofNullable(environment.apply(TOKEN_ENV)).filter(value -> !value.isBlank());
        Optional<String> until = Optional.empty();
        Optional<String> forDuration = Optional.empty();
        Optional<String> starts = Optional.empty();
        Optional<String> comment = Optional.empty();
        String author = Optional.ofNullable(environment.apply("USER")).orElse("");
        boolean all = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--all")) {
                all = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            if (i + 1 >= args.size()) {
                return usage(err, arg + " needs a value");
            }
            String value = args.get(++i);
            switch (arg) {
                case "--url" -> url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                case "--token" -> token = Optional.of(value);
                case "--until" -> until = Optional.of(value);
                case "--for" -> forDuration = Optional.of(value);
                case "--starts" -> starts = Optional.of(value);
                case "--comment" -> comment = Optional.of(value);
                case "--author" -> author = value;
                default -> {
                    return usage(err, "unknown option " + arg);
                }
            }
        }
        if (positional.isEmpty()) {
            return usage(err, "which action? add, list or expire");
        }
        String action = positional.get(0);
        switch (action) {
            case "add" -> {
                List<String> matchers = positional.subList(1, positional.size());
                if (matchers.isEmpty()) {
                    return usage(err, "add needs at least one matcher, e.g. service=batch");
                }
                for (String matcher : matchers) {
                    try {
                        Matcher.parse(matcher);
                    } catch (IllegalArgumentException e) {
                        return usage(err, "'" + matcher + "' " + e.getMessage());
                    }
                }
                if (until.isPresent() == forDuration.isPresent()) {
                    return usage(err, "add needs exactly one of --until INSTANT or --for DURATION");
                }
                if (comment.isEmpty() || comment.get().isBlank()) {
                    return usage(err, "add needs --comment (why)");
                }
                if (author.isBlank()) {
                    return usage(err, "add needs --author (or $USER)");
                }
                String end;
                try {
                    end = until.isPresent() ? RoutingConfig.instant(until.get()).toString()
                            : Instant.now().plus(Parsers.duration(forDuration.get())).toString();
                    if (starts.isPresent()) {
                        starts = Optional.of(RoutingConfig.instant(starts.get()).toString());
                    }
                } catch (IllegalArgumentException e) {
                    return usage(err, "--until/--for/--starts: " + e.getMessage());
                }
                ObjectNode body = JSON.createObjectNode();
                var array = body.putArray("matchers");
                matchers.forEach(array::add);
                body.put("until", end);
                starts.ifPresent(value -> body.put("starts", value));
                body.put("author", author);
                body.put("comment", comment.get());
                JsonNode silence = call(err, "POST", url + SilenceRoutes.PATH, token, body.toString());
                if (silence == null) {
                    return Main.EXIT_FAILURE;
                }
                out.println("Silence " + silence.path("id").asText() + " added");
                out.println(line(silence));
                return Main.EXIT_OK;
            }
            case "list" -> {
                if (positional.size() != 1) {
                    return usage(err, "list takes no arguments");
                }
                JsonNode silences = call(err, "GET", url + SilenceRoutes.PATH, token, null);
                if (silences == null) {
                    return Main.EXIT_FAILURE;
                }
                int shown = 0;
                for (JsonNode silence : silences) {
                    if (all || !silence.path("state").asText().equals("expired")) {
                        out.println(line(silence));
                        shown++;
                    }
                }
                out.println(shown + " silence(s)");
                return Main.EXIT_OK;
            }
            case "expire" -> {
                if (positional.size() != 2) {
                    return usage(err, "expire needs one silence id");
                }
                JsonNode silence = call(err, "DELETE", url + SilenceRoutes.PATH + "/"
                        + URLEncoder.encode(positional.get(1), StandardCharsets.UTF_8), token, null);
                if (silence == null) {
                    return Main.EXIT_FAILURE;
                }
                out.println("Silence " + silence.path("id").asText() + " expired at " + silence.path("endsAt").asText());
                return Main.EXIT_OK;
            }
            default -> {
                return usage(err, "unknown action " + action);
            }
        }
    }

    static String line(JsonNode silence) {
        List<String> matchers = new ArrayList<>();
        silence.path("matchers").forEach(matcher -> matchers.add(matcher.asText()));
        return silence.path("id").asText() + "  " + silence.path("state").asText() + "  " + String.join(",", matchers)
                + "  " + silence.path("startsAt").asText() + " .. " + silence.path("endsAt").asText() + "  by "
                + silence.path("createdBy").asText() + ": " + silence.path("comment").asText();
    }

    private static int usage(PrintStream err, String problem) {
        err.print(problem + "\n" + USAGE);
        return Main.EXIT_CONFIG;
    }

    /** The JSON answer of a 2xx, or null after printing why not. */
    private static JsonNode call(PrintStream err, String method, String url, Optional<String> token, String body) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                err.println(method + " " + url + " answered HTTP " + response.statusCode() + ": "
                        + answer.path("error").asText(response.body()));
                return null;
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            err.println("Cannot reach " + url + ": " + e.getClass().getSimpleName()
                    + " (is the relay running, with http enabled on that port?)");
            return null;
        }
    }
}

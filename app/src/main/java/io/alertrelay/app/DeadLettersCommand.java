package io.alertrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code alert-relay dead-letters list|show|retry|purge ...}: asks a running relay (its {@code /dead-letters} routes)
 * and prints one line per dead letter.
 */
final class DeadLettersCommand {
    static final String USAGE = """
            Usage: java -jar alert-relay.jar dead-letters list [--sink ID] [--url URL]
                   java -jar alert-relay.jar dead-letters show ID [--url URL]
                   java -jar alert-relay.jar dead-letters retry ID|--all [--sink ID] [--url URL]
                   java -jar alert-relay.jar dead-letters purge ID|--all [--sink ID] [--url URL]
              URL defaults to http://127.0.0.1:9464 (the relay's http.bind and http.port).
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLettersCommand() {}

    /** {@code args} without the leading {@code dead-letters}. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        String url = StatusCommand.DEFAULT_URL;
        Optional<String> sink = Optional.empty();
        boolean all = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--url" -> {
                    if (i + 1 >= args.size()) {
                        return usage(err, "--url needs a value");
                    }
                    String value = args.get(++i);
                    url = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                }
                case "--sink" -> {
                    if (i + 1 >= args.size()) {
                        return usage(err, "--sink needs a value");
                    }
                    sink = Optional.of(args.get(++i));
                }
                case "--all" -> all = true;
                default -> positional.add(arg);
            }
        }
        if (positional.isEmpty()) {
            return usage(err, "which action?");
        }
        String action = positional.get(0);
        String query = sink.map(id -> "?sink=" + URLEncoder.encode(id, StandardCharsets.UTF_8)).orElse("");
        switch (action) {
            case "list" -> {
                if (positional.size() != 1 || all) {
                    return usage(err, "list takes no id");
                }
                JsonNode letters = call(err, "GET", url + DeadLetterRoutes.PATH + query);
                if (letters == null) {
                    return Main.EXIT_FAILURE;
                }
                for (JsonNode letter : letters) {
                    out.println(line(letter));
                }
                out.println(letters.size() + " dead letter(s)");
                return Main.EXIT_OK;
            }
            case "show" -> {
                if (positional.size() != 2 || !isId(positional.get(1))) {
                    return usage(err, "show needs one id");
                }
                JsonNode letter = call(err, "GET", url + DeadLetterRoutes.PATH + "/" + positional.get(1));
                if (letter == null) {
                    return Main.EXIT_FAILURE;
                }
                out.println(letter.toPrettyString());
                return Main.EXIT_OK;
            }
            case "retry", "purge" -> {
                String target;
                if (all && positional.size() == 1) {
                    target = url + DeadLetterRoutes.PATH + "/" + action + query;
                } else if (!all && positional.size() == 2 && isId(positional.get(1)) && sink.isEmpty()) {
                    target = url + DeadLetterRoutes.PATH + "/" + positional.get(1) + "/" + action;
                } else {
                    return usage(err, action + " needs one id, or --all (with --sink to limit it)");
                }
                JsonNode answer = call(err, "POST", target);
                if (answer == null) {
                    return Main.EXIT_FAILURE;
                }
                String key = action.equals("retry") ? "retried" : "purged";
                out.println(answer.path(key).asInt() + " dead letter(s) " + key
                        + (action.equals("retry") ? " (back in the sink's queue)" : ""));
                return Main.EXIT_OK;
            }
            default -> {
                return usage(err, "unknown action " + action);
            }
        }
    }

    static String line(JsonNode letter) {
        return letter.path("id").asLong() + "  " + letter.path("sink").asText() + "  " + letter.path("reason").asText()
                + "  " + letter.path("diedAt").asText() + "  alert " + letter.path("alertId").asText() + " \""
                + letter.path("title").asText() + "\"  attempts " + letter.path("attempts").asInt() + "  answer: "
                + letter.path("answer").asText();
    }

    private static boolean isId(String text) {
        return !text.isEmpty() && text.chars().allMatch(Character::isDigit);
    }

    private static int usage(PrintStream err, String problem) {
        err.print(problem + "\n" + USAGE);
        return Main.EXIT_CONFIG;
    }

    /** The environment variable whose value is sent as {@code Authorization: Bearer ...} with retry and purge. */
    static final String TOKEN_VARIABLE = "RELAY_HTTP_TOKEN";

    /** The JSON answer of a 2xx, or null after printing why not. */
    private static JsonNode call(PrintStream err, String method, String url) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            // http.token of a relay bound beyond loopback (docs/http.md): from the environment, never an argument
            String token = System.getenv(TOKEN_VARIABLE);
            if (token != null && !token.isBlank() && !method.equals("GET")) {
                builder.header("Authorization", "Bearer " + token.strip());
            }
            HttpRequest request = builder.build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() / 100 != 2) {
                err.println(method + " " + url + " answered HTTP " + response.statusCode() + ": "
                        + body.path("error").asText(response.body()));
                return null;
            }
            return body;
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

package io.alertrelay.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the relay's HTTP endpoints; finds the port in its start-up log (the ITs use http.port: 0). */
final class HttpProbe {
    private static final Pattern LISTENING = Pattern.compile("Health and metrics on http://[^:]+:(\\d+)");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    HttpProbe(RelayProcess relay) throws InterruptedException {
        relay.awaitStderr(line -> LISTENING.matcher(line).find(), Duration.ofSeconds(30));
        Matcher matcher = LISTENING.matcher(relay.stderr());
        if (!matcher.find()) {
            throw new AssertionError("no HTTP port in the log");
        }
        this.port = Integer.parseInt(matcher.group(1));
    }

    int port() {
        return port;
    }

    /** The status code of GET path, or -1 when the request failed. */
    int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    String body(String path) throws Exception {
        return get(path).body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(3)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until GET path answers {@code expected}. */
    void awaitStatus(String path, int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -2;
        while (System.nanoTime() < deadline) {
            last = status(path);
            if (last == expected) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not answer " + expected + " within " + timeout + " (last " + last + ")");
    }
}

package io.alertrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A Slack webhook stand-in whose answer can be switched while the test runs (200, 503, 400 invalid_payload, ...), and
 * which counts, per alert title token ({@code dur-17}), the posts it answered 200. A digest (several alerts in one
 * message, one line each) counts once for each alert it lists.
 */
final class ScriptedSlack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("\\b([a-z]+-\\d+)\\b");

    private final MockWebServer server = new MockWebServer();
    private volatile int status = 200;
    private volatile String body = "ok";
    private final Map<String, Integer> accepted = new TreeMap<>();
    private final List<String> refused = new ArrayList<>();

    ScriptedSlack() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                int answer = status;
                // a message names one alert, or several (a digest: one line per alert in its sections)
                java.util.Set<String> tokens = new java.util.LinkedHashSet<>();
                String text = "";
                try {
                    JsonNode posted = JSON.readTree(request.getBody().readUtf8());
                    text = posted.path("text").asText();
                    StringBuilder all = new StringBuilder(text);
                    for (JsonNode block : posted.path("blocks")) {
                        if (block.path("type").asText().equals("section")) {
                            all.append('\n').append(block.path("text").path("text").asText());
                        }
                    }
                    Matcher matcher = TOKEN.matcher(all);
                    while (matcher.find()) {
                        tokens.add(matcher.group(1));
                    }
                } catch (IOException e) {
                    // not JSON: counted under its text
                }
                if (tokens.isEmpty()) {
                    tokens.add(text);
                }
                synchronized (ScriptedSlack.this) {
                    if (answer == 200) {
                        tokens.forEach(token -> accepted.merge(token, 1, Integer::sum));
                    } else {
                        refused.add(tokens.iterator().next()); // refused posts are counted, not the alerts in them
                    }
                    ScriptedSlack.this.notifyAll();
                }
                return new MockResponse().setResponseCode(answer).setBody(answer == 200 ? "ok" : body);
            }
        });
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    String url() {
        return server.url(SlackWebhook.PATH).toString();
    }

    void answer(int code, String text) {
        this.body = text;
        this.status = code;
    }

    /** Posts answered 200, by token, counted. */
    synchronized Map<String, Integer> accepted() {
        return Map.copyOf(accepted);
    }

    synchronized int refusedCount() {
        return refused.size();
    }

    /** Waits until the accepted posts satisfy {@code done}. */
    synchronized void awaitAccepted(Predicate<Map<String, Integer>> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(accepted)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("stand-in accepted " + accepted.size() + " distinct alerts within " + timeout
                        + ": " + accepted.keySet());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized void awaitRefused(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (refused.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("stand-in refused only " + refused.size() + " posts within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}

package io.alertrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * Slack's Web API stand-in (MockWebServer): {@code auth.test}, {@code chat.postMessage}, {@code chat.update}, each
 * answering Slack's JSON. With {@link #enforceRate}, at most one chat.postMessage per second per channel, as Slack:
 * a post less than {@link #MIN_GAP} after the last one accepted in its channel is answered 429 with
 * {@code Retry-After: 1} (the gap allows for loopback jitter of a client that paces itself at exactly 1/s).
 */
final class SlackApiStandIn implements AutoCloseable {
    static final String TOKEN = "xoxb-SECRET-it-TOKEN";
    static final Duration MIN_GAP = Duration.ofMillis(900);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call the stand-in answered. */
    record Call(String method, JsonNode body, int status, String ts, long atNanos) {
        String channel() {
            return body.path("channel").asText();
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Long> lastAccepted = new HashMap<>();
    private volatile boolean enforceRate;
    private long nextTs = 1_700_000_000_000_100L;

    SlackApiStandIn() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    SlackApiStandIn enforceRate() {
        this.enforceRate = true;
        return this;
    }

    String apiUrl() {
        return server.url("/api/").toString();
    }

    private synchronized MockResponse answer(RecordedRequest request) {
        String path = request.getPath() == null ? "" : request.getPath();
        String method = path.substring(path.lastIndexOf('/') + 1);
        long now = System.nanoTime();
        if (!("Bearer " + TOKEN).equals(request.getHeader("Authorization"))) {
            return json(method, null, 200, null, now, "{\"ok\":false,\"error\":\"invalid_auth\"}");
        }
        JsonNode body;
        try {
            String text = request.getBody().readUtf8();
            body = text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return json(method, null, 200, null, now, "{\"ok\":false,\"error\":\"invalid_json\"}");
        }
        switch (method) {
            case "auth.test" -> {
                return json(method, body, 200, null, now, "{\"ok\":true,\"team\":\"IT\",\"user\":\"alert-relay\"}");
            }
            case "chat.postMessage" -> {
                String channel = body.path("channel").asText();
                Long last = lastAccepted.get(channel);
                if (enforceRate && last != null && now - last < MIN_GAP.toNanos()) {
                    calls.add(new Call(method, body, 429, null, now));
                    notifyAll();
                    return new MockResponse().setResponseCode(429).setHeader("Retry-After", "1")
                            .setHeader("Content-Type", "application/json")
                            .setBody("{\"ok\":false,\"error\":\"ratelimited\"}");
                }
                lastAccepted.put(channel, now);
                String ts = ts();
                return json(method, body, 200, ts, now, "{\"ok\":true,\"channel\":\"" + channel + "\",\"ts\":\"" + ts
                        + "\"}");
            }
            case "chat.update" -> {
                String ts = body.path("ts").asText();
                return json(method, body, 200, ts, now, "{\"ok\":true,\"channel\":\"" + body.path("channel").asText()
                        + "\",\"ts\":\"" + ts + "\"}");
            }
            default -> {
                return json(method, body, 404, null, now, "{\"ok\":false,\"error\":\"unknown_method\"}");
            }
        }
    }

    private String ts() {
        long value = nextTs++;
        return value / 1_000_000 + "." + String.format("%06d", value % 1_000_000);
    }

    private MockResponse json(String method, JsonNode body, int status, String ts, long now, String answer) {
        if (body != null) {
            calls.add(new Call(method, body, answer.contains("\"ok\":true") ? status : 400, ts, now));
            notifyAll();
        }
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json")
                .setBody(answer);
    }

    /** Every call answered so far (status 200 accepted, 429 rate-limited, 400 Slack error). */
    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> accepted(String method) {
        return calls.stream().filter(call -> call.method().equals(method) && call.status() == 200).toList();
    }

    /** Waits until the calls satisfy {@code done}; fails after {@code timeout} showing what came. */
    synchronized void await(Predicate<List<Call>> done, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(calls)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the Slack stand-in did not see " + what + " within " + timeout + "; calls: "
                        + calls.stream().map(call -> call.method() + " " + call.status()).toList());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}

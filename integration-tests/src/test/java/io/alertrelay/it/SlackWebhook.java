package io.alertrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/** A real HTTP server (OkHttp MockWebServer) standing in for a Slack incoming webhook; answers 200 "ok". */
final class SlackWebhook implements AutoCloseable {
    static final String PATH = "/services/T0000/B0000/SECRETTOKEN0000";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final List<JsonNode> received = new ArrayList<>();

    SlackWebhook() throws IOException {
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(200).setBody("ok");
            }
        });
        server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    String url() {
        return server.url(PATH).toString();
    }

    /** The next webhook POST's JSON body, or an AssertionError after {@code timeout}. */
    JsonNode next(Duration timeout) throws Exception {
        RecordedRequest request = server.takeRequest(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("no webhook POST within " + timeout);
        }
        if (!"POST".equals(request.getMethod()) || !PATH.equals(request.getPath())) {
            throw new AssertionError("unexpected request " + request.getMethod() + " " + request.getPath());
        }
        JsonNode body = JSON.readTree(request.getBody().readUtf8());
        received.add(body);
        return body;
    }

    /** Waits for a POST whose fallback text contains {@code text}, skipping others; returns it. */
    JsonNode awaitText(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no webhook POST containing '" + text + "' within " + timeout);
            }
            RecordedRequest request = server.takeRequest(left, TimeUnit.NANOSECONDS);
            if (request == null) {
                continue;
            }
            JsonNode body = JSON.readTree(request.getBody().readUtf8());
            received.add(body);
            if (body.path("text").asText().contains(text)) {
                return body;
            }
        }
    }

    /** Requests that arrive within {@code quiet}; for asserting that nothing more came. */
    int drain(Duration quiet) throws InterruptedException {
        int count = 0;
        while (server.takeRequest(quiet.toMillis(), TimeUnit.MILLISECONDS) != null) {
            count++;
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}

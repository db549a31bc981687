package io.alertrelay.it;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/** A real HTTP server standing in for a healthchecks.io-style dead man's switch; records each request's path. */
final class HeartbeatServer implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    HeartbeatServer() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                paths.add(request.getPath());
                return new MockResponse().setResponseCode(200).setBody("OK");
            }
        });
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    String url(String path) {
        return server.url(path).toString();
    }

    /** The paths requested so far, in order (a live view). */
    List<String> paths() {
        return paths;
    }

    /** Waits until {@code path} is requested at or after index {@code from} of {@link #paths()}. */
    void await(String path, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (paths.subList(Math.min(from, paths.size()), paths.size()).contains(path)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no heartbeat " + path + " at or after index " + from + ": " + paths);
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}

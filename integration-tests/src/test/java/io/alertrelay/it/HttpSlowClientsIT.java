package io.alertrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.testing.redis.RedisServerProcess;
import io.alertrelay.testing.redis.RequiresRedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 8: 100 connections that never finish their request headers and 100 that never finish their body
 * (a POST with Content-Length 1000 and 2 bytes sent) are held open against the jar while {@code /health/live} is
 * probed 40 times, each on a new connection: every probe must answer 200 within 1 s (on the JDK server with two
 * workers, two such connections stopped it answering at all). Then the server's own limits end them: the half-open
 * connections are closed after the header timeout (5 s), the slow bodies get 408 after the body timeout (10 s).
 */
@RequiresRedisServer
final class HttpSlowClientsIT {
    private static final int HALF_OPEN = 100;
    private static final int SLOW_BODIES = 100;
    private static final int PROBES = 40;
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void liveAnswersWithinOneSecondWhile200SlowClientsAreHeld() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startStandalone();
             RelayProcess relay = RelayProcess.startWithConfig(dir.resolve("relay"), """
                     redis:
                       url: redis://127.0.0.1:%d
                     subscriptions:
                       - pattern: "alerts:*"
                     sinks:
                       console:
                         type: console
                     http: {port: 0}
                     """.formatted(redis.port()), Map.of())) {
            HttpProbe http = new HttpProbe(relay);
            http.awaitStatus("/health/live", 200, Duration.ofSeconds(30));
            int port = http.port();
            List<Socket> halfOpen = new ArrayList<>();
            List<Socket> slowBodies = new ArrayList<>();
            try {
                long opened = System.nanoTime();
                for (int i = 0; i < HALF_OPEN; i++) {
                    halfOpen.add(open(port, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + i + "\r\n"));
                }
                for (int i = 0; i < SLOW_BODIES; i++) {
                    slowBodies.add(open(port, "POST /dead-letters/retry HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\""));
                }
                List<Long> millis = new ArrayList<>();
                // every probe while all 200 are held: well inside the 5 s header timeout that would end the half-open ones
                while (millis.size() < PROBES && Duration.ofNanos(System.nanoTime() - opened).toMillis() < 4_000) {
                    long start = System.nanoTime();
                    String answer = probe(port);
                    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                    assertThat(answer).as("probe %d", millis.size()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok\n");
                    assertThat(took).as("probe %d took %d ms", millis.size(), took).isLessThan(PROBE_LIMIT.toMillis());
                    millis.add(took);
                    Thread.sleep(50);
                }
                assertThat(millis).as("probes made while every slow connection was held").hasSizeGreaterThanOrEqualTo(20);
                assertThat(halfOpen).allMatch(socket -> !socket.isClosed());
                System.out.printf("HttpSlowClientsIT: %d probes, max %d ms, with %d half-open and %d slow-body "
                        + "connections held%n", millis.size(), millis.stream().mapToLong(Long::longValue).max()
                        .orElse(0), HALF_OPEN, SLOW_BODIES);

                // the server ends them itself: half-open ones closed (EOF), slow bodies answered 408
                for (Socket socket : halfOpen) {
                    assertThat(readAll(socket, Duration.ofSeconds(20))).as("a half-open connection is closed").isEmpty();
                }
                for (Socket socket : slowBodies) {
                    assertThat(readAll(socket, Duration.ofSeconds(20))).startsWith("HTTP/1.1 408");
                }
                assertThat(probe(port)).startsWith("HTTP/1.1 200");
            } finally {
                for (Socket socket : halfOpen) {
                    socket.close();
                }
                for (Socket socket : slowBodies) {
                    socket.close();
                }
            }
        }
    }

    private static Socket open(int port, String partialRequest) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        OutputStream out = socket.getOutputStream();
        out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** One GET /health/live on a new connection; the whole answer. */
    private static String probe(int port) throws IOException {
        try (Socket socket = open(port, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
            return readAll(socket, Duration.ofSeconds(5));
        }
    }

    /** Everything until the server closes, or throws when it does not within {@code timeout}. */
    private static String readAll(Socket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        InputStream in = socket.getInputStream();
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                text.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + timeout + "; read: " + text);
        }
        return text.toString();
    }
}

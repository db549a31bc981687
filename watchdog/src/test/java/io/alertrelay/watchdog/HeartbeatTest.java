package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.watchdog.Heartbeat.Ping;
import io.alertrelay.watchdog.Heartbeat.Signal;
import io.alertrelay.watchdog.testing.LogCapture;
import io.alertrelay.testing.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class HeartbeatTest {
    private static final String TOKEN = "5f3c9a2e-SECRET-TOKEN-77";

    private final ManualClock clock = ManualClock.at("2026-11-23T12:00:00Z");
    private final AtomicReference<Readiness> canaries = new AtomicReference<>(Readiness.ok());
    private final AtomicInteger status = new AtomicInteger(200);
    private MockWebServer server;
    private LogCapture logs;

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setResponseCode(status.get()).setBody("OK");
            }
        });
        server.start();
        logs = LogCapture.of(Heartbeat.class);
    }

    @AfterEach
    void stopServer() throws IOException {
        logs.close();
        server.shutdown();
    }

    private URI url() {
        return server.url("/ping/" + TOKEN).uri();
    }

    private Heartbeat heartbeat() {
        return new Heartbeat(url(), Duration.ofSeconds(30), Duration.ofSeconds(30), canaries::get, clock);
    }

    /**
     * The next recorded request's path. tick() returns after the response, and MockWebServer records a request before
     * answering it, so it is already there: poll without waiting (a missing ping fails instead of hanging).
     */
    private String nextPath() throws InterruptedException {
        RecordedRequest request = server.takeRequest(0, TimeUnit.SECONDS);
        assertThat(request).as("a recorded ping").isNotNull();
        return request.getPath();
    }

    @Test
    void pingsTheUrlEveryIntervalWhileTheLoopPasses() throws Exception {
        Heartbeat heartbeat = heartbeat();

        Optional<Ping> first = heartbeat.tick();
        assertThat(first).hasValueSatisfying(ping -> {
            assertThat(ping.signal()).isEqualTo(Signal.SUCCESS);
            assertThat(ping.delivered()).isTrue();
            assertThat(ping.outcome()).isEqualTo("HTTP 200");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
        RecordedRequest request = server.takeRequest(0, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getPath()).isEqualTo("/ping/" + TOKEN);
        assertThat(request.getHeader("User-Agent")).isEqualTo("alert-relay-watchdog");

        clock.advance(Duration.ofSeconds(29));
        assertThat(heartbeat.tick()).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(heartbeat.tick()).isPresent();
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN);
        assertThat(heartbeat.successSignals()).isEqualTo(2);
        assertThat(logs.lines()).containsExactly("INFO heartbeat ping ok", "DEBUG heartbeat ping ok");
    }

    @Test
    void sendsTheFailSignalWhileCanariesDoNotComeBack() throws Exception {
        Heartbeat heartbeat = heartbeat();
        heartbeat.tick();
        nextPath();

        canaries.set(Readiness.notReady("last canary on 10.0.0.5:6379 was received 45.00 s ago (limit 30s)"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(heartbeat.tick()).hasValueSatisfying(ping -> {
            assertThat(ping.signal()).isEqualTo(Signal.FAIL);
            assertThat(ping.delivered()).isTrue();
            assertThat(ping.reasons()).containsExactly("last canary on 10.0.0.5:6379 was received 45.00 s ago (limit 30s)");
        });
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN + "/fail");
        assertThat(heartbeat.failSignals()).isEqualTo(1);

        canaries.set(Readiness.ok());
        clock.advance(Duration.ofSeconds(30));
        heartbeat.tick();
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN);
        assertThat(logs.lines()).contains(
                "WARN heartbeat fail signal sent: last canary on 10.0.0.5:6379 was received 45.00 s ago (limit 30s)");
    }

    @Test
    void sendsTheFailSignalWhileASinkIsFailed() throws Exception {
        Heartbeat heartbeat = heartbeat();
        heartbeat.tick();
        nextPath();
        heartbeat.sinkFailed("ops-mail");
        assertThat(heartbeat.loopCheck().reasons()).containsExactly("sink ops-mail reported FAILED");
        clock.advance(Duration.ofSeconds(30));
        heartbeat.tick();
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN + "/fail");

        heartbeat.sinkRecovered("ops-mail");
        clock.advance(Duration.ofSeconds(30));
        heartbeat.tick();
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN);
    }

    @Test
    void staysSilentDuringStartUpGraceUntilTheLoopFirstPasses() throws Exception {
        canaries.set(Readiness.notReady("no canary received on 10.0.0.5:6379 yet"));
        Heartbeat heartbeat = heartbeat();
        assertThat(heartbeat.tick()).isEmpty();
        clock.advance(Duration.ofSeconds(29));
        assertThat(heartbeat.tick()).isEmpty();
        assertThat(server.getRequestCount()).isZero();

        clock.advance(Duration.ofSeconds(1)); // grace over: a relay that never delivered must not look healthy
        assertThat(heartbeat.tick()).hasValueSatisfying(ping -> assertThat(ping.signal()).isEqualTo(Signal.FAIL));
        assertThat(nextPath()).isEqualTo("/ping/" + TOKEN + "/fail");
    }

    @Test
    void theGraceEndsOnceTheLoopHasPassed() throws Exception {
        Heartbeat heartbeat = new Heartbeat(url(), Duration.ofSeconds(30), Duration.ofMinutes(5), canaries::get, clock);
        heartbeat.tick();
        nextPath();
        canaries.set(Readiness.notReady("no canary"));
        clock.advance(Duration.ofSeconds(30)); // well inside the 5 minutes of grace, but the loop has passed once
        heartbeat.tick();
        assertThat(nextPath()).endsWith("/fail");
    }

    @Test
    void aServerErrorIsLoggedWithItsStatusAndNeverTheUrl() throws Exception {
        status.set(500);
        Heartbeat heartbeat = heartbeat();
        assertThat(heartbeat.tick()).hasValueSatisfying(ping -> {
            assertThat(ping.delivered()).isFalse();
            assertThat(ping.outcome()).isEqualTo("HTTP 500");
        });
        clock.advance(Duration.ofSeconds(30));
        heartbeat.tick();
        assertThat(logs.lines()).containsExactly("WARN heartbeat ping failed: HTTP 500", "DEBUG heartbeat ping failed: HTTP 500");
        assertThat(heartbeat.pingErrors()).isEqualTo(2);
        assertNoLeak(heartbeat);
    }

    @Test
    void anUnreachableServiceIsLoggedByExceptionClassOnly() throws Exception {
        Heartbeat heartbeat = heartbeat();
        server.shutdown();
        Ping ping = heartbeat.pingNow();
        assertThat(ping.delivered()).isFalse();
        assertThat(ping.outcome()).matches("[A-Za-z]+Exception");
        assertThat(logs.lines()).containsExactly("WARN heartbeat ping failed: " + ping.outcome());
        assertNoLeak(heartbeat);
    }

    @Test
    void theFailUrlKeepsTheQueryAndDoesNotDoubleASlash() {
        assertThat(Heartbeat.failUrl(URI.create("https://hc-ping.com/abc/"))).isEqualTo(URI.create("https://hc-ping.com/abc/fail"));
        assertThat(Heartbeat.failUrl(URI.create("https://hc-ping.com/abc?rid=1"))).isEqualTo(
                URI.create("https://hc-ping.com/abc/fail?rid=1"));
        assertThat(Heartbeat.failUrl(URI.create("http://user:pw@host:8080"))).isEqualTo(URI.create("http://user:pw@host:8080/fail"));
    }

    @Test
    void refusesANonHttpUrlWithoutShowingIt() {
        assertThatThrownBy(() -> new Heartbeat(URI.create("ftp://host/" + TOKEN), Duration.ofSeconds(30),
                Duration.ofSeconds(30), canaries::get, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(TOKEN);
    }

    @Test
    void isBuiltFromTheConfigOnlyWhenAUrlIsSet() {
        assertThat(Heartbeat.fromConfig(WatchdogConfig.defaults(), canaries::get, clock)).isEmpty();
    }

    private void assertNoLeak(Heartbeat heartbeat) {
        List<String> lines = logs.lines();
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(TOKEN).doesNotContain("/ping/"));
        assertThat(heartbeat.status().toString()).doesNotContain(TOKEN);
        try {
            assertThat(WatchdogJson.mapper().writeValueAsString(heartbeat.status())).doesNotContain(TOKEN);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

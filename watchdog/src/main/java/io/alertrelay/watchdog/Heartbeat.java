package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead man's switch, made conditional (field notes 6b.4): every {@code watchdog.heartbeat-interval} it GETs
 * {@code <heartbeat-url>} only if the relay's loop passes (a canary came back within {@code ready-canary-age} on the
 * master, and no sink reported FAILED), and {@code <heartbeat-url>/fail} otherwise (the healthchecks.io convention:
 * the check goes down at once instead of waiting out its grace period). If the relay dies, nothing is sent and the
 * service's own timeout fires. So the external check measures delivery, not process liveness.
 *
 * <p>Start-up grace: until the loop first passes, and for at most {@code startupGrace} after construction, a failing
 * loop sends nothing (the first canary needs a moment), so a restart does not page anyone.
 *
 * <p>The URL carries the check's token: it is never logged, shown in {@link #status()} or put in an exception message;
 * logs say {@code heartbeat ping ok}, {@code heartbeat ping failed: HTTP 500} or the exception's class only. HTTP uses
 * {@link HttpClient} with {@value #TIMEOUT_SECONDS} s connect and request timeouts; 2xx is success.
 *
 * <p>The app calls {@link #tick()} on its own thread (a ping blocks for up to the timeouts), every second or so; tests
 * call it with a manual clock. {@link #sinkFailed}/{@link #sinkRecovered} come from the pipeline's sink workers.
 */
public final class Heartbeat {
    static final int TIMEOUT_SECONDS = 5;
    /** Connect and request timeout of each ping. */
    public static final Duration HTTP_TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final URI successUrl;
    private final URI failUrl;
    private final Duration interval;
    private final ReadinessCheck canaryCheck;
    private final Clock clock;
    private final HttpClient client;
    private final Instant graceUntil;

    // guarded by this
    private final Set<String> failedSinks = new LinkedHashSet<>();
    private Instant nextPingAt;
    private boolean everPassed;
    private boolean graceLogged;
    private Ping lastPing;
    private long successSignals;
    private long failSignals;
    private long pingErrors;

    /** What the heartbeat told the service. */
    public enum Signal { SUCCESS, FAIL }

    /**
     * One ping.
     *
     * @param delivered whether the service answered 2xx
     * @param outcome   {@code HTTP 200}, or the exception's simple class name
     * @param reasons   why the loop failed (empty for {@link Signal#SUCCESS})
     */
    public record Ping(Instant at, Signal signal, boolean delivered, String outcome, List<String> reasons) {}

    /** For {@code /status}; holds nothing of the URL. */
    public record HeartbeatStatus(Duration interval, Optional<Ping> lastPing, Optional<Instant> nextPingAt,
                                  List<String> failedSinks, long successSignals, long failSignals, long pingErrors) {}

    public Heartbeat(URI url, Duration interval, Duration startupGrace, ReadinessCheck canaryCheck, Clock clock) {
        this(url, interval, startupGrace, canaryCheck, clock,
                HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    /**
     * @param url          the service's ping URL; {@code /fail} is appended to its path for the fail signal
     * @param startupGrace how long after construction a failing loop may stay silent (use {@code ready-canary-age})
     * @param canaryCheck  whether canaries come back ({@code CanaryMonitor::readiness})
     */
    public Heartbeat(URI url, Duration interval, Duration startupGrace, ReadinessCheck canaryCheck, Clock clock,
                     HttpClient client) {
        requireNonNull(url, "url is null");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("the heartbeat URL must be an http or https URL with a host (not shown: sensitive)");
        }
        this.successUrl = url;
        this.failUrl = failUrl(url);
        this.interval = requireNonNull(interval, "interval is null");
        this.canaryCheck = requireNonNull(canaryCheck, "canaryCheck is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.client = requireNonNull(client, "client is null");
        this.graceUntil = clock.instant().plus(requireNonNull(startupGrace, "startupGrace is null"));
    }

    /** From the config; empty when {@code watchdog.heartbeat-url} is not set. */
    public static Optional<Heartbeat> fromConfig(WatchdogConfig config, ReadinessCheck canaryCheck, Clock clock) {
        return config.heartbeatUrl().map(url ->
                new Heartbeat(url, config.heartbeatInterval(), config.readyCanaryAge(), canaryCheck, clock));
    }

    /** A sink reported FAILED: the heartbeat sends the fail signal until every failed sink has recovered. */
    public void sinkFailed(String sinkId) {
        synchronized (this) {
            if (failedSinks.add(sinkId)) {
                log.info("heartbeat: sink {} reported FAILED; sending the fail signal until it recovers", sinkId);
            }
        }
    }

    public void sinkRecovered(String sinkId) {
        synchronized (this) {
            if (failedSinks.remove(sinkId)) {
                log.info("heartbeat: sink {} recovered", sinkId);
            }
        }
    }

    /** Whether the loop passes now: the canary check, and no sink FAILED. */
    public Readiness loopCheck() {
        Readiness canaries;
        try {
            canaries = canaryCheck.check();
        } catch (RuntimeException e) {
            canaries = Readiness.notReady("canary check failed: " + e.getClass().getSimpleName());
        }
        List<String> sinks;
        synchronized (this) {
            sinks = new ArrayList<>(failedSinks);
        }
        Readiness result = canaries;
        for (String sink : sinks) {
            result = result.and(Readiness.notReady("sink " + sink + " reported FAILED"));
        }
        return result;
    }

    /** Pings if one is due (see the class comment for the start-up grace); blocks for the HTTP call. Never throws. */
    public Optional<Ping> tick() {
        Instant now = clock.instant();
        Readiness loop;
        synchronized (this) {
            if (nextPingAt != null && now.isBefore(nextPingAt)) {
                return Optional.empty();
            }
            loop = loopCheck();
            if (loop.ready()) {
                everPassed = true;
            } else if (!everPassed && now.isBefore(graceUntil)) {
                if (!graceLogged) {
                    graceLogged = true;
                    log.info("heartbeat: start-up grace; no ping until the loop passes ({})", String.join("; ", loop.reasons()));
                }
                return Optional.empty();
            }
            nextPingAt = now.plus(interval);
        }
        return Optional.of(send(loop, now));
    }

    /** Pings now, whatever the schedule (the success URL if the loop passes, {@code /fail} otherwise). */
    public Ping pingNow() {
        Readiness loop = loopCheck();
        synchronized (this) {
            everPassed |= loop.ready();
        }
        return send(loop, clock.instant());
    }

    public synchronized HeartbeatStatus status() {
        return new HeartbeatStatus(interval, Optional.ofNullable(lastPing), Optional.ofNullable(nextPingAt),
                List.copyOf(failedSinks), successSignals, failSignals, pingErrors);
    }

    /** Metric: success pings the service accepted. */
    public synchronized long successSignals() {
        return successSignals;
    }

    /** Metric: fail signals the service accepted. */
    public synchronized long failSignals() {
        return failSignals;
    }

    /** Metric: pings that got no 2xx. */
    public synchronized long pingErrors() {
        return pingErrors;
    }

    private Ping send(Readiness loop, Instant at) {
        Signal signal = loop.ready() ? Signal.SUCCESS : Signal.FAIL;
        HttpRequest request = HttpRequest.newBuilder(signal == Signal.SUCCESS ? successUrl : failUrl)
                .timeout(HTTP_TIMEOUT)
                .header("User-Agent", "alert-relay-watchdog")
                .GET()
                .build();
        boolean delivered;
        String outcome;
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            delivered = response.statusCode() / 100 == 2;
            outcome = "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            delivered = false;
            outcome = e.getClass().getSimpleName();
        } catch (IOException | RuntimeException e) {
            // only the class: messages of I/O exceptions may name the host or the URL
            delivered = false;
            outcome = e.getClass().getSimpleName();
        }
        Ping ping = new Ping(at, signal, delivered, outcome, loop.reasons());
        record(ping);
        return ping;
    }

    private synchronized void record(Ping ping) {
        boolean changed = lastPing == null || lastPing.signal() != ping.signal() || lastPing.delivered() != ping.delivered()
                || !lastPing.outcome().equals(ping.outcome());
        if (!ping.delivered()) {
            pingErrors++;
            String what = ping.signal() == Signal.FAIL ? " (fail signal)" : "";
            if (changed) {
                log.warn("heartbeat ping failed: {}{}", ping.outcome(), what);
            } else {
                log.debug("heartbeat ping failed: {}{}", ping.outcome(), what);
            }
        } else if (ping.signal() == Signal.SUCCESS) {
            successSignals++;
            if (changed) {
                log.info("heartbeat ping ok");
            } else {
                log.debug("heartbeat ping ok");
            }
        } else {
            failSignals++;
            if (changed || !lastPing.reasons().equals(ping.reasons())) {
                log.warn("heartbeat fail signal sent: {}", String.join("; ", ping.reasons()));
            } else {
                log.debug("heartbeat fail signal sent: {}", String.join("; ", ping.reasons()));
            }
        }
        lastPing = ping;
    }

    /** {@code <url>/fail}, keeping the query; a trailing slash of the path is not doubled. */
    static URI failUrl(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        StringBuilder fail = new StringBuilder()
                .append(url.getScheme()).append("://").append(url.getRawAuthority()).append(path).append("/fail");
        if (url.getRawQuery() != null) {
            fail.append('?').append(url.getRawQuery());
        }
        try {
            return URI.create(fail.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the heartbeat URL cannot take /fail (not shown: sensitive)");
        }
    }
}

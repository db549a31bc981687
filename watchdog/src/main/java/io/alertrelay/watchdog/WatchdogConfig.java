package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Subscription;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The watchdog's settings: the {@code watchdog} section (canary, heartbeat, health route, readiness) and the
 * {@code http} section (the health/metrics/status endpoints). See {@code docs/watchdog.md} for every key.
 *
 * <p>{@link #from} never reads {@code watchdog.streams}, {@code watchdog.absence}, {@code watchdog.anomaly} or
 * {@code watchdog.expect}: those belong to {@code io.alertrelay.watchdog.streams.StreamWatchConfig}, which the app
 * reads from the same section.
 *
 * @param canary            {@code watchdog.canary.*}
 * @param heartbeatUrl      {@code watchdog.heartbeat-url}: the dead man's switch (healthchecks.io style). Sensitive:
 *                          such URLs carry a token, so {@link #toString()} masks it and nothing logs it
 * @param heartbeatInterval {@code watchdog.heartbeat-interval}, default 30s
 * @param healthRoute       {@code watchdog.health-route}: sink ids for alerts about the relay itself; empty (the default)
 *                          means every configured sink
 * @param readyCanaryAge    {@code watchdog.ready-canary-age}: readiness and the heartbeat need a canary this recent;
 *                          default 3 × canary interval (at least interval + timeout)
 * @param http              {@code http.*}
 */
public record WatchdogConfig(
        Canary canary,
        Optional<URI> heartbeatUrl,
        Duration heartbeatInterval,
        List<String> healthRoute,
        Duration readyCanaryAge,
        Http http) {

    public static final Duration DEFAULT_CANARY_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CANARY_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration MIN_CANARY_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_HTTP_PORT = 9464;
    /** {@code http.token}: the shortest token accepted (a guessable token is no protection). */
    public static final int MIN_HTTP_TOKEN_LENGTH = 16;
    public static final String DEFAULT_HTTP_BIND = "127.0.0.1";

    /** Full key of the canary channel, as used in problems about it. */
    public static final String CANARY_CHANNEL_KEY = "watchdog.canary.channel";

    public WatchdogConfig {
        requireNonNull(canary, "canary is null");
        requireNonNull(heartbeatUrl, "heartbeatUrl is null");
        requireNonNull(heartbeatInterval, "heartbeatInterval is null");
        healthRoute = List.copyOf(healthRoute);
        requireNonNull(readyCanaryAge, "readyCanaryAge is null");
        requireNonNull(http, "http is null");
    }

    /**
     * {@code watchdog.canary.*}.
     *
     * @param interval how often a canary is published, default 10s
     * @param timeout  how long a canary may take to come back before it counts as missed, default 3s
     * @param channel  the channel to publish on; empty (the default) derives one channel per subscription (see
     *                 {@link CanaryTarget#resolve})
     */
    public record Canary(Duration interval, Duration timeout, Optional<String> channel) {
        public Canary {
            requireNonNull(interval, "interval is null");
            requireNonNull(timeout, "timeout is null");
            requireNonNull(channel, "channel is null");
        }

        /** Where canaries go for these subscriptions; throws with {@value #CANARY_CHANNEL_KEY} problems. */
        public List<CanaryTarget> targets(Collection<Subscription> subscriptions) {
            return CanaryTarget.resolve(channel, subscriptions);
        }
    }

    /**
     * {@code http.*}: {@code /health/live}, {@code /health/ready}, {@code /metrics}, {@code /status}.
     *
     * @param enabled {@code http.enabled}, default true
     * @param bind    {@code http.bind}, default {@value #DEFAULT_HTTP_BIND} (loopback: {@code /status} shows topology;
     *                set {@code 0.0.0.0} in a container so probes and Prometheus can reach it)
     * @param port    {@code http.port}, default {@value #DEFAULT_HTTP_PORT}; 0 = any free port
     * @param token   {@code http.token}, sensitive, default none: when set, a request that changes state (any method but
     *                GET, HEAD, OPTIONS) needs {@code Authorization: Bearer <token>}; when {@code bind} is not a loopback
     *                address such requests are refused without it (docs/http.md)
     */
    public record Http(boolean enabled, String bind, int port, Optional<String> token) {
        public Http {
            requireNonNull(bind, "bind is null");
            requireNonNull(token, "token is null");
        }

        /** Without a token. */
        public Http(boolean enabled, String bind, int port) {
            this(enabled, bind, port, Optional.empty());
        }

        /** Masks {@link #token()}. */
        @Override
        public String toString() {
            return "Http[enabled=" + enabled + ", bind=" + bind + ", port=" + port + ", token="
                    + token.map(value -> "(set, not shown: sensitive)").orElse("(none)") + "]";
        }
    }

    /** Every default, as if both sections were absent. */
    public static WatchdogConfig defaults() {
        return new WatchdogConfig(
                new Canary(DEFAULT_CANARY_INTERVAL, DEFAULT_CANARY_TIMEOUT, Optional.empty()),
                Optional.empty(), DEFAULT_HEARTBEAT_INTERVAL, List.of(), defaultReadyCanaryAge(DEFAULT_CANARY_INTERVAL,
                DEFAULT_CANARY_TIMEOUT), new Http(true, DEFAULT_HTTP_BIND, DEFAULT_HTTP_PORT));
    }

    /**
     * Reads {@code watchdog.*} (except the stream-watch keys) and {@code http.*} from the root of the configuration,
     * reporting every problem at once under its full key.
     *
     * @throws ConfigurationException with every problem found
     */
    public static WatchdogConfig from(ConfigView root) {
        ConfigBinder top = new ConfigBinder(root);
        ConfigBinder binder = top.section("watchdog");
        ConfigBinder canaryBinder = binder.section("canary");

        Duration interval = canaryBinder.optional("interval", Parsers::duration, DEFAULT_CANARY_INTERVAL);
        Duration timeout = canaryBinder.optional("timeout", Parsers::duration, DEFAULT_CANARY_TIMEOUT);
        Optional<String> channel = canaryBinder.optional("channel", Parsers::string);
        canaryBinder.check(interval.compareTo(MIN_CANARY_INTERVAL) >= 0, "interval", "must be at least 100ms");
        canaryBinder.check(!timeout.isZero(), "timeout", "must be more than 0");

        // blank counts as absent, so `heartbeat-url: ${HEARTBEAT_URL:-}` switches the heartbeat off when unset
        Optional<URI> heartbeatUrl = binder.secret("heartbeat-url",
                value -> value.isBlank() ? null : Parsers.httpUrl(value));
        Duration heartbeatInterval = binder.optional("heartbeat-interval", Parsers::duration, DEFAULT_HEARTBEAT_INTERVAL);
        binder.check(heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) >= 0, "heartbeat-interval", "must be at least 1s");
        List<String> healthRoute = binder.list("health-route", Parsers::string);
        Optional<Duration> readyCanaryAge = binder.optional("ready-canary-age", Parsers::duration);
        Duration minimumAge = interval.plus(timeout);
        readyCanaryAge.ifPresent(age -> binder.check(age.compareTo(minimumAge) >= 0, "ready-canary-age",
                "must be at least watchdog.canary.interval + watchdog.canary.timeout (" + Durations.format(minimumAge)
                        + "), or readiness flaps between canaries"));

        ConfigBinder httpBinder = top.section("http");
        boolean enabled = httpBinder.optional("enabled", Parsers::bool, true);
        String bind = httpBinder.optional("bind", Parsers::string, DEFAULT_HTTP_BIND).trim();
        int port = httpBinder.optional("port", Parsers::integer, DEFAULT_HTTP_PORT);
        httpBinder.check(port >= 0 && port <= 65535, "port", "must be 0-65535 (0 = any free port)");
        // blank counts as absent, so `token: ${RELAY_HTTP_TOKEN:-}` leaves it unset
        Optional<String> token = httpBinder.secret("token", value -> value.isBlank() ? null : value.strip());
        token.ifPresent(value -> httpBinder.check(value.length() >= MIN_HTTP_TOKEN_LENGTH, "token",
                "must be at least " + MIN_HTTP_TOKEN_LENGTH + " characters (value not shown: sensitive)"));
        top.throwIfInvalid();
        return new WatchdogConfig(
                new Canary(interval, timeout, channel),
                heartbeatUrl,
                heartbeatInterval,
                healthRoute,
                readyCanaryAge.orElse(defaultReadyCanaryAge(interval, timeout)),
                new Http(enabled, bind, port, token));
    }

    /**
     * Problems that need the rest of the configuration: the canary channel must match a subscription, and every
     * {@code health-route} entry must name a configured sink. Each problem starts with its full key; empty when fine.
     */
    public List<String> crossCheck(Collection<Subscription> subscriptions, Set<String> sinkIds) {
        List<String> problems = new ArrayList<>();
        try {
            canary.targets(subscriptions);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        for (int i = 0; i < healthRoute.size(); i++) {
            String id = healthRoute.get(i);
            if (!sinkIds.contains(id)) {
                problems.add("watchdog.health-route[" + i + "]: '" + id + "' is not a sink defined under sinks; defined: "
                        + sinkIds);
            }
        }
        return problems;
    }

    /** Masks {@link #heartbeatUrl()}: it carries the check's token. */
    @Override
    public String toString() {
        return "WatchdogConfig[canary=" + canary
                + ", heartbeatUrl=" + heartbeatUrl.map(url -> "(set, not shown: sensitive)").orElse("(none)")
                + ", heartbeatInterval=" + heartbeatInterval
                + ", healthRoute=" + healthRoute
                + ", readyCanaryAge=" + readyCanaryAge
                + ", http=" + http + "]";
    }

    static Duration defaultReadyCanaryAge(Duration interval, Duration timeout) {
        Duration threeIntervals = interval.multipliedBy(3);
        Duration minimum = interval.plus(timeout);
        return threeIntervals.compareTo(minimum) >= 0 ? threeIntervals : minimum;
    }
}

package io.alertrelay.app;

import io.alertrelay.config.ConfigBinder;
import io.alertrelay.config.Parsers;
import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.core.Route;
import io.alertrelay.source.redis.RedisSourceConfig;
import io.alertrelay.source.redis.StreamSubscription;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.Rate;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkState;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Subscription;
import io.alertrelay.watchdog.WatchdogConfig;
import io.alertrelay.watchdog.streams.StreamWatchConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole validated configuration. {@link #parse} reads every section, creates the sinks, and reports every
 * problem of every module at once, each under its full key, before anything connects anywhere.
 *
 * @param maxEventSize    {@code events.max-size}, default 256KiB
 * @param ingestQueue     {@code events.ingest-queue}, default 50000 (1000–1000000): messages read from Redis that may wait
 *                        for the pipeline thread; beyond it they are shed, counted and logged
 * @param shutdownTimeout {@code shutdown.timeout}, default 10s: how long in-flight calls (and a healthy sink's queue)
 *                        may take on SIGTERM; what is left stays in the outbox
 * @param delivery        {@code delivery.*}: the outbox's directory and flush interval, when a sink is DEGRADED
 * @param defaultSinks    {@code default-sinks}: where an alert no route matched goes; empty (the default) = nowhere
 *                        (counted and logged once per channel per hour)
 * @param silences        {@code silences}: from the config, added at every start (see docs/routing.md)
 * @param apiToken        {@code http.token} (sensitive), as {@code watchdog.http().token()}: the bearer token
 *                        {@code /api/silences} requires for every request when set; without it the API answers only
 *                        on a loopback bind
 */
record RelayConfig(
        String origin,
        RedisSourceConfig redis,
        List<Subscription> subscriptions,
        List<SinkInstance> sinks,
        List<Route> routes,
        long maxEventSize,
        int ingestQueue,
        Duration shutdownTimeout,
        WatchdogConfig watchdog,
        StreamWatchConfig streams,
        int sinkFailedAfter,
        Delivery delivery,
        List<String> defaultSinks,
        List<io.alertrelay.core.Silence> silences,
        java.util.Optional<String> apiToken,
        List<String> warnings,
        List<StreamSubscription> streamSubscriptions) {

    @Override
    public String toString() {
        return "RelayConfig[" + origin + "]"; // never the token
    }

    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    static final int DEFAULT_INGEST_QUEUE = 50_000;
    static final int MIN_INGEST_QUEUE = 1_000;
    static final int MAX_INGEST_QUEUE = 1_000_000;

    /**
     * {@code delivery.*}.
     *
     * @param dir           {@code delivery.dir}, default {@code ./alert-relay-data} (under the working directory):
     *                      the outbox; created if missing, locked while the relay runs
     * @param flushInterval {@code delivery.flush-interval}, default 10ms: the longest a notification waits for the
     *                      group commit (one fsync) that makes it durable
     * @param degradedAfter {@code delivery.degraded-after}, default 1m: a sink whose oldest undelivered notification
     *                      is older than this is DEGRADED
     */
    record Delivery(java.nio.file.Path dir, Duration flushInterval, Duration degradedAfter, Claims claims) {
        static final String DEFAULT_DIR = "alert-relay-data";
        static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(10);
        static final Duration MAX_FLUSH_INTERVAL = Duration.ofSeconds(1);
        static final Duration DEFAULT_DEGRADED_AFTER = Duration.ofMinutes(1);

        static Delivery defaults() {
            return new Delivery(java.nio.file.Path.of(DEFAULT_DIR), DEFAULT_FLUSH_INTERVAL, DEFAULT_DEGRADED_AFTER,
                    Claims.defaults());
        }
    }

    /**
     * {@code delivery.claims.*}: several relays on the same patterns deliver each notification once (see
     * docs/durable-delivery.md).
     *
     * @param enabled   default false (one relay); turn on when more than one relay subscribes to the same patterns
     * @param ttl       default 30s: how long a claim outlives a relay that died holding it
     * @param remember  default 24h: how long a delivered notification's key is kept, so a relay that was down that
     *                  long does not deliver it again from its own outbox; should be at least each sink's max-age
     * @param keyPrefix default {@code alert-relay:claim:}
     */
    record Claims(boolean enabled, Duration ttl, Duration remember, String keyPrefix) {
        static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
        static final Duration DEFAULT_REMEMBER = Duration.ofHours(24);
        static final String DEFAULT_KEY_PREFIX = "alert-relay:claim:";

        static Claims defaults() {
            return new Claims(false, DEFAULT_TTL, DEFAULT_REMEMBER, DEFAULT_KEY_PREFIX);
        }
    }

    static RelayConfig parse(ConfigLoader.Loaded loaded, Map<String, SinkFactory> factories, Clock clock) {
        TreeConfigView root = loaded.root();
        List<String> problems = new ArrayList<>(loaded.problems());
        ConfigBinder top = new ConfigBinder(root);

        RedisSourceConfig redis = null;
        try {
            redis = RedisSourceConfig.from(root.section("redis"));
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }

        List<StreamSubscription> streamSubscriptions = new ArrayList<>();
        List<Subscription> subscriptions = subscriptions(root, problems, streamSubscriptions);

        long maxEventSize = EventDecoder.DEFAULT_MAX_SIZE;
        int ingestQueue = DEFAULT_INGEST_QUEUE;
        Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        try {
            ConfigBinder events = new ConfigBinder(root.section("events"));
            maxEventSize = events.optional("max-size", Parsers::dataSize, EventDecoder.DEFAULT_MAX_SIZE);
            events.check(maxEventSize > 0, "max-size", "must be positive");
            ingestQueue = events.optional("ingest-queue", Parsers::integer, DEFAULT_INGEST_QUEUE);
            events.check(ingestQueue >= MIN_INGEST_QUEUE && ingestQueue <= MAX_INGEST_QUEUE, "ingest-queue",
                    "must be between " + MIN_INGEST_QUEUE + " and " + MAX_INGEST_QUEUE);
            problems.addAll(events.problems());
            ConfigBinder shutdown = new ConfigBinder(root.section("shutdown"));
            shutdownTimeout = shutdown.optional("timeout", Parsers::duration, DEFAULT_SHUTDOWN_TIMEOUT);
            problems.addAll(shutdown.problems());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }

        Delivery delivery = Delivery.defaults();
        try {
            ConfigBinder binder = new ConfigBinder(root.section("delivery"));
            String dir = binder.optional("dir", Parsers::string, Delivery.DEFAULT_DIR);
            binder.check(!dir.isBlank(), "dir", "must not be empty");
            Duration flush = binder.optional("flush-interval", Parsers::duration, Delivery.DEFAULT_FLUSH_INTERVAL);
            binder.check(flush.compareTo(Delivery.MAX_FLUSH_INTERVAL) <= 0, "flush-interval",
                    "must be at most 1s (it is how long a notification may wait to become durable)");
            Duration degraded = binder.optional("degraded-after", Parsers::duration, Delivery.DEFAULT_DEGRADED_AFTER);
            binder.check(!degraded.isZero(), "degraded-after", "must be more than 0");
            ConfigBinder claimsBinder = new ConfigBinder(root.section("delivery").section("claims"));
            boolean claimsEnabled = claimsBinder.optional("enabled", Parsers::bool, false);
            Duration ttl = claimsBinder.optional("ttl", Parsers::duration, Claims.DEFAULT_TTL);
            Duration remember = claimsBinder.optional("remember", Parsers::duration, Claims.DEFAULT_REMEMBER);
            String keyPrefix = claimsBinder.optional("key-prefix", Parsers::string, Claims.DEFAULT_KEY_PREFIX);
            claimsBinder.check(ttl.compareTo(Duration.ofSeconds(1)) >= 0, "ttl",
                    "must be at least 1s (longer than a sink call)");
            claimsBinder.check(remember.compareTo(ttl) >= 0, "remember", "must be at least ttl");
            problems.addAll(binder.problems());
            problems.addAll(claimsBinder.problems());
            if (binder.isValid() && claimsBinder.isValid()) {
                delivery = new Delivery(java.nio.file.Path.of(dir), flush, degraded,
                        new Claims(claimsEnabled, ttl, remember, keyPrefix));
            }
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        } catch (java.nio.file.InvalidPathException e) {
            problems.add("delivery.dir: not a valid path: " + e.getReason());
        }

        List<String> deprecations = new ArrayList<>();
        List<SinkInstance> sinks = sinks(root, factories, clock, problems, deprecations);
        Set<String> declaredSinkIds = new LinkedHashSet<>();
        try {
            declaredSinkIds.addAll(root.section("sinks").keys());
        } catch (ConfigurationException e) {
            // already reported by sinks()
        }
        List<Route> routes = routes(root, declaredSinkIds, problems);
        List<String> defaultSinks = List.of();
        List<io.alertrelay.core.Silence> silences = List.of();
        java.util.Optional<String> apiToken = java.util.Optional.empty();
        try {
            defaultSinks = top.list("default-sinks", Parsers::string);
            for (int i = 0; i < defaultSinks.size(); i++) {
                top.check(declaredSinkIds.contains(defaultSinks.get(i)), "default-sinks[" + i + "]",
                        "'" + defaultSinks.get(i) + "' is not a sink defined under sinks; defined: " + declaredSinkIds);
            }
            silences = RoutingConfig.silences(root, problems);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }

        WatchdogConfig watchdog = null;
        try {
            watchdog = WatchdogConfig.from(root);
            problems.addAll(watchdog.crossCheck(subscriptions, declaredSinkIds));
            apiToken = watchdog.http().token(); // http.token guards /api/silences too
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        StreamWatchConfig streams = null;
        int sinkFailedAfter = SinkHealth.DEFAULT_FAILED_AFTER;
        try {
            TreeConfigView watchdogSection = root.section("watchdog");
            streams = StreamWatchConfig.from(watchdogSection);
            ConfigBinder binder = new ConfigBinder(watchdogSection);
            sinkFailedAfter = binder.optional("sink-failed-after", Parsers::positiveInt, SinkHealth.DEFAULT_FAILED_AFTER);
            problems.addAll(binder.problems());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }

        problems.addAll(LoggingConfig.check(root));
        problems.addAll(top.problems());
        problems.addAll(root.unusedKeys());
        if (!problems.isEmpty()) {
            sinks.forEach(instance -> closeQuietly(instance.sink()));
            throw new ConfigurationException(problems);
        }
        List<String> warnings = new ArrayList<>(deprecations);
        warnings.addAll(warnings(watchdog, routes, declaredSinkIds));
        return new RelayConfig(loaded.origin(), redis, subscriptions, sinks, routes, maxEventSize, ingestQueue,
                shutdownTimeout,
                watchdog, streams, sinkFailedAfter, delivery, defaultSinks, silences, apiToken,
                List.copyOf(warnings), List.copyOf(streamSubscriptions));
    }

    /**
     * Advice that does not stop the relay: relay-health alerts should reach people through a sink other than the
     * ones they may be about, so a broken Slack is reported by email and the reverse.
     */
    static List<String> warnings(WatchdogConfig watchdog, List<Route> routes, Set<String> sinkIds) {
        List<String> warnings = new ArrayList<>();
        List<String> healthRoute = watchdog.healthRoute().isEmpty() ? List.copyOf(sinkIds) : watchdog.healthRoute();
        Set<String> customerSinks = new LinkedHashSet<>();
        routes.forEach(route -> customerSinks.addAll(route.sinks()));
        if (healthRoute.size() < 2 && customerSinks.containsAll(healthRoute)) {
            warnings.add("watchdog.health-route: " + healthRoute + " is also the sink alerts go to; if it breaks, "
                    + "nothing reports it. Name a second, independent sink (e.g. email beside Slack).");
        }
        return warnings;
    }

    /** Pub/sub subscriptions (channel, pattern); {@code stream} entries go to {@code streams}. */
    private static List<Subscription> subscriptions(TreeConfigView root, List<String> problems,
            List<StreamSubscription> streams) {
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            if (!root.has("subscriptions")) {
                problems.add("subscriptions: at least one channel or pattern is required (e.g. - pattern: \"alerts:*\")");
                return subscriptions;
            }
            for (TreeConfigView entry : root.sectionList("subscriptions")) {
                if (entry.has("stream")) {
                    if (entry.has("pattern") || entry.has("channel")) {
                        problems.add(entry.prefix() + ": needs exactly one of pattern, channel or stream");
                        continue;
                    }
                    try {
                        streams.add(StreamSubscription.from(entry));
                    } catch (ConfigurationException e) {
                        problems.addAll(e.problems());
                    }
                    continue;
                }
                ConfigBinder binder = new ConfigBinder(entry);
                var pattern = binder.optional("pattern", Parsers::string);
                var channel = binder.optional("channel", Parsers::string);
                problems.addAll(binder.problems());
                if (pattern.isPresent() == channel.isPresent()) {
                    problems.add(entry.prefix() + ": needs exactly one of pattern or channel");
                } else {
                    subscriptions.add(pattern.map(Subscription::pattern).orElseGet(() -> Subscription.channel(channel.get())));
                }
            }
            if (subscriptions.isEmpty() && streams.isEmpty() && problems.isEmpty()) {
                problems.add("subscriptions: at least one channel or pattern is required (or a stream)");
            }
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        return subscriptions;
    }

    private static List<SinkInstance> sinks(TreeConfigView root, Map<String, SinkFactory> factories, Clock clock,
                                            List<String> problems, List<String> deprecations) {
        List<SinkInstance> sinks = new ArrayList<>();
        TreeConfigView section;
        try {
            section = root.section("sinks");
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return sinks;
        }
        if (section.keys().isEmpty()) {
            problems.add("sinks: at least one sink is required (e.g. sinks.console.type: console)");
            return sinks;
        }
        for (String id : section.keys()) {
            TreeConfigView view;
            try {
                view = section.section(id);
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
                continue;
            }
            ConfigBinder binder = new ConfigBinder(view);
            String type = binder.optional("type", Parsers::string).orElse(null);
            DeliveryPolicy policy = deliveryPolicy(view, problems, deprecations);
            Optional<Optional<Rate>> rate = rate(view, problems);
            problems.addAll(binder.problems());
            if (type == null) {
                if (binder.isValid()) {
                    problems.add(view.fullKey("type") + ": is required; available: " + factories.keySet());
                }
                view.markUsed("");
                continue;
            }
            SinkFactory factory = factories.get(type);
            if (factory == null) {
                problems.add(view.fullKey("type") + ": '" + type + "' is not a registered sink type; available: "
                        + factories.keySet());
                markAllUsed(view);
                continue;
            }
            BoundSinkState state = new BoundSinkState();
            try {
                Sink sink = factory.create(view, new SinkContext() {
                    @Override
                    public String instanceName() {
                        return id;
                    }

                    @Override
                    public Clock clock() {
                        return clock;
                    }

                    @Override
                    public SinkState state() {
                        return state;
                    }
                });
                if (policy != null && rate != null) {
                    sinks.add(new SinkInstance(id, type, sink, policy, rate.orElseGet(sink::defaultRate), state));
                } else {
                    closeQuietly(sink);
                }
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            } catch (RuntimeException e) {
                problems.add(view.prefix() + ": sink type '" + type + "' failed to start: " + e.getClass().getSimpleName());
            }
        }
        return sinks;
    }

    /**
     * {@code sinks.<id>.rate}: {@code { per-second: 1, burst: 3 }} (burst defaults to 1) or {@code unlimited}.
     * Empty when not configured (the sink's default applies); empty inside for unlimited; null when invalid.
     */
    private static Optional<Optional<Rate>> rate(TreeConfigView sinkView, List<String> problems) {
        if (!sinkView.has("rate")) {
            return Optional.empty();
        }
        TreeConfigView section;
        try {
            section = sinkView.section("rate");
        } catch (ConfigurationException notASection) {
            String value = sinkView.get("rate").orElse("");
            if (value.equals("unlimited")) {
                return Optional.of(Optional.empty());
            }
            problems.add(sinkView.fullKey("rate") + ": must be 'unlimited' or a section such as "
                    + "{ per-second: 1, burst: 3 }, not '" + value + "'");
            return null;
        }
        ConfigBinder binder = new ConfigBinder(section);
        Double perSecond = binder.required("per-second", Parsers::number);
        int burst = binder.optional("burst", Parsers::positiveInt, 1);
        if (perSecond != null) {
            binder.check(perSecond > 0 && !perSecond.isInfinite(), "per-second",
                    "must be more than 0 (for no limit write rate: unlimited)");
        }
        problems.addAll(binder.problems());
        return binder.isValid() ? Optional.of(Optional.of(new Rate(perSecond, burst))) : null;
    }

    private static void markAllUsed(TreeConfigView view) {
        for (String key : view.keys()) {
            view.markUsed(key);
        }
    }

    /**
     * {@code sinks.<id>.delivery.*}: the pipeline's memory bound and retry schedule for this sink. {@code max-attempts}
     * is still read (configurations that set it keep starting) but ignored with a warning: notifications are retried
     * by age ({@code max-age}) now, not by count.
     */
    private static DeliveryPolicy deliveryPolicy(TreeConfigView sinkView, List<String> problems,
                                                 List<String> deprecations) {
        try {
            TreeConfigView section = sinkView.section("delivery");
            ConfigBinder delivery = new ConfigBinder(section);
            int capacity = delivery.optional("queue-capacity", Parsers::positiveInt, DeliveryPolicy.DEFAULT_QUEUE_CAPACITY);
            delivery.optional("max-attempts", Parsers::positiveInt).ifPresent(attempts -> deprecations.add(
                    section.fullKey("max-attempts") + ": deprecated and ignored: a notification is retried until it is "
                    + "delivered, rejected, or older than " + section.fullKey("max-age") + " (default 24h); "
                    + "remove max-attempts, and set max-age to bound retries"));
            Duration initial = delivery.optional("initial-backoff", Parsers::duration, DeliveryPolicy.DEFAULT_INITIAL_BACKOFF);
            Duration max = delivery.optional("max-backoff", Parsers::duration, DeliveryPolicy.DEFAULT_MAX_BACKOFF);
            Duration maxRetryAfter = delivery.optional("max-retry-after", Parsers::duration,
                    DeliveryPolicy.DEFAULT_MAX_RETRY_AFTER);
            Duration maxAge = delivery.optional("max-age", Parsers::duration, DeliveryPolicy.DEFAULT_MAX_AGE);
            delivery.check(!initial.isZero(), "initial-backoff", "must be more than 0");
            delivery.check(max.compareTo(initial) >= 0, "max-backoff", "must be at least initial-backoff");
            delivery.check(!maxAge.isZero(), "max-age", "must be more than 0");
            problems.addAll(delivery.problems());
            return delivery.isValid() ? new DeliveryPolicy(capacity, initial, max, maxRetryAfter, maxAge) : null;
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    private static List<Route> routes(TreeConfigView root, Set<String> sinkIds, List<String> problems) {
        List<Route> routes = new ArrayList<>();
        try {
            if (!root.has("routes")) {
                if (!sinkIds.isEmpty()) {
                    routes.add(Route.toAll(List.copyOf(sinkIds)));
                }
                return routes;
            }
            for (TreeConfigView entry : root.sectionList("routes")) {
                ConfigBinder binder = new ConfigBinder(entry);
                List<String> sinks = binder.list("sinks", Parsers::string);
                binder.check(!sinks.isEmpty(), "sinks", "is required (a list of sink ids from the sinks section)");
                for (String sink : sinks) {
                    binder.check(sinkIds.contains(sink), "sinks",
                            "'" + sink + "' is not a sink defined under sinks; defined: " + sinkIds);
                }
                TreeConfigView match = entry.section("match");
                ConfigBinder matchBinder = new ConfigBinder(match);
                List<String> channels = matchBinder.list("channel", Parsers::string);
                List<Severity> severities = matchBinder.list("severity", value -> Severity.fromWireName(value)
                        .orElseThrow(() -> new IllegalArgumentException("is not one of [critical, error, warning, info]")));
                Map<String, String> labels = new LinkedHashMap<>();
                TreeConfigView labelView = match.section("labels");
                ConfigBinder labelBinder = new ConfigBinder(labelView);
                for (String key : labelView.keys()) {
                    labelBinder.optional(key, Parsers::string).ifPresent(value -> labels.put(key, value));
                }
                boolean canaries = binder.optional("canaries", Parsers::bool, false);
                List<io.alertrelay.core.Matcher> matchers = new ArrayList<>(
                        matchBinder.list("matchers", io.alertrelay.core.Matcher::parse));
                matchers.addAll(binder.list("matchers", io.alertrelay.core.Matcher::parse));
                java.util.Optional<Boolean> continueMatching = binder.optional("continue", Parsers::bool);
                io.alertrelay.core.Grouping grouping = RoutingConfig.grouping(entry, binder);
                problems.addAll(binder.problems());
                problems.addAll(matchBinder.problems());
                problems.addAll(labelBinder.problems());
                if (binder.isValid() && matchBinder.isValid() && labelBinder.isValid()) {
                    routes.add(new Route(sinks, channels,
                            severities.isEmpty() ? Set.of() : EnumSet.copyOf(severities), labels, canaries, matchers,
                            continueMatching, grouping));
                }
            }
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        return routes;
    }

    private static void closeQuietly(Sink sink) {
        try {
            sink.close();
        } catch (RuntimeException ignored) {
            // config failed anyway; the config problems are what the user needs to see
        }
    }
}

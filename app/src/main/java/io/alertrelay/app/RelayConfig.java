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
 * The whole validated configuration. {@link #parse} reads every section, has each sink's factory validate its keys,
 * and reports every problem of every module at once, each under its full key, before anything connects anywhere. It
 * holds no live resources: {@link #createSinks} makes the sinks once the configuration is accepted.
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
 * @param httpToken       {@code http.token} (sensitive), as {@code watchdog.http().token()}: required by every request
 *                        that changes state ({@code POST /-/reload}, dead letters) and by every {@code /api/silences}
 *                        request when set; without it those answer only on a loopback bind
 * @param hash            the first 12 hex digits of the SHA-256 of the config file's text: which config is live
 * @param effective       every key read, with its value or default, sensitive values masked
 * @param streamSubscriptions {@code subscriptions[i].stream}: Redis Streams read in a consumer group
 */
record RelayConfig(
        String origin,
        RedisSourceConfig redis,
        List<Subscription> subscriptions,
        List<SinkSpec> sinks,
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
        Optional<String> httpToken,
        String hash,
        Map<String, String> effective,
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
        static final Duration MAX_DEGRADED_AFTER = Duration.ofDays(7);

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
        static final Duration MAX_TTL = Duration.ofHours(1);
        static final Duration MAX_REMEMBER = Duration.ofDays(30);

        static Claims defaults() {
            return new Claims(false, DEFAULT_TTL, DEFAULT_REMEMBER, DEFAULT_KEY_PREFIX);
        }
    }

    static final long MIN_MAX_EVENT_SIZE = 1024;
    static final long MAX_MAX_EVENT_SIZE = 64L * 1024 * 1024;
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofHours(1);
    static final int MAX_QUEUE_CAPACITY = 1_000_000;
    static final int MAX_SINK_FAILED_AFTER = 1_000;

    /**
     * Reads and checks every section, validating each sink through its factory without creating it, and reports every
     * problem of every module at once, each under its full key. Creates nothing that holds resources: sinks are made
     * from the parsed configuration by {@link #createSinks}.
     */
    static RelayConfig parse(ConfigLoader.Loaded loaded, Map<String, SinkFactory> factories, Clock clock) {
        TreeConfigView root = loaded.root();
        List<String> problems = new ArrayList<>(loaded.problems());
        ConfigBinder top = new ConfigBinder(root);

        RedisSourceConfig redis = null;
        ConfigBinder redisSection = top.section("redis");
        try {
            redis = RedisSourceConfig.from(redisSection.view());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }

        List<StreamSubscription> streamSubscriptions = new ArrayList<>();
        List<Subscription> subscriptions = subscriptions(top, streamSubscriptions);

        ConfigBinder events = top.section("events");
        long maxEventSize = events.optional("max-size", Parsers.dataSize(MIN_MAX_EVENT_SIZE, MAX_MAX_EVENT_SIZE),
                EventDecoder.DEFAULT_MAX_SIZE);
        int ingestQueue = events.optional("ingest-queue", Parsers.integer(MIN_INGEST_QUEUE, MAX_INGEST_QUEUE),
                DEFAULT_INGEST_QUEUE);
        Duration shutdownTimeout = top.section("shutdown").optional("timeout",
                Parsers.duration(Duration.ZERO, MAX_SHUTDOWN_TIMEOUT), DEFAULT_SHUTDOWN_TIMEOUT);

        Delivery delivery = Delivery.defaults();
        ConfigBinder binder = top.section("delivery");
        String dir = binder.optional("dir", Parsers::string, Delivery.DEFAULT_DIR);
        Duration flush = binder.optional("flush-interval", Parsers::duration, Delivery.DEFAULT_FLUSH_INTERVAL);
        binder.check(flush.compareTo(Delivery.MAX_FLUSH_INTERVAL) <= 0, "flush-interval",
                "must be at most 1s (it is how long a notification may wait to become durable)");
        Duration degraded = binder.optional("degraded-after", Parsers::duration, Delivery.DEFAULT_DEGRADED_AFTER);
        binder.check(!degraded.isZero(), "degraded-after", "must be more than 0");
        atMost(binder, "degraded-after", degraded, Delivery.MAX_DEGRADED_AFTER);
        ConfigBinder claimsBinder = binder.section("claims");
        boolean claimsEnabled = claimsBinder.optional("enabled", Parsers::bool, false);
        Duration ttl = claimsBinder.optional("ttl", Parsers::duration, Claims.DEFAULT_TTL);
        Duration remember = claimsBinder.optional("remember", Parsers::duration, Claims.DEFAULT_REMEMBER);
        String keyPrefix = claimsBinder.optional("key-prefix", Parsers::string, Claims.DEFAULT_KEY_PREFIX);
        claimsBinder.check(ttl.compareTo(Duration.ofSeconds(1)) >= 0, "ttl",
                "must be at least 1s (longer than a sink call)");
        atMost(claimsBinder, "ttl", ttl, Claims.MAX_TTL);
        claimsBinder.check(remember.compareTo(ttl) >= 0, "remember", "must be at least ttl");
        atMost(claimsBinder, "remember", remember, Claims.MAX_REMEMBER);
        try {
            delivery = new Delivery(java.nio.file.Path.of(dir), flush, degraded,
                    new Claims(claimsEnabled, ttl, remember, keyPrefix));
        } catch (java.nio.file.InvalidPathException e) {
            binder.problem("dir", "not a valid path: " + e.getReason());
        }

        List<String> deprecations = new ArrayList<>();
        List<SinkSpec> sinks = sinks(top, factories, clock, deprecations);
        Set<String> declaredSinkIds = new LinkedHashSet<>(top.section("sinks").keys());
        List<Route> routes = routes(top, declaredSinkIds);
        List<String> defaultSinks = top.list("default-sinks", Parsers::string);
        for (int i = 0; i < defaultSinks.size(); i++) {
            top.check(declaredSinkIds.contains(defaultSinks.get(i)), "default-sinks[" + i + "]",
                    "'" + defaultSinks.get(i) + "' is not a sink defined under sinks; defined: " + declaredSinkIds);
        }
        List<io.alertrelay.core.Silence> silences = RoutingConfig.silences(root, problems);

        WatchdogConfig watchdog = null;
        Optional<String> httpToken = Optional.empty();
        try {
            watchdog = WatchdogConfig.from(root);
            problems.addAll(watchdog.crossCheck(subscriptions, declaredSinkIds));
            httpToken = watchdog.http().token(); // read (and checked) there: the HTTP server enforces it
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        StreamWatchConfig streams = null;
        ConfigBinder watchdogSection = top.section("watchdog");
        try {
            streams = StreamWatchConfig.from(watchdogSection.view());
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        int sinkFailedAfter = watchdogSection.optional("sink-failed-after", Parsers::positiveInt,
                SinkHealth.DEFAULT_FAILED_AFTER);
        watchdogSection.check(sinkFailedAfter <= MAX_SINK_FAILED_AFTER, "sink-failed-after",
                "must be at most " + MAX_SINK_FAILED_AFTER);

        problems.addAll(LoggingConfig.check(root));
        problems.addAll(top.problems());
        problems.addAll(root.unusedKeys());
        if (!problems.isEmpty()) {
            throw new ConfigurationException(withoutEchoes(loaded.problems(), problems));
        }
        List<String> warnings = new ArrayList<>(deprecations);
        warnings.addAll(warnings(watchdog, routes, declaredSinkIds));
        return new RelayConfig(loaded.origin(), redis, subscriptions, sinks, routes, maxEventSize, ingestQueue,
                shutdownTimeout, watchdog, streams, sinkFailedAfter, delivery, defaultSinks, silences, httpToken,
                loaded.hash(), root.effectiveConfig(), List.copyOf(warnings), List.copyOf(streamSubscriptions));
    }

    /**
     * A key whose {@code ${...}} could not be substituted is reported once, for that: not again for the empty value
     * it was left with.
     */
    private static List<String> withoutEchoes(List<String> substitutionProblems, List<String> problems) {
        Set<String> keys = new LinkedHashSet<>();
        substitutionProblems.forEach(problem -> keys.add(problem.substring(0, Math.max(0, problem.indexOf(": ")))));
        List<String> kept = new ArrayList<>(substitutionProblems);
        for (String problem : problems.subList(substitutionProblems.size(), problems.size())) {
            int colon = problem.indexOf(": ");
            if (colon < 0 || !keys.contains(problem.substring(0, colon))) {
                kept.add(problem);
            }
        }
        return kept;
    }

    private static void atMost(ConfigBinder binder, String key, Duration value, Duration max) {
        binder.check(value.compareTo(max) <= 0, key, "must be at most " + Parsers.format(max));
    }

    /**
     * Creates every sink of this configuration. Call only with a configuration {@link #parse} accepted; a factory that
     * fails now (it validated the same keys a moment ago) closes what was created and is reported under its key.
     */
    List<SinkInstance> createSinks(Clock clock) {
        List<SinkInstance> created = new ArrayList<>();
        for (SinkSpec spec : sinks) {
            try {
                created.add(spec.create(clock));
            } catch (RuntimeException e) {
                created.forEach(instance -> closeQuietly(instance.sink()));
                throw new ConfigurationException("sinks." + spec.id() + ": sink type '" + spec.type()
                        + "' failed to start: " + e.getClass().getSimpleName());
            }
        }
        return List.copyOf(created);
    }

    /** The start-up log's effective configuration: one line per key, values or defaults, secrets masked. */
    String describe() {
        StringBuilder text = new StringBuilder("Effective configuration (" + origin + ", sha256 " + hash + "):");
        effective.forEach((key, shown) -> text.append(System.lineSeparator()).append("  ").append(key).append(" = ")
                .append(shown));
        return text.toString();
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
    private static List<Subscription> subscriptions(ConfigBinder top, List<StreamSubscription> streams) {
        List<Subscription> subscriptions = new ArrayList<>();
        if (!top.isPresent("subscriptions")) {
            top.problem("subscriptions", "at least one channel or pattern is required (e.g. - pattern: \"alerts:*\")");
            return subscriptions;
        }
        int problemsBefore = top.problems().size();
        for (ConfigBinder entry : top.sectionList("subscriptions")) {
            if (entry.isPresent("stream")) {
                if (entry.isPresent("pattern") || entry.isPresent("channel")) {
                    top.addAll(List.of(entry.view().prefix() + ": needs exactly one of pattern, channel or stream"));
                    markAllUsed((TreeConfigView) entry.view());
                    continue;
                }
                try {
                    streams.add(StreamSubscription.from(entry.view()));
                } catch (ConfigurationException e) {
                    top.addAll(e.problems());
                }
                continue;
            }
            var pattern = entry.optional("pattern", Parsers::string);
            var channel = entry.optional("channel", Parsers::string);
            if (pattern.isPresent() == channel.isPresent()) {
                top.addAll(List.of(entry.view().prefix() + ": needs exactly one of pattern or channel"));
            } else {
                subscriptions.add(pattern.map(Subscription::pattern).orElseGet(() -> Subscription.channel(channel.get())));
            }
        }
        if (subscriptions.isEmpty() && streams.isEmpty() && top.problems().size() == problemsBefore) {
            top.problem("subscriptions", "at least one channel or pattern is required (or a stream)");
        }
        return subscriptions;
    }

    /**
     * {@code sinks.<id>}: each validated by its factory, none created. A sink without {@code type} is one problem; its
     * other keys are not reported as unknown, since which keys are known depends on the type.
     */
    private static List<SinkSpec> sinks(ConfigBinder top, Map<String, SinkFactory> factories, Clock clock,
                                        List<String> deprecations) {
        List<SinkSpec> sinks = new ArrayList<>();
        if (!top.isPresent("sinks")) {
            top.problem("sinks", "at least one sink is required (e.g. sinks.console.type: console)");
            return sinks;
        }
        ConfigBinder section = top.section("sinks");
        if (section.keys().isEmpty() && section.isValid()) {
            top.problem("sinks", "at least one sink is required (e.g. sinks.console.type: console)");
            return sinks;
        }
        for (String id : section.keys()) {
            ConfigBinder binder = section.section(id);
            TreeConfigView view = (TreeConfigView) binder.view();
            if (!binder.isPresent("type")) {
                binder.problem("type", "is required; available: " + factories.keySet());
                markAllUsed(view);
                continue;
            }
            int problemsBefore = top.problems().size();
            String type = binder.optional("type", Parsers::string).orElse("");
            SinkFactory factory = factories.get(type);
            if (factory == null) {
                if (top.problems().size() == problemsBefore) {
                    binder.problem("type", "'" + type + "' is not a registered sink type; available: "
                            + factories.keySet());
                }
                markAllUsed(view);
                continue;
            }
            DeliveryPolicy policy = deliveryPolicy(binder, deprecations);
            Optional<Optional<Rate>> rate = rate(binder);
            try {
                factory.validate(view, context(id, clock));
            } catch (ConfigurationException e) {
                top.addAll(e.problems());
            } catch (RuntimeException e) {
                binder.problem("type", "sink type '" + type + "' could not check its keys: " + e.getClass().getSimpleName());
            }
            if (policy != null && rate != null) {
                sinks.add(new SinkSpec(id, type, factory, view, policy, rate));
            }
        }
        return sinks;
    }

    /**
     * {@code sinks.<id>.rate}: {@code { per-second: 1, burst: 3 }} (burst defaults to 1) or {@code unlimited}.
     * Empty when not configured (the sink's default applies); empty inside for unlimited; null when invalid.
     */
    private static Optional<Optional<Rate>> rate(ConfigBinder sink) {
        TreeConfigView sinkView = (TreeConfigView) sink.view();
        if (!sinkView.has("rate")) {
            return Optional.empty();
        }
        if (!sinkView.isSection("rate")) {
            String value = sinkView.get("rate").orElse("");
            sinkView.markUsed("rate");
            if (value.equals("unlimited")) {
                return Optional.of(Optional.empty());
            }
            sink.problem("rate", "must be 'unlimited' or a section such as { per-second: 1, burst: 3 }, not '"
                    + value + "'");
            return null;
        }
        ConfigBinder binder = sink.section("rate");
        int problemsBefore = binder.problems().size();
        ConfigBinder.Required<Double> perSecond = binder.required("per-second", Parsers::number);
        int burst = binder.optional("burst", Parsers::positiveInt, 1);
        perSecond.asOptional().ifPresent(value -> binder.check(value > 0 && !value.isInfinite(), "per-second",
                "must be more than 0 (for no limit write rate: unlimited)"));
        return binder.problems().size() == problemsBefore
                ? Optional.of(Optional.of(new Rate(perSecond.get(), burst))) : null;
    }

    static SinkContext context(String id, Clock clock) {
        return context(id, clock, new BoundSinkState());
    }

    static SinkContext context(String id, Clock clock, SinkState state) {
        return new SinkContext() {
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
        };
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
    private static DeliveryPolicy deliveryPolicy(ConfigBinder sink, List<String> deprecations) {
        ConfigBinder delivery = sink.section("delivery");
        int problemsBefore = delivery.problems().size();
        int capacity = delivery.optional("queue-capacity", Parsers.integer(1, MAX_QUEUE_CAPACITY),
                DeliveryPolicy.DEFAULT_QUEUE_CAPACITY);
        delivery.optional("max-attempts", Parsers::positiveInt).ifPresent(attempts -> deprecations.add(
                delivery.fullKey("max-attempts") + ": deprecated and ignored: a notification is retried until it is "
                + "delivered, rejected, or older than " + delivery.fullKey("max-age") + " (default 24h); "
                + "remove max-attempts, and set max-age to bound retries"));
        Duration initial = delivery.optional("initial-backoff", Parsers::duration, DeliveryPolicy.DEFAULT_INITIAL_BACKOFF);
        Duration max = delivery.optional("max-backoff", Parsers::duration, DeliveryPolicy.DEFAULT_MAX_BACKOFF);
        Duration maxRetryAfter = delivery.optional("max-retry-after", Parsers::duration,
                DeliveryPolicy.DEFAULT_MAX_RETRY_AFTER);
        Duration maxAge = delivery.optional("max-age", Parsers::duration, DeliveryPolicy.DEFAULT_MAX_AGE);
        delivery.check(!initial.isZero(), "initial-backoff", "must be more than 0");
        atMost(delivery, "initial-backoff", initial, Duration.ofHours(1));
        delivery.check(max.compareTo(initial) >= 0, "max-backoff", "must be at least initial-backoff");
        atMost(delivery, "max-backoff", max, Duration.ofDays(1));
        atMost(delivery, "max-retry-after", maxRetryAfter, Duration.ofDays(7));
        delivery.check(!maxAge.isZero(), "max-age", "must be more than 0");
        atMost(delivery, "max-age", maxAge, Duration.ofDays(365));
        return delivery.problems().size() == problemsBefore
                ? new DeliveryPolicy(capacity, initial, max, maxRetryAfter, maxAge) : null;
    }

    /** Most levels of nested {@code routes} (the top level counts as one). */
    static final int MAX_ROUTE_DEPTH = 8;
    private static final List<String> GROUPING_KEYS =
            List.of("group-by", "group-wait", "group-interval", "repeat-interval", "send-resolved");

    private static List<Route> routes(ConfigBinder top, Set<String> sinkIds) {
        if (!top.isPresent("routes")) {
            List<Route> routes = new ArrayList<>();
            if (!sinkIds.isEmpty()) {
                routes.add(Route.toAll(List.copyOf(sinkIds)));
            }
            return routes;
        }
        return routes(top, top.sectionList("routes"), sinkIds, null, 1);
    }

    /**
     * One level of {@code routes}. A nested route ({@code routes[i].routes[j]}) takes its parent's {@code sinks} when
     * it names none, and its parent's grouping when it sets none of the grouping keys (Alertmanager's inheritance).
     */
    private static List<Route> routes(ConfigBinder top, List<ConfigBinder> entries, Set<String> sinkIds, Route parent,
                                      int depth) {
        List<Route> routes = new ArrayList<>();
        for (ConfigBinder entry : entries) {
            int problemsBefore = top.problems().size();
            List<String> sinks = entry.list("sinks", Parsers::string);
            if (parent != null && !entry.isPresent("sinks")) {
                sinks = parent.sinks();
            }
            entry.check(!sinks.isEmpty(), "sinks", "is required (a list of sink ids from the sinks section)");
            for (String sink : sinks) {
                entry.check(sinkIds.contains(sink), "sinks",
                        "'" + sink + "' is not a sink defined under sinks; defined: " + sinkIds);
            }
            ConfigBinder match = entry.section("match");
            List<String> channels = match.list("channel", Parsers::string);
            List<Severity> severities = match.list("severity", value -> Severity.fromWireName(value)
                    .orElseThrow(() -> new IllegalArgumentException("is not one of [critical, error, warning, info]")));
            Map<String, String> labels = new LinkedHashMap<>();
            ConfigBinder labelBinder = match.section("labels");
            for (String key : labelBinder.keys()) {
                labelBinder.optional(key, Parsers::string).ifPresent(value -> labels.put(key, value));
            }
            boolean canaries = entry.optional("canaries", Parsers::bool, false);
            List<io.alertrelay.core.Matcher> matchers = new ArrayList<>(
                    match.list("matchers", io.alertrelay.core.Matcher::parse));
            matchers.addAll(entry.list("matchers", io.alertrelay.core.Matcher::parse));
            Optional<Boolean> continueMatching = entry.optional("continue", Parsers::bool);
            io.alertrelay.core.Grouping grouping = RoutingConfig.grouping((TreeConfigView) entry.view(), entry);
            if (parent != null && GROUPING_KEYS.stream().noneMatch(entry::isPresent)) {
                grouping = parent.grouping();
            }
            Route self = new Route(sinks, channels, severities.isEmpty() ? Set.of() : EnumSet.copyOf(severities),
                    labels, canaries, matchers, continueMatching, grouping);
            List<Route> children = List.of();
            if (entry.isPresent("routes")) {
                if (depth >= MAX_ROUTE_DEPTH) {
                    entry.problem("routes", "routes nest at most " + MAX_ROUTE_DEPTH + " levels deep");
                    markAllUsed((TreeConfigView) entry.view());
                } else {
                    children = routes(top, entry.sectionList("routes"), sinkIds, self, depth + 1);
                }
            }
            if (top.problems().size() == problemsBefore) {
                routes.add(new Route(self.sinks(), self.channels(), self.severities(), self.labels(), self.canaries(),
                        self.matchers(), self.continueMatching(), self.grouping(), children));
            }
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

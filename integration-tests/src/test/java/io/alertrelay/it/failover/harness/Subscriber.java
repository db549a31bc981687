package io.alertrelay.it.failover.harness;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.source.redis.RedisSource;
import io.alertrelay.source.redis.RedisSourceConfig;
import io.alertrelay.source.redis.SourceStatus;
import io.alertrelay.source.redis.SubscriptionState;
import io.alertrelay.spi.Subscription;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A subscriber under test: counts what it receives into a {@link DeliveryLog}. */
public abstract sealed class Subscriber implements AutoCloseable permits Subscriber.Relay, Subscriber.BareLettuce,
        JarSubscriber {
    protected final DeliveryLog log = new DeliveryLog();
    private final String label;

    Subscriber(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public DeliveryLog log() {
        return log;
    }

    /** Starts subscribing to {@code alerts:*}; returns without waiting for the subscription. */
    public abstract void start(Target target);

    /** Where the relay's master subscription stands, for subscribers that can tell. */
    public Optional<StatusTimeline> statusTimeline() {
        return Optional.empty();
    }

    /** Ready for the fault beyond its status: the jar's /health/ready (canaries come back). */
    boolean ready() {
        return true;
    }

    /** Just before the fault is injected (publishers running): the jar aligns the fault with its canary schedule. */
    void beforeFault() {}

    /**
     * After delivery resumed, publishers still running: the jar waits until its watchdog has judged a canary round
     * published after {@code faultOver} (when the master was known, or the fault command returned).
     */
    void afterFault(java.time.Instant faultOver) {}

    /** After the publishers stopped: waits at most {@code max} for what is still on its way. */
    void awaitDrained(Duration max) {}

    /** The blind windows the subscriber reported (closed, and open at the end), for subscribers with a watchdog. */
    Optional<List<ReportedWindow>> blindWindows() {
        return Optional.empty();
    }

    /** Lines worth printing when a run fails. */
    List<String> diagnostics() {
        return List.of();
    }

    @Override
    public abstract void close();

    /**
     * The shipped relay: the assembled jar as a child process with the watchdog at its defaults, delivering to a
     * Slack stand-in (see {@link JarSubscriber}).
     */
    public static Subscriber jar() {
        return new JarSubscriber();
    }

    /** The relay: {@link RedisSource} in-process with an {@link InMemorySubscriptionRegistry} of {@code alerts:*}. */
    public static Subscriber relay(Map<String, Object> extraConfig) {
        return new Relay(extraConfig);
    }

    /** A bare Lettuce subscriber ({@code connectPubSub()} on a {@code redis-sentinel://} URI, all defaults). */
    public static Subscriber bareLettuce() {
        return new BareLettuce();
    }

    /**
     * The relay's master subscription status as observed (in-process: {@code status()} every 10 ms; the jar:
     * {@code /status}'s {@code redis.master} every 100 ms): every change, with System.nanoTime.
     */
    public static final class StatusTimeline {
        /** One observed status. */
        public record Entry(long nanos, SourceStatus status) {}

        private final List<Entry> entries = new CopyOnWriteArrayList<>();

        void observe(SourceStatus status) {
            Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
            if (last == null || !same(last.status(), status)) {
                entries.add(new Entry(System.nanoTime(), status));
            }
        }

        private static boolean same(SourceStatus a, SourceStatus b) {
            return a.state() == b.state() && a.node().equals(b.node()) && a.since().equals(b.since());
        }

        public List<Entry> entries() {
            return List.copyOf(entries);
        }

        public SourceStatus latest() {
            return entries.get(entries.size() - 1).status();
        }

        /**
         * The first time (System.nanoTime) at or after {@code fromNanos} that the status was VERIFIED on {@code node};
         * when {@code mustBeNew}, only a VERIFIED entered after {@code faultInstant} counts (same-node faults).
         */
        public Optional<Long> verifiedOn(String node, long fromNanos, Instant faultInstant, boolean mustBeNew) {
            Entry before = null;
            for (Entry entry : entries) {
                if (entry.nanos() < fromNanos) {
                    before = entry;
                    continue;
                }
                if (before != null && isVerified(before.status(), node, faultInstant, mustBeNew)) {
                    return Optional.of(fromNanos);
                }
                before = null;
                if (isVerified(entry.status(), node, faultInstant, mustBeNew)) {
                    return Optional.of(entry.nanos());
                }
            }
            if (before != null && isVerified(before.status(), node, faultInstant, mustBeNew)) {
                return Optional.of(fromNanos);
            }
            return Optional.empty();
        }

        private static boolean isVerified(SourceStatus status, String node, Instant faultInstant, boolean mustBeNew) {
            return status.state() == SubscriptionState.VERIFIED && status.node().filter(node::equals).isPresent()
                    && (!mustBeNew || status.since().isAfter(faultInstant));
        }

        /** The states in order, compact: {@code VERIFIED@a:1 -> RESOLVING -> ...}. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            for (Entry entry : entries) {
                parts.add(entry.status().state() + entry.status().node().map(n -> "@" + n).orElse(""));
            }
            return String.join(" -> ", parts);
        }
    }

    static final class Relay extends Subscriber {
        private final Map<String, Object> extraConfig;
        private final StatusTimeline timeline = new StatusTimeline();
        private RedisSource source;
        private Thread watcher;
        private volatile boolean watching = true;

        Relay(Map<String, Object> extraConfig) {
            super("relay");
            this.extraConfig = extraConfig;
        }

        @Override
        public void start(Target target) {
            Map<String, Object> redis = new HashMap<>(extraConfig);
            redis.putIfAbsent("client-name", "alert-relay-failover");
            if (target.isSentinel()) {
                redis.put("sentinel", Map.of("master", target.masterName(), "nodes", target.sentinelAddresses()));
            } else {
                redis.put("url", "redis://" + target.initialMaster());
            }
            RedisSourceConfig config =
                    RedisSourceConfig.from(TreeConfigView.root(Map.of("redis", redis)).section("redis"));
            source = new RedisSource(config,
                    new InMemorySubscriptionRegistry(List.of(Subscription.pattern("alerts:*"))), Clock.systemUTC());
            source.start(log);
            timeline.observe(source.status());
            watcher = new Thread(() -> {
                while (watching) {
                    timeline.observe(source.status());
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "relay-status-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }

        public SourceStatus status() {
            return source.status();
        }

        @Override
        public Optional<StatusTimeline> statusTimeline() {
            return Optional.of(timeline);
        }

        @Override
        public void close() {
            watching = false;
            if (watcher != null) {
                watcher.interrupt();
            }
            if (source != null) {
                source.close();
            }
        }
    }

    static final class BareLettuce extends Subscriber {
        private RedisClient client;
        private StatefulRedisPubSubConnection<String, String> connection;

        BareLettuce() {
            super("bare Lettuce");
        }

        @Override
        public void start(Target target) {
            RedisURI uri;
            if (target.isSentinel()) {
                uri = RedisURI.create("redis-sentinel://" + String.join(",", target.sentinelAddresses()) + "#"
                        + target.masterName());
            } else {
                uri = RedisURI.create("redis://" + target.initialMaster());
            }
            client = RedisClient.create(uri);
            connection = client.connectPubSub();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    log.record(message, "lettuce");
                }

                @Override
                public void message(String channel, String message) {
                    log.record(message, "lettuce");
                }
            });
            connection.async().psubscribe("alerts:*");
        }

        @Override
        public void close() {
            try {
                if (connection != null) {
                    connection.closeAsync().get(2, TimeUnit.SECONDS);
                }
            } catch (Exception ignored) {
                // best effort
            }
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}

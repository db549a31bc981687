package io.alertrelay.app;

import io.alertrelay.core.DeliveryHealth;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.source.redis.NodeStatus;
import io.alertrelay.source.redis.RedisPublisher;
import io.alertrelay.source.redis.RedisSource;
import io.alertrelay.source.redis.SourceStatus;
import io.alertrelay.source.redis.SubscriptionState;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import io.alertrelay.spi.Subscription;
import io.alertrelay.watchdog.BlindWindows;
import io.alertrelay.watchdog.HealthAlerts;
import io.alertrelay.watchdog.HealthRoute;
import io.alertrelay.watchdog.Heartbeat;
import io.alertrelay.watchdog.ReadinessCheck;
import io.alertrelay.watchdog.RelayHealthAlerts;
import io.alertrelay.watchdog.RelayInstanceId;
import io.alertrelay.watchdog.WatchdogConfig;
import io.alertrelay.watchdog.WatchdogHttpServer;
import io.alertrelay.watchdog.RedisView;
import io.alertrelay.watchdog.SourceWatch;
import io.alertrelay.watchdog.StatusHistory;
import io.alertrelay.watchdog.canary.CanaryMonitor;
import io.alertrelay.watchdog.canary.CanaryPublisher;
import io.alertrelay.watchdog.canary.NodeState;
import io.alertrelay.watchdog.canary.CanaryPayload;
import io.alertrelay.watchdog.streams.StreamFinding;
import io.alertrelay.watchdog.streams.StreamWatch;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the watchdog module to the running relay: canaries through the real source and pipeline, subscription
 * states into blind windows, decoded alerts into stream statistics, sink outcomes into sink health, relay-health
 * alerts onto the health route, the heartbeat and the HTTP endpoints.
 */
final class RelayWatchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayWatchdog.class);
    /** How often stream statistics are evaluated for absence and anomalies. */
    static final Duration STREAM_EVALUATION_PERIOD = Duration.ofSeconds(5);

    private final RelayConfig config;
    private final RedisSource source;
    private final Pipeline pipeline;
    private final PrometheusMeterRegistry metrics;
    private final Clock clock;
    private final String relayInstance = RelayInstanceId.generate();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, daemon("watchdog"));
    private final ScheduledExecutorService heartbeatThread = Executors.newSingleThreadScheduledExecutor(daemon("heartbeat"));
    private final HealthAlerts healthAlerts;
    private final BlindWindows blindWindows;
    private final RedisPublisher publisher;
    private final CanaryMonitor monitor;
    private final SourceWatch sourceWatch;
    private final StreamWatch streams;
    private final SinkHealth sinkHealth;
    private final Optional<Heartbeat> heartbeat;
    private Optional<WatchdogHttpServer> http = Optional.empty();
    private volatile java.util.function.Supplier<Map<String, Object>> outboxStatus = Map::of;
    private volatile java.util.function.Supplier<Map<String, Object>> silenceStatus = Map::of;
    private volatile java.util.function.Supplier<? extends List<?>> redisStreamsStatus = List::of;
    private volatile DeliveryHealth deliveryHealth;
    /** What the status page plots (GET /status/history): bounded rings, see StatusHistory. */
    private final StatusHistory history = new StatusHistory();
    private final Map<String, Long> lastStreamEvents = new java.util.HashMap<>();
    private volatile java.util.function.Supplier<Map<String, Object>> configStatus = Map::of;

    RelayWatchdog(RelayConfig config, RedisSource source, Pipeline pipeline, PrometheusMeterRegistry metrics, Clock clock) {
        this.config = config;
        this.source = source;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.clock = clock;
        WatchdogConfig watchdog = config.watchdog();
        this.healthAlerts = new HealthRoute(watchdog.healthRoute(), () -> pipeline.workers().keySet(),
                pipeline::dispatchTo);
        this.blindWindows = new BlindWindows(healthAlerts, relayInstance, clock);
        this.publisher = new RedisPublisher(config.redis());
        this.monitor = new CanaryMonitor(CanaryMonitor.Settings.from(watchdog), relayInstance,
                watchdog.canary().targets(config.subscriptions()),
                (node, channel, payload) -> publisher.publishOn(node, channel, payload)
                        .thenApply(receipt -> new CanaryPublisher.Published(receipt.node(), receipt.replicas())),
                (node, reason) -> source.resubscribe(node, reason),
                healthAlerts, blindWindows, clock);
        this.sourceWatch = new SourceWatch(config.subscriptions().stream().map(Subscription::name).toList(), monitor,
                blindWindows);
        this.streams = new StreamWatch(config.streams(), clock);
        // the dead man's switch is pinged only while the whole loop passes: what /health/ready requires (the master's
        // subscription VERIFIED, canaries fresh) and, inside Heartbeat, no FAILED sink
        this.heartbeat = Heartbeat.fromConfig(watchdog, () -> readiness().check(), clock);
        this.sinkHealth = new SinkHealth(config.sinkFailedAfter(), this::sinkFailed, this::sinkRecovered);
        if (watchdog.http().enabled()) {
            WatchdogHttpServer.preload(); // Jetty's class loading overlaps the Redis connection
        }
    }

    /** The HTTP server, once started (empty with {@code http.enabled: false}). */
    Optional<WatchdogHttpServer> http() {
        return http;
    }

    /** What {@code /status} shows under {@code silences}. */
    void setSilenceStatus(java.util.function.Supplier<Map<String, Object>> silenceStatus) {
        this.silenceStatus = silenceStatus;
    }

    /** What {@code /status} shows under {@code redis.streams}: the stream subscriptions' state, lag and pending. */
    void setRedisStreamsStatus(java.util.function.Supplier<? extends List<?>> redisStreamsStatus) {
        this.redisStreamsStatus = redisStreamsStatus;
    }

    /** What {@code /status} shows under {@code outbox} (set by the app once the outbox is open). */
    void setOutboxStatus(java.util.function.Supplier<Map<String, Object>> outboxStatus) {
        this.outboxStatus = outboxStatus;
    }

    /** What {@code /status} shows under {@code config}: which configuration is live, the last reload. */
    void setConfigStatus(java.util.function.Supplier<Map<String, Object>> configStatus) {
        this.configStatus = configStatus;
    }

    /**
     * A reload replaced or added these workers (already in the pipeline): their outcomes count toward FAILED, and
     * DEGRADED is judged over the pipeline's workers as they are now.
     */
    void sinksChanged(java.util.List<SinkWorker> added) {
        added.forEach(worker -> worker.addOutcomeListener(sinkHealth::onOutcome));
        metrics.find("alertrelay.sinks.degraded").meters().forEach(metrics::remove);
        deliveryHealth = new DeliveryHealth(pipeline.workers().values(), config.delivery().degradedAfter(), clock,
                metrics);
    }

    ReadinessCheck readiness() {
        if (config.subscriptions().isEmpty()) {
            // only stream subscriptions: canaries are pub/sub only, so there is nothing for them to prove; the
            // source's connection (VERIFIED with nothing to subscribe) still shows Redis is reachable
            return ReadinessCheck.allOf(sourceWatch::readiness);
        }
        return ReadinessCheck.allOf(sourceWatch::readiness, monitor::readiness);
    }

    void wire() {
        pipeline.setCanaryFilter(CanaryPayload::isCanary, monitor::onCanary);
        pipeline.addObserver((alert, node) -> streams.record(alert));
        for (SinkWorker worker : pipeline.workers().values()) {
            worker.addOutcomeListener(sinkHealth::onOutcome);
        }
        deliveryHealth = new DeliveryHealth(pipeline.workers().values(), config.delivery().degradedAfter(), clock,
                metrics);
        source.addStateListener(this::onSourceStatus);
        // every-node subscriptions deliver each canary once; the copies from the other nodes are what proves those
        // nodes' subscriptions, so duplicates on a canary channel go to the monitor too (cheap channel check first)
        Set<String> canaryChannels = new java.util.HashSet<>();
        config.watchdog().canary().targets(config.subscriptions()).forEach(target -> canaryChannels.add(target.channel()));
        source.setDuplicateObserver(message -> {
            if (canaryChannels.contains(message.channel())) {
                pipeline.onDuplicate(message);
            }
        });
        registerGauges(metrics);
    }

    void start() {
        long tickMillis = Math.max(50, monitor.suggestedTickPeriod().toMillis());
        scheduler.scheduleWithFixedDelay(this::tickCanaries, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::evaluateStreams, STREAM_EVALUATION_PERIOD.toMillis(),
                STREAM_EVALUATION_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        heartbeat.ifPresent(beat -> heartbeatThread.scheduleWithFixedDelay(() -> tickHeartbeat(beat), 1, 1,
                TimeUnit.SECONDS));
        scheduler.scheduleWithFixedDelay(this::evaluateSinks, 1, 1, TimeUnit.SECONDS);
        // expectations age out with time too, not only on transitions
        scheduler.scheduleWithFixedDelay(() -> onSourceStatus(null), 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(this::sampleHistory, 0, StatusHistory.PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        http = WatchdogHttpServer.fromConfig(config.watchdog().http(), readiness(), metrics::scrape, this::status);
        http.ifPresent(server -> server.addRoute(WatchdogHttpServer.HISTORY_PATH,
                WatchdogHttpServer.jsonRoute(() -> history.snapshot(clock.instant()))));
        http.ifPresent(server -> log.info("Health and metrics on http://{}:{} (/health/live, /health/ready, /metrics, "
                + "/status)", server.address().getHostString(), server.port()));
        onSourceStatus(source.status());
    }

    /** One sample for the status page's plots: canary round trips, stream rates, sink queue depths. */
    private void sampleHistory() {
        try {
            Instant now = clock.instant();
            for (CanaryMonitor.NodeStatus node : monitor.status().nodes()) {
                if (node.lastReceived().isPresent() && node.lastRoundTripMillis().isPresent()) {
                    history.add("canaryRoundTripMillis", node.node(), node.lastReceived().get(),
                            node.lastRoundTripMillis().get());
                }
            }
            double minutes = StatusHistory.PERIOD.toMillis() / 60_000.0;
            for (io.alertrelay.watchdog.streams.StreamStatus stream : streams.streams()) {
                Long before = lastStreamEvents.put(stream.key(), stream.events());
                history.add("streamEventsPerMinute", stream.key(), now,
                        Math.max(0, stream.events() - (before == null ? 0 : before)) / minutes);
            }
            for (SinkWorker worker : pipeline.workers().values()) {
                history.add("sinkQueueDepth", worker.id(), now, worker.queueDepth());
            }
        } catch (RuntimeException e) {
            log.warn("Status history sample failed: {}", e.toString());
        }
    }

    private void tickCanaries() {
        try {
            monitor.tick();
        } catch (RuntimeException e) {
            log.warn("Canary tick failed", e);
        }
    }

    private void tickHeartbeat(Heartbeat beat) {
        try {
            beat.tick();
        } catch (RuntimeException e) {
            log.warn("Heartbeat tick failed: {}", e.getClass().getSimpleName());
        }
    }

    private void evaluateStreams() {
        try {
            for (StreamFinding finding : streams.evaluate()) {
                if (finding.state() == Status.FIRING) {
                    log.warn("Stream finding: {}", finding.message());
                    healthAlerts.raise(finding.toAlert(relayInstance));
                } else {
                    log.info("Stream finding resolved: {}", finding.message());
                    healthAlerts.resolve(finding.toAlert(relayInstance));
                }
            }
        } catch (RuntimeException e) {
            log.warn("Stream evaluation failed", e);
        }
    }

    /** Feeds the source's state to the watchdog's decisions ({@link SourceWatch}); the decisions live there. */
    private synchronized void onSourceStatus(SourceStatus ignored) {
        sourceWatch.update(view(), clock.instant());
    }

    /** The source as the watchdog sees it. */
    private RedisView view() {
        SourceStatus masterStatus = source.status();
        List<RedisView.Node> nodes = new ArrayList<>();
        for (NodeStatus node : source.nodes()) {
            nodes.add(new RedisView.Node(node.node(), switch (node.role()) {
                case MASTER -> RedisView.Role.MASTER;
                case REPLICA -> RedisView.Role.REPLICA;
                case UNKNOWN -> RedisView.Role.UNKNOWN;
            }, node.replicaOf(), node.replicationLinkUp(), switch (node.state()) {
                case RESOLVING -> RedisView.Link.DOWN;
                case CONNECTED -> RedisView.Link.CONNECTED;
                case SUBSCRIBED -> RedisView.Link.ACKNOWLEDGED;
                case VERIFIED -> RedisView.Link.VERIFIED;
            }, node.since(), node.reason(), node.lastConnectFailure(), node.roleConfirmed()));
        }
        return new RedisView(masterStatus.node(), source.config().everyNode(), nodes);
    }

    private void sinkFailed(String sinkId, String detail) {
        heartbeat.ifPresent(beat -> beat.sinkFailed(sinkId));
        log.error("Sink {} is FAILED: {} consecutive alerts not delivered (last: {})", sinkId,
                config.sinkFailedAfter(), detail);
        healthAlerts.raise(sinkAlert(sinkId, Status.FIRING, "Sink " + sinkId + " is failing: the last "
                + config.sinkFailedAfter() + " alerts could not be delivered and are dead letters (" + detail
                + "); see alert-relay dead-letters list --sink " + sinkId));
    }

    private void sinkRecovered(String sinkId, String detail) {
        heartbeat.ifPresent(beat -> beat.sinkRecovered(sinkId));
        log.info("Sink {} recovered: {}", sinkId, detail);
        healthAlerts.resolve(sinkAlert(sinkId, Status.RESOLVED, "Sink " + sinkId + " delivers again"));
    }

    /** DEGRADED sinks (oldest undelivered older than delivery.degraded-after) raise an alert on the health route. */
    private void evaluateSinks() {
        try {
            for (DeliveryHealth.Change change : deliveryHealth.evaluate()) {
                String sinkId = change.sinkId();
                Instant now = clock.instant();
                Alert alert = RelayHealthAlerts.alert("sink-degraded-" + sinkId, Status.FIRING, Severity.ERROR,
                        "Alert Relay: sink " + sinkId + " is degraded",
                        "Sink " + sinkId + " has not delivered for " + change.oldestAge().toSeconds() + " s: "
                                + change.waiting() + " notification(s) waiting, the oldest since " + change.oldestSince()
                                + (change.lastFailure().isEmpty() ? "" : "; last answer: " + change.lastFailure())
                                + ". They are kept and retried; nothing is lost while it lasts.",
                        "sink", relayInstance, Map.of("sink", sinkId), Map.of(), now);
                if (change.state() == DeliveryHealth.State.DEGRADED) {
                    log.warn("Sink {} is DEGRADED: {} notification(s) waiting, oldest {} s (last answer: {})", sinkId,
                            change.waiting(), change.oldestAge().toSeconds(), change.lastFailure());
                    healthAlerts.raise(alert);
                } else {
                    log.info("Sink {} delivers again; its backlog is delivered", sinkId);
                    healthAlerts.resolve(RelayHealthAlerts.resolved(alert, "Sink " + sinkId
                            + " delivered its backlog", now));
                }
            }
        } catch (RuntimeException e) {
            log.warn("Sink evaluation failed", e);
        }
    }

    private Alert sinkAlert(String sinkId, Status status, String text) {
        Instant now = clock.instant();
        Alert alert = RelayHealthAlerts.alert("sink-failed-" + sinkId, Status.FIRING, Severity.CRITICAL,
                "Alert Relay: sink " + sinkId + " is failing", text, "sink", relayInstance, Map.of("sink", sinkId),
                Map.of(), now);
        return status == Status.FIRING ? alert : RelayHealthAlerts.resolved(alert, text, now);
    }

    /** The JSON of {@code /status}. */
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("relay", relayInstance);
        status.put("time", clock.instant());
        status.put("config", configStatus.get());
        status.put("ready", readiness().check());
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("target", config.redis().redactedTarget());
        redis.put("master", source.status());
        redis.put("nodes", source.nodes());
        redis.put("subscriptions", config.subscriptions().stream().map(Subscription::toString).toList());
        redis.put("streams", redisStreamsStatus.get());
        status.put("redis", redis);
        status.put("canary", monitor.status());
        status.put("coverage", sourceWatch.gaps());
        status.put("blindWindows", blindWindows.status());
        status.put("streams", streams.streams());
        status.put("expectations", streams.expectations());
        List<Map<String, Object>> sinks = new ArrayList<>();
        Set<String> failed = sinkHealth.failed();
        for (SinkWorker worker : pipeline.workers().values()) {
            Map<String, Object> sink = new LinkedHashMap<>();
            sink.put("id", worker.id());
            sink.put("type", worker.type());
            sink.put("queueDepth", worker.queueDepth());
            sink.put("state", failed.contains(worker.id()) ? "FAILED"
                    : deliveryHealth.isDegraded(worker.id()) ? "DEGRADED" : "OK");
            sink.put("pending", worker.pendingCount());
            sink.put("deadLetters", worker.deadLetterCount());
            sink.put("oldestPendingSeconds", worker.oldestPendingAge().toMillis() / 1000.0);
            sink.put("consecutiveFailures", worker.consecutiveFailures());
            sink.put("lastFailure", worker.lastFailure());
            sink.put("nextProbeAt", worker.nextProbeAt());
            worker.claimCounts().ifPresent(counts -> sink.put("claims", Map.of("won", counts.won(),
                    "deliveredElsewhere", counts.doneElsewhere(), "deliveredWithoutClaim", counts.failedOpen())));
            sinks.add(sink);
        }
        status.put("sinks", sinks);
        status.put("outbox", outboxStatus.get());
        status.put("silences", silenceStatus.get());
        status.put("ingest", Map.of("depth", pipeline.ingestDepth(), "shed", pipeline.shedCount()));
        heartbeat.ifPresent(beat -> status.put("heartbeat", beat.status()));
        status.put("recentRejections", pipeline.recentRejections());
        return status;
    }

    private void registerGauges(MeterRegistry registry) {
        Gauge.builder("alertrelay.blind.windows", blindWindows, BlindWindows::closedCount)
                .description("Closed blind windows: intervals alerts may not have been delivered").register(registry);
        Gauge.builder("alertrelay.blind.windows.seconds", blindWindows, BlindWindows::totalSeconds)
                .description("Total seconds of closed blind windows").register(registry);
        Gauge.builder("alertrelay.blind.window.last.seconds", blindWindows, BlindWindows::lastSeconds)
                .description("Length of the last closed blind window").register(registry);
        Gauge.builder("alertrelay.blind.windows.open", blindWindows, BlindWindows::openCount)
                .description("Blind windows open now").register(registry);
        Gauge.builder("alertrelay.canary.published", monitor, CanaryMonitor::published).register(registry);
        Gauge.builder("alertrelay.canary.publish.failures", monitor, CanaryMonitor::publishFailures).register(registry);
        Gauge.builder("alertrelay.canary.received", monitor, CanaryMonitor::received).register(registry);
        Gauge.builder("alertrelay.canary.publish.failing.nodes", monitor, CanaryMonitor::publishFailingNodes)
                .description("Nodes whose last canary could not be published (a publishing problem, not a subscription's)")
                .register(registry);
        Gauge.builder("alertrelay.canary.suspect.nodes", monitor, m -> m.nodesIn(NodeState.SUSPECT))
                .description("Nodes whose subscription missed the last canary round").register(registry);
        Gauge.builder("alertrelay.canary.failed.nodes", monitor, m -> m.nodesIn(NodeState.FAILED))
                .description("Nodes whose subscription missed two or more canary rounds in a row").register(registry);
        Gauge.builder("alertrelay.canary.missed.rounds", monitor, CanaryMonitor::missedRounds)
                .description("Canary rounds missed, summed over nodes").register(registry);
        Gauge.builder("alertrelay.canary.resubscribe.requests", monitor, CanaryMonitor::resubscribeRequests)
                .description("Resubscriptions the watchdog asked for after missed canaries").register(registry);
        Gauge.builder("alertrelay.subscription.replacements", source, RedisSource::replacements)
                .description("Make-before-break resubscriptions started (watchdog, reconcile, role change)")
                .register(registry);
        Gauge.builder("alertrelay.canary.age.seconds", monitor, CanaryMonitor::canaryAgeSeconds)
                .description("Seconds since the last canary came back").register(registry);
        Gauge.builder("alertrelay.ready", this, watchdog -> watchdog.readiness().check().ready() ? 1 : 0)
                .description("1 while /health/ready would answer 200").register(registry);
        Gauge.builder("alertrelay.streams.tracked", streams, StreamWatch::trackedStreams).register(registry);
        Gauge.builder("alertrelay.sinks.failed", sinkHealth, health -> health.failed().size()).register(registry);
        Gauge.builder("alertrelay.redis.duplicates.dropped", source, RedisSource::duplicatesDropped)
                .description("Messages seen on several nodes and delivered once").register(registry);
        Gauge.builder("alertrelay.subscription.resubscribes", source, s -> s.status().resubscribeCount())
                .description("Resubscriptions on the master's connection").register(registry);
        nodeStates = MultiGauge.builder("alertrelay.subscription.node.state")
                .description("1 for each node's subscription state (node, role, state)").register(registry);
        scheduler.scheduleWithFixedDelay(this::refreshNodeStates, 0, 1, TimeUnit.SECONDS);
        for (SubscriptionState state : SubscriptionState.values()) {
            Gauge.builder("alertrelay.subscription.state", source, s -> s.status().state() == state ? 1 : 0)
                    .description("1 for the master subscription's current state").tag("state", state.name())
                    .register(registry);
        }
    }

    private MultiGauge nodeStates;

    /** Publishes every node's subscription state as {@code alertrelay_subscription_node_state{node,role,state} 1}. */
    private void refreshNodeStates() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (NodeStatus node : source.nodes()) {
                rows.add(MultiGauge.Row.of(Tags.of("node", node.node(), "role", node.role().name().toLowerCase(java.util.Locale.ROOT),
                        "state", node.state().name()), 1));
            }
            nodeStates.register(rows, true);
        } catch (RuntimeException e) {
            log.debug("Node state gauges not refreshed: {}", e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        heartbeatThread.shutdownNow();
        http.ifPresent(WatchdogHttpServer::close);
        publisher.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}

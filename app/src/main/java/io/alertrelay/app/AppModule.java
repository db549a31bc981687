package io.alertrelay.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.alertrelay.core.DeliveryClaims;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.core.MvStoreStateStore;
import io.alertrelay.core.Notifier;
import io.alertrelay.core.Router;
import io.alertrelay.core.Silences;
import io.alertrelay.core.StateStore;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.core.outbox.MvStoreOutbox;
import io.alertrelay.core.outbox.Outbox;
import io.alertrelay.source.redis.RedisDeliveryClaims;
import io.alertrelay.source.redis.RedisSource;
import io.alertrelay.source.redis.StreamSource;
import io.alertrelay.watchdog.RelayInstanceId;
import io.alertrelay.spi.SubscriptionRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;

/**
 * Wires the relay from a validated {@link RelayConfig}. Modules expose plain constructors; Guice stays here, at the
 * edge. Hardened: explicit bindings only, no circular proxies, {@code @Inject} constructors only.
 */
final class AppModule extends AbstractModule {
    private final RelayConfig config;
    private final Clock clock;
    private final MvStoreOutbox outbox;
    private final List<SinkInstance> sinks;

    /**
     * @param outbox opened (and its directory locked) before the injector exists, so a refusal exits with 2
     * @param sinks  created from {@code config} by {@link RelayConfig#createSinks}; the config holds no live sinks
     */
    AppModule(RelayConfig config, Clock clock, MvStoreOutbox outbox, List<SinkInstance> sinks) {
        this.config = config;
        this.clock = clock;
        this.outbox = outbox;
        this.sinks = List.copyOf(sinks);
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        binder().requireAtInjectOnConstructors();
        bind(RelayConfig.class).toInstance(config);
        bind(Clock.class).toInstance(clock);
        bind(MvStoreOutbox.class).toInstance(outbox);
        bind(Outbox.class).toInstance(outbox);
    }

    @Provides
    @Singleton
    PrometheusMeterRegistry prometheusRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Provides
    @Singleton
    MeterRegistry meterRegistry(PrometheusMeterRegistry prometheus) {
        return prometheus;
    }

    @Provides
    @Singleton
    SubscriptionRegistry subscriptionRegistry(RelayConfig config) {
        return new InMemorySubscriptionRegistry(config.subscriptions());
    }

    @Provides
    @Singleton
    DeliveryClaims claims(RelayConfig config) {
        RelayConfig.Claims claims = config.delivery().claims();
        if (!claims.enabled()) {
            return DeliveryClaims.none();
        }
        return new RedisDeliveryClaims(config.redis(), RelayInstanceId.generate(), claims.keyPrefix(), claims.ttl(),
                claims.remember());
    }

    /**
     * Silences, the repeat rule and groups, their state in {@code <delivery.dir>/state.mv.db} (the directory is locked
     * by the outbox, opened before the injector).
     */
    @Provides
    @Singleton
    Notifier notifier(RelayConfig config, Clock clock, MeterRegistry metrics) {
        StateStore store = MvStoreStateStore.open(config.delivery().dir());
        Silences silences = new Silences(store, clock);
        silences.addFromConfig(config.silences());
        return new Notifier(new Router(config.routes(), config.defaultSinks()), silences, store, clock, metrics);
    }

    @Provides
    @Singleton
    Pipeline pipeline(RelayConfig config, Outbox outbox, DeliveryClaims claims, Clock clock, MeterRegistry metrics,
                      Notifier notifier) {
        List<SinkWorker> workers = sinks.stream()
                .map(sink -> {
                    SinkWorker worker = new SinkWorker(sink.id(), sink.type(), sink.sink(), sink.policy(), outbox, clock,
                            metrics);
                    worker.useRate(sink.rate().orElse(null));
                    return worker;
                })
                .toList();
        if (config.delivery().claims().enabled()) {
            workers.forEach(worker -> worker.useClaims(claims));
        }
        return new Pipeline(new EventDecoder(config.maxEventSize()), notifier, workers, metrics, config.ingestQueue());
    }

    @Provides
    @Singleton
    RedisSource source(RelayConfig config, SubscriptionRegistry registry, Clock clock) {
        return new RedisSource(config.redis(), registry, clock);
    }

    /** The {@code stream} subscriptions (none: a source that reads nothing and starts no thread). */
    @Provides
    @Singleton
    StreamSource streamSource(RelayConfig config, Clock clock) {
        String consumer = config.streamSubscriptions().isEmpty() ? "-"
                : StreamConsumerName.loadOrCreate(config.delivery().dir());
        return new StreamSource(config.redis(), config.streamSubscriptions(), consumer, clock);
    }

    @Provides
    @Singleton
    RelayWatchdog watchdog(RelayConfig config, RedisSource source, Pipeline pipeline, PrometheusMeterRegistry metrics,
                           Clock clock) {
        return new RelayWatchdog(config, source, pipeline, metrics, clock);
    }

    @Provides
    @Singleton
    Relay relay(RelayConfig config, RedisSource source, Pipeline pipeline, RelayWatchdog watchdog,
                MvStoreOutbox outbox, DeliveryClaims claims, StreamSource streams, MeterRegistry metrics) {
        Relay relay = new Relay(config, source, pipeline, watchdog, outbox, claims);
        relay.useStreams(streams, metrics);
        return relay;
    }
}

package io.alertrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.DeliveryClaims;
import io.alertrelay.core.EventDecoder;
import io.alertrelay.core.InMemorySubscriptionRegistry;
import io.alertrelay.core.Pipeline;
import io.alertrelay.core.SinkWorker;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Subscription;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a reload applies and what it rejects, on a real pipeline and registry (no Redis). */
final class ReloaderTest {
    private static final Map<String, SinkFactory> FACTORIES =
            SinkFactoryLoader.byName(SinkFactoryLoader.serviceLoader().load());
    private static final String V1 = """
            redis: {url: "redis://127.0.0.1:6390"}
            subscriptions: [{pattern: "alerts:*"}]
            sinks: {console: {type: console}}
            """;

    private final AtomicReference<String> file = new AtomicReference<>(V1);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry();
    private final List<List<SinkWorker>> sinksChanged = new ArrayList<>();
    private Pipeline pipeline;
    private Reloader reloader;

    private Reloader reloader() {
        ConfigLoader.Loaded loaded = ConfigLoader.parse("relay.yaml", V1, name -> null);
        RelayConfig config = RelayConfig.parse(loaded, FACTORIES, Clock.systemUTC());
        config.subscriptions().forEach(registry::add);
        InMemoryOutbox outbox = new InMemoryOutbox();
        List<SinkWorker> workers = config.createSinks(Clock.systemUTC()).stream()
                .map(sink -> new SinkWorker(sink.id(), sink.type(), sink.sink(), sink.policy(), outbox,
                        Clock.systemUTC(), metrics)).toList();
        pipeline = new Pipeline(new EventDecoder(config.maxEventSize()), config.routes(), workers, metrics);
        pipeline.start();
        return new Reloader(() -> ConfigLoader.parse("relay.yaml", file.get(), name -> null), FACTORIES,
                Clock.systemUTC(), config, loaded.tree(), pipeline, registry, outbox, DeliveryClaims.none(), metrics,
                sinksChanged::add);
    }

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aNewSinkRouteAndSubscriptionTakeEffect() {
        reloader = reloader();
        String before = reloader.current().hash();
        file.set("""
                redis: {url: "redis://127.0.0.1:6390"}
                subscriptions: [{pattern: "alerts:*"}, {channel: "ops"}]
                sinks: {console: {type: console}, quiet: {type: console, show-labels: false}}
                routes: [{sinks: [console]}, {sinks: [quiet], match: {channel: [ops]}}]
                """);
        Reloader.Result result = reloader.reload("test");
        assertThat(result.applied()).as("%s", result.problems()).isTrue();
        assertThat(result.changes()).contains("sinks.quiet: added", "routes: replaced",
                "subscriptions: added channel ops (covered by no canary until a restart)");
        assertThat(registry.snapshot()).containsExactly(Subscription.pattern("alerts:*"), Subscription.channel("ops"));
        assertThat(pipeline.workers()).containsOnlyKeys("console", "quiet");
        assertThat(sinksChanged).singleElement().satisfies(added -> assertThat(added).extracting(SinkWorker::id)
                .containsExactly("quiet"));
        assertThat(result.hash()).isNotEqualTo(before).isEqualTo(reloader.current().hash());
        assertThat(metrics.get("alertrelay.config.reloads").tag("result", "applied").counter().count()).isEqualTo(1);
        assertThat(metrics.get("alertrelay.config.info").tag("hash", result.hash()).gauge().value()).isEqualTo(1);
        assertThat(reloader.status()).containsEntry("hash", result.hash()).containsKey("lastReload");
    }

    @Test
    void aChangedSinkIsANewWorkerAndAnUnchangedOneIsKept() {
        reloader = reloader();
        file.set(V1 + "  # a comment changes the hash, not the sinks\n");
        SinkWorker console = pipeline.workers().get("console");
        assertThat(reloader.reload("test").changes()).isEmpty();
        assertThat(pipeline.workers().get("console")).isSameAs(console);

        file.set(V1.replace("{type: console}", "{type: console, show-labels: false}"));
        assertThat(reloader.reload("test").changes()).containsExactly("sinks.console: changed");
        assertThat(pipeline.workers().get("console")).isNotSameAs(console);
    }

    @Test
    void anInvalidFileIsRejectedAndTheOldOneKeepsRunning() {
        reloader = reloader();
        RelayConfig before = reloader.current();
        file.set(V1 + "shutdown: {timeout: 110000d}\n");
        Reloader.Result result = reloader.reload("test");
        assertThat(result.applied()).isFalse();
        assertThat(result.problems()).containsExactly("shutdown.timeout: '110000d' is too long (at most 3650d)");
        assertThat(reloader.current()).isSameAs(before);
        assertThat(metrics.get("alertrelay.config.reloads").tag("result", "rejected").counter().count()).isEqualTo(1);
        assertThat(metrics.get("alertrelay.config.last.reload.ok").gauge().value()).isZero();
    }

    @Test
    void otherSectionsAndRemovedSubscriptionsNeedARestart() {
        reloader = reloader();
        file.set("""
                redis: {url: "redis://127.0.0.1:6391", password: "hunter2-SECRET"}
                subscriptions: [{channel: "ops"}]
                sinks: {console: {type: console}}
                """);
        Reloader.Result result = reloader.reload("test");
        assertThat(result.applied()).isFalse();
        assertThat(result.problems()).containsExactly("needs a restart: redis.password", "needs a restart: redis.url",
                "needs a restart: subscriptions (removing pattern alerts:* changes the watchdog's canaries)");
        assertThat(result.problems().toString()).doesNotContain("hunter2", "6391");
        assertThat(registry.snapshot()).containsExactly(Subscription.pattern("alerts:*"));
    }
}

package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Sink;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 9 where it meets the pipeline and the sink workers: default-sinks, unrouted, canaries, group delivery. */
final class PipelineRoutingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");

    private static InboundMessage message(String channel, String payload) {
        return new InboundMessage(channel, Optional.of("alerts:*"), payload, "127.0.0.1:1", Instant.now());
    }

    private SinkWorker worker(String id, Sink sink) {
        return new SinkWorker(id, "test", sink, DeliveryPolicy.defaults(), metrics);
    }

    @Test
    void anAlertNoRouteTakesGoesToTheDefaultSinks() throws Exception {
        RecordingSink pager = new RecordingSink();
        RecordingSink catchAll = new RecordingSink();
        Route critical = new Route(List.of("pager"), List.of(), Set.of(io.alertrelay.spi.Severity.CRITICAL), Map.of());
        Notifier notifier = Notifier.inMemory(new Router(List.of(critical), List.of("catch-all")), clock, metrics);
        Pipeline pipeline = new Pipeline(new EventDecoder(4096), notifier,
                List.of(worker("pager", pager), worker("catch-all", catchAll)), metrics, 0);
        pipeline.start();
        pipeline.onMessage(message("alerts:x", "{\"title\":\"disk\",\"severity\":\"critical\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"backup late\",\"severity\":\"info\"}"));
        assertThat(pager.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("disk");
        assertThat(catchAll.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("backup late");
        assertThat(metrics.get("alertrelay.events.unrouted").counter().count()).isZero();
        pipeline.close(WAIT);
    }

    @Test
    void unroutedAlertsAreCountedAndLoggedOncePerChannelPerHour() {
        Notifier notifier = Notifier.inMemory(Router.of(List.of()), clock, metrics);
        assertThat(notifier.logUnrouted("alerts:a")).isTrue();
        assertThat(notifier.logUnrouted("alerts:a")).isFalse();
        assertThat(notifier.logUnrouted("alerts:b")).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(notifier.logUnrouted("alerts:a")).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(notifier.logUnrouted("alerts:a")).isTrue();
    }

    @Test
    void canariesPassSilencesAndTheRepeatRule() throws Exception {
        RecordingSink sink = new RecordingSink();
        Route route = new Route(List.of("ops"), List.of(), Set.of(), Map.of(), true);
        Notifier notifier = Notifier.inMemory(Router.of(List.of(route)), clock, metrics);
        notifier.silences().add(List.of(Matcher.parse("title=~.*")), Optional.empty(), clock.instant().plusSeconds(60),
                "ana", "everything");
        Pipeline pipeline = new Pipeline(new EventDecoder(4096), notifier, List.of(worker("ops", sink)), metrics, 0);
        pipeline.setCanaryFilter(alert -> alert.title().startsWith("canary"), (alert, node) -> { });
        pipeline.start();
        pipeline.onMessage(message("alerts:x", "{\"title\":\"canary 1\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"canary 1\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"people alert\"}"));
        assertThat(sink.awaitAttempts(2, WAIT)).extracting(Alert::title).containsExactly("canary 1", "canary 1");
        assertThat(notifier.silencedCount()).isEqualTo(1);
        pipeline.close(WAIT);
    }

    @Test
    void aGroupIsOneNotificationDeliveredThroughDeliverAll() throws Exception {
        List<List<String>> calls = new ArrayList<>();
        Sink sink = new Sink() {
            @Override
            public DeliveryResult deliver(Alert alert) {
                calls.add(List.of(alert.title()));
                return DeliveryResult.delivered();
            }

            @Override
            public DeliveryResult deliverAll(List<Alert> alerts) {
                calls.add(alerts.stream().map(Alert::title).toList());
                return DeliveryResult.delivered();
            }
        };
        InMemoryOutbox outbox = new InMemoryOutbox(clock);
        SinkWorker worker = new SinkWorker("ops", "test", sink, DeliveryPolicy.defaults(), outbox, clock, metrics,
                () -> 0.5);
        worker.offerAll(List.of(Alerts.alert("a-1", "db-1 down"), Alerts.alert("a-2", "db-2 down")));
        worker.offer(Alerts.alert("a-3", "web-1 down"));
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(calls).containsExactly(List.of("db-1 down", "db-2 down"), List.of("web-1 down"));
        assertThat(worker.pendingCount()).isZero();

        RecordingSink plain = new RecordingSink();
        SinkWorker digest = new SinkWorker("mail", "test", plain, DeliveryPolicy.defaults(), outbox, clock, metrics,
                () -> 0.5);
        digest.offerAll(List.of(Alerts.alert("a-1", "db-1 down"), Alerts.alert("a-2", "db-2 down")));
        digest.step();
        assertThat(plain.attempts()).singleElement().satisfies(alert -> {
            assertThat(alert.title()).isEqualTo("db-1 down … and 1 more");
            assertThat(alert.summary()).hasValueSatisfying(summary -> assertThat(summary).contains("db-2 down"));
        });
    }
}

package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Sink;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

final class PipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private static InboundMessage message(String channel, String payload) {
        return new InboundMessage(channel, Optional.of("alerts:*"), payload, "127.0.0.1:1", Instant.now());
    }

    private SinkWorker worker(String id, Sink sink) {
        return new SinkWorker(id, "test", sink, DeliveryPolicy.defaults(), metrics);
    }

    @Test
    void aMalformedEventIsCountedAndTheNextGoodOneStillDelivered() throws Exception {
        RecordingSink sink = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("ops"))),
                List.of(worker("ops", sink)), metrics);
        pipeline.start();
        pipeline.onMessage(message("alerts:x", "not json"));
        pipeline.onMessage(message("alerts:x", "{\"severity\":\"critical\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"" + "x".repeat(2000) + "\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"good\"}"));
        assertThat(sink.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("good");
        assertThat(pipeline.recentRejections()).extracting(Rejection::reason)
                .containsExactly(Rejection.NOT_JSON, Rejection.MISSING_TITLE, Rejection.TOO_LARGE);
        assertThat(metrics.get("alertrelay.events.rejected").tag("reason", "not_json").counter().count()).isEqualTo(1);
        assertThat(metrics.get("alertrelay.events.received").counter().count()).isEqualTo(4);
        pipeline.close(WAIT);
    }

    @Test
    void aStuckSinkDelaysNeitherTheSourceNorAnotherSink() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Sink stuck = alert -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DeliveryResult.delivered();
        };
        RecordingSink healthy = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("stuck", "healthy"))),
                List.of(worker("stuck", stuck), worker("healthy", healthy)), metrics);
        pipeline.start();
        for (int i = 0; i < 50; i++) {
            pipeline.onMessage(message("alerts:x", "{\"title\":\"n" + i + "\"}")); // returns at once
        }
        assertThat(healthy.awaitAttempts(50, WAIT)).hasSize(50);
        assertThat(pipeline.workers().get("stuck").queueDepth()).isEqualTo(49);
        release.countDown();
        pipeline.close(WAIT);
    }

    @Test
    void routesByChannelSeverityAndLabels() throws Exception {
        RecordingSink pager = new RecordingSink();
        RecordingSink storage = new RecordingSink();
        RecordingSink everything = new RecordingSink();
        List<Route> routes = List.of(
                new Route(List.of("pager"), List.of("alerts:prod*"), Set.of(Severity.CRITICAL), Map.of()),
                new Route(List.of("storage"), List.of(), Set.of(), Map.of("team", "storage")),
                Route.toAll(List.of("everything")));
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), routes,
                List.of(worker("pager", pager), worker("storage", storage), worker("everything", everything)), metrics);
        pipeline.start();
        pipeline.onMessage(message("alerts:prod", "{\"title\":\"a\",\"severity\":\"critical\"}"));
        pipeline.onMessage(message("alerts:dev", "{\"title\":\"b\",\"severity\":\"critical\"}"));
        pipeline.onMessage(message("alerts:prod", "{\"title\":\"c\",\"labels\":{\"team\":\"storage\"}}"));
        assertThat(everything.awaitAttempts(3, WAIT)).extracting(Alert::title).containsExactly("a", "b", "c");
        pipeline.close(WAIT);
        assertThat(pager.attempts()).extracting(Alert::title).containsExactly("a");
        assertThat(storage.attempts()).extracting(Alert::title).containsExactly("c");
    }

    @Test
    void countsAlertsNoRouteMatched() {
        Pipeline pipeline = new Pipeline(new EventDecoder(1024),
                List.of(new Route(List.of("ops"), List.of("other:*"), Set.of(), Map.of())),
                List.of(worker("ops", new RecordingSink())), metrics);
        pipeline.onMessage(message("alerts:x", "{\"title\":\"nobody\"}"));
        assertThat(metrics.get("alertrelay.events.unrouted").counter().count()).isEqualTo(1);
        pipeline.close(WAIT);
    }

    @Test
    void canariesAreRoutedButAbsorbedAtTheSinksEdgeUnlessARouteAsksForThem() throws Exception {
        RecordingSink people = new RecordingSink();
        RecordingSink canarySink = new RecordingSink();
        List<Route> routes = List.of(Route.toAll(List.of("people")),
                new Route(List.of("canary-log"), List.of("alerts:__canary__"), Set.of(), Map.of(), true));
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), routes,
                List.of(worker("people", people), worker("canary-log", canarySink)), metrics);
        List<String> canariesSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> alertsSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        pipeline.setCanaryFilter(alert -> alert.origin().channel().equals("alerts:__canary__"),
                (alert, node) -> canariesSeen.add(alert.title() + "@" + node));
        pipeline.addObserver((alert, node) -> alertsSeen.add(alert.title()));
        pipeline.start();
        pipeline.onMessage(message("alerts:__canary__", "{\"title\":\"canary 1\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"real\"}"));
        assertThat(people.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("real");
        assertThat(canarySink.awaitAttempts(1, WAIT)).extracting(Alert::title).containsExactly("canary 1");
        pipeline.close(WAIT);
        assertThat(people.attempts()).extracting(Alert::title).containsExactly("real");
        assertThat(canariesSeen).containsExactly("canary 1@127.0.0.1:1");
        assertThat(alertsSeen).containsExactly("real");
    }

    @Test
    void aCanaryNoRouteAsksForIsCountedAsAbsorbed() {
        RecordingSink people = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("people"))),
                List.of(worker("people", people)), metrics);
        pipeline.setCanaryFilter(alert -> alert.title().startsWith("canary"), (alert, node) -> { });
        pipeline.onMessage(message("alerts:__canary__", "{\"title\":\"canary 1\"}"));
        assertThat(metrics.get("alertrelay.canaries.absorbed").counter().count()).isEqualTo(1);
        assertThat(pipeline.workers().get("people").queueDepth()).isZero();
        pipeline.close(WAIT);
    }

    @Test
    void outcomeListenersHearTheFinalResult() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(DeliveryResult.rejected("channel_not_found"));
        SinkWorker worker = worker("ops", sink);
        List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        worker.addOutcomeListener((id, alert, result) -> outcomes.add(id + ":" + alert.title() + ":" + result.outcome()));
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("ops"))), List.of(worker),
                metrics);
        pipeline.start();
        pipeline.onMessage(message("alerts:x", "{\"title\":\"a\"}"));
        pipeline.onMessage(message("alerts:x", "{\"title\":\"b\"}"));
        sink.awaitAttempts(2, WAIT);
        pipeline.close(WAIT);
        assertThat(outcomes).containsExactly("ops:a:REJECTED", "ops:b:DELIVERED");
    }

    @Test
    void aDuplicateCanaryIsShownToCanaryObserversWithItsNodeButNeverRouted() throws Exception {
        RecordingSink sink = new RecordingSink();
        Pipeline pipeline = new Pipeline(new EventDecoder(1024),
                List.of(new Route(List.of("all"), List.of(), Set.of(), Map.of(), true)), List.of(worker("all", sink)),
                metrics);
        List<String> canariesSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        pipeline.setCanaryFilter(alert -> alert.title().startsWith("canary"),
                (alert, node) -> canariesSeen.add(alert.title() + "@" + node));
        pipeline.start();
        pipeline.onDuplicate(new InboundMessage("alerts:__canary__", Optional.of("alerts:*"), "{\"title\":\"canary 7\"}",
                "10.0.0.2:6379", Instant.now()));
        pipeline.onDuplicate(new InboundMessage("alerts:x", Optional.of("alerts:*"), "{\"title\":\"real\"}",
                "10.0.0.2:6379", Instant.now()));
        pipeline.close(WAIT);
        assertThat(canariesSeen).containsExactly("canary 7@10.0.0.2:6379");
        assertThat(sink.attempts()).isEmpty();
        assertThat(metrics.get("alertrelay.events.received").counter().count()).isZero();
    }
}

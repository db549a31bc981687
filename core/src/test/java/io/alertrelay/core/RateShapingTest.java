package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Rate;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Sink;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Rate shaping in {@link SinkWorker}: per-target token buckets, coalescing into digests, per-target pauses. */
final class RateShapingTest {
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final InMemoryOutbox outbox = new InMemoryOutbox(clock);
    private final TargetSink sink = new TargetSink();

    /** A sink whose target is the alert's {@code channel} label; records each call as the list of its alert ids. */
    private static final class TargetSink implements Sink {
        final List<String> calls = new ArrayList<>();
        final Map<String, Deque<Function<List<Alert>, DeliveryResult>>> scripts = new java.util.HashMap<>();

        TargetSink answer(String target, DeliveryResult... results) {
            Deque<Function<List<Alert>, DeliveryResult>> script =
                    scripts.computeIfAbsent(target, t -> new ArrayDeque<>());
            for (DeliveryResult result : results) {
                script.add(alerts -> result);
            }
            return this;
        }

        @Override
        public String target(Alert alert) {
            return alert.labels().getOrDefault("channel", "");
        }

        @Override
        public DeliveryResult deliver(Alert alert) {
            return record(List.of(alert));
        }

        @Override
        public DeliveryResult deliverAll(List<Alert> alerts) {
            return record(alerts);
        }

        private DeliveryResult record(List<Alert> alerts) {
            calls.add(String.join(",", alerts.stream().map(Alert::id).toList()));
            Deque<Function<List<Alert>, DeliveryResult>> script = scripts.get(target(alerts.get(0)));
            Function<List<Alert>, DeliveryResult> answer = script == null ? null : script.poll();
            return answer == null ? DeliveryResult.delivered() : answer.apply(alerts);
        }
    }

    private SinkWorker worker(Rate rate) {
        SinkWorker worker = new SinkWorker("ops", "test", sink, new DeliveryPolicy(1000, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofHours(24)), outbox, clock, metrics, () -> 0.5);
        worker.useRate(rate);
        return worker;
    }

    private static Alert alert(String id, String channel) {
        return Alerts.alert(id, "Disk full on " + id, Severity.CRITICAL, Map.of("channel", channel));
    }

    private double count(String name) {
        return metrics.get(name).tag("sink", "ops").counter().count();
    }

    private void drainReady(SinkWorker worker) throws InterruptedException {
        while (worker.step() == SinkWorker.Step.ATTEMPTED) {
            // every call the rate allows now
        }
    }

    @Test
    void aBurstWithinTheBucketGoesOneByOneAndWhatWaitsLongerIsOneDigest() throws Exception {
        SinkWorker worker = worker(new Rate(1, 3));
        worker.offer(alert("a-1", "#ops"));
        worker.offer(alert("a-2", "#ops"));
        drainReady(worker);
        assertThat(sink.calls).as("two waiting, three tokens: each alone").containsExactly("a-1", "a-2");

        for (int i = 3; i <= 7; i++) {
            worker.offer(alert("a-" + i, "#ops"));
        }
        drainReady(worker);
        assertThat(sink.calls).as("five waiting, one token: one digest of all five")
                .containsExactly("a-1", "a-2", "a-3,a-4,a-5,a-6,a-7");

        worker.offer(alert("a-8", "#ops"));
        worker.offer(alert("a-9", "#ops"));
        assertThat(worker.step()).as("no token left").isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(999);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(1);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.IDLE);
        assertThat(sink.calls).containsExactly("a-1", "a-2", "a-3,a-4,a-5,a-6,a-7", "a-8,a-9");
        assertThat(worker.pendingCount()).as("every coalesced notification is done").isZero();
        assertThat(count("alertrelay.sink.delivered")).isEqualTo(9);
        assertThat(count("alertrelay.sink.digests")).isEqualTo(2);
        assertThat(count("alertrelay.sink.coalesced")).isEqualTo(7);
    }

    @Test
    void aThousandAlertsForOneTargetNeedFewCallsAndLoseNone() throws Exception {
        SinkWorker worker = worker(new Rate(1, 3));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            worker.offer(alert("b-" + i, "#ops"));
            expected.add("b-" + i);
            if (i % 100 == 0) {
                drainReady(worker); // the worker runs while they arrive
                clock.advanceMillis(100);
            }
        }
        for (int second = 0; second < 5 && worker.pendingCount() > 0; second++) {
            clock.advanceMillis(1000);
            drainReady(worker);
        }
        assertThat(worker.pendingCount()).isZero();
        assertThat(sink.calls.size()).as("calls: at most the bucket plus one per second").isLessThanOrEqualTo(3 + 6);
        List<String> delivered = sink.calls.stream().flatMap(call -> List.of(call.split(",")).stream()).toList();
        assertThat(delivered).containsExactlyElementsOf(expected);
    }

    @Test
    void aRetryAfterPausesExactlyThatTargetWhileOthersFlow() throws Exception {
        sink.answer("#db", DeliveryResult.retryable("Slack answered HTTP 429 (retry after 30s)", Duration.ofSeconds(30)));
        SinkWorker worker = worker(new Rate(1, 3));
        worker.offer(alert("db-1", "#db"));
        worker.offer(alert("web-1", "#web"));
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED); // db-1: 429
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED); // web-1 flows
        worker.offer(alert("db-2", "#db"));
        worker.offer(alert("web-2", "#web"));
        assertThat(worker.step()).as("#web is not paused").isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).as("#db waits its 30 s").isEqualTo(SinkWorker.Step.WAITING);
        assertThat(worker.nextProbeAt()).contains(clock.instant().plusSeconds(30));
        assertThat(worker.consecutiveFailures()).isEqualTo(1);
        assertThat(worker.queueDepth()).as("db-1 is the probe, db-2 waits").isEqualTo(1);

        clock.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(1);
        assertThat(worker.step()).as("after the pause, what waited goes as one digest").isEqualTo(
                SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.IDLE);
        assertThat(sink.calls).containsExactly("db-1", "web-1", "web-2", "db-1,db-2");
        assertThat(worker.pendingCount()).isZero();
        assertThat(worker.consecutiveFailures()).isZero();
        assertThat(worker.nextProbeAt()).isEmpty();
    }

    @Test
    void withoutARateAFailingTargetDoesNotHoldBackAnotherAndNothingIsCoalesced() throws Exception {
        sink.answer("#db", DeliveryResult.retryable("HTTP 503"), DeliveryResult.retryable("HTTP 503"));
        SinkWorker worker = worker(null);
        worker.offer(alert("db-1", "#db"));
        worker.offer(alert("db-2", "#db"));
        worker.offer(alert("web-1", "#web"));
        worker.offer(alert("web-2", "#web"));
        drainReady(worker);
        assertThat(sink.calls).containsExactly("db-1", "web-1", "web-2");
        clock.advance(Duration.ofMinutes(10));
        drainReady(worker);
        clock.advance(Duration.ofMinutes(10));
        drainReady(worker);
        assertThat(sink.calls).containsExactly("db-1", "web-1", "web-2", "db-1", "db-1", "db-2");
        assertThat(count("alertrelay.sink.digests")).isZero();
        assertThat(worker.pendingCount()).isZero();
    }

    @Test
    void aRejectedDigestMakesEachOfItsNotificationsADeadLetterWithTheAnswer() throws Exception {
        sink.answer("#ops", DeliveryResult.delivered(), DeliveryResult.delivered(), DeliveryResult.delivered(),
                DeliveryResult.rejected("Slack answered: invalid_blocks"));
        SinkWorker worker = worker(new Rate(1, 3));
        for (int i = 1; i <= 3; i++) {
            worker.offer(alert("c-" + i, "#ops"));
            drainReady(worker);
        }
        worker.offer(alert("c-4", "#ops"));
        worker.offer(alert("c-5", "#ops"));
        clock.advanceMillis(1000);
        drainReady(worker);
        assertThat(sink.calls).containsExactly("c-1", "c-2", "c-3", "c-4,c-5");
        assertThat(outbox.deadLetters()).extracting(letter -> letter.alert().id()).containsExactly("c-4", "c-5");
        assertThat(outbox.deadLetters()).allSatisfy(letter -> {
            assertThat(letter.reason()).isEqualTo(DeadLetter.REJECTED);
            assertThat(letter.answer()).isEqualTo("Slack answered: invalid_blocks (one digest of 2 notifications)");
        });
        assertThat(worker.pendingCount()).isZero();
    }

    @Test
    void aSinksDefaultRateIsUsedUnlessConfigured() {
        Sink paced = new Sink() {
            @Override
            public DeliveryResult deliver(Alert alert) {
                return DeliveryResult.delivered();
            }

            @Override
            public java.util.Optional<Rate> defaultRate() {
                return java.util.Optional.of(new Rate(1, 3));
            }
        };
        SinkWorker worker = new SinkWorker("ops", "test", paced, DeliveryPolicy.defaults(), outbox, clock, metrics);
        assertThat(worker.rate()).contains(new Rate(1, 3));
        worker.useRate(null);
        assertThat(worker.rate()).isEmpty();
    }

    @Test
    void theBucketRefillsAtItsRateUpToTheBurst() {
        TokenBucket bucket = new TokenBucket(new Rate(2, 3), clock.instant());
        assertThat(bucket.available(clock.instant())).isEqualTo(3);
        bucket.take(clock.instant());
        bucket.take(clock.instant());
        bucket.take(clock.instant());
        assertThat(bucket.available(clock.instant())).isZero();
        assertThat(bucket.nextTokenAt(clock.instant())).isEqualTo(clock.instant().plusMillis(500));
        clock.advanceMillis(500);
        assertThat(bucket.available(clock.instant())).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(bucket.available(clock.instant())).isEqualTo(3);
        bucket.drain(clock.instant());
        assertThat(bucket.available(clock.instant())).isZero();
    }
}

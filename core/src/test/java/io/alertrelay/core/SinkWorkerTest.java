package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

final class SinkWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final InMemoryOutbox outbox = new InMemoryOutbox(clock);

    private static DeliveryPolicy policy(int capacity) {
        return new DeliveryPolicy(capacity, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(24),
                Duration.ofHours(24));
    }

    /** A worker driven by {@link SinkWorker#step} on the manual clock; jitter fixed at half the bound. */
    private SinkWorker stepped(Sink sink, DeliveryPolicy policy) {
        return new SinkWorker("ops", "test", sink, policy, outbox, clock, metrics, () -> 0.5);
    }

    private double count(String name) {
        return metrics.get(name).tag("sink", "ops").counter().count();
    }

    @Test
    void backsOffWithFullJitterAndHonoursRetryAfterExactly() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(
                DeliveryResult.retryable("HTTP 503"),
                DeliveryResult.retryable("rate limited", Duration.ofSeconds(10)));
        SinkWorker worker = stepped(sink, policy(10));
        worker.offer(Alerts.alert("a-1", "one"));

        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED); // 503: wait 0.5 x 1 s
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(499);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(1);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED); // 429 with Retry-After: 10 s exactly
        clock.advanceMillis(9_999);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advanceMillis(1);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);

        assertThat(sink.attempts()).extracting(Alert::id).containsExactly("a-1", "a-1", "a-1");
        assertThat(count("alertrelay.sink.delivered")).isEqualTo(1);
        assertThat(count("alertrelay.sink.retries")).isEqualTo(2);
        assertThat(worker.pendingCount()).isZero();
    }

    @Test
    void theBackoffBoundDoublesUpToTheCap() {
        DeliveryPolicy policy = policy(10);
        assertThat(policy.backoff(1, 0.999_999)).isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
        assertThat(policy.backoff(4, 0.999_999)).isBetween(Duration.ofMillis(7_999), Duration.ofSeconds(8));
        assertThat(policy.backoff(9, 0.999_999)).isBetween(Duration.ofMillis(255_999), Duration.ofSeconds(256));
        assertThat(policy.backoff(10, 0.999_999)).isBetween(Duration.ofMillis(299_999), Duration.ofMinutes(5));
        assertThat(policy.backoff(1_000, 0.999_999)).isBetween(Duration.ofMillis(299_999), Duration.ofMinutes(5));
        assertThat(policy.backoff(3, 0)).isZero();
    }

    @Test
    void whileASinkFailsOnlyTheOldestIsTriedAndTheFirstSuccessReleasesTheRest() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(DeliveryResult.retryable("down"),
                DeliveryResult.retryable("down"), DeliveryResult.retryable("down"));
        SinkWorker worker = stepped(sink, policy(10));
        for (int i = 1; i <= 4; i++) {
            worker.offer(Alerts.alert("a-" + i, "n" + i));
        }
        for (int failure = 1; failure <= 3; failure++) {
            assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
            assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
            assertThat(worker.queueDepth()).as("the others wait").isEqualTo(3);
            clock.advance(Duration.ofMinutes(10));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(worker.step()).as("no back-off after the first success").isEqualTo(SinkWorker.Step.ATTEMPTED);
        }
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.IDLE);
        assertThat(sink.attempts()).extracting(Alert::id)
                .containsExactly("a-1", "a-1", "a-1", "a-1", "a-2", "a-3", "a-4");
        assertThat(count("alertrelay.sink.delivered")).isEqualTo(4);
    }

    @Test
    void aRejectionIsADeadLetterAtOnceWithTheSinksAnswer() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(DeliveryResult.rejected("HTTP 400 invalid_payload"));
        SinkWorker worker = stepped(sink, policy(10));
        worker.offer(Alerts.alert("a-1", "one"));
        worker.offer(Alerts.alert("a-2", "two"));
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).as("not held back").isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(sink.attempts()).extracting(Alert::id).containsExactly("a-1", "a-2");
        assertThat(outbox.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.alert().id()).isEqualTo("a-1");
            assertThat(letter.reason()).isEqualTo(DeadLetter.REJECTED);
            assertThat(letter.answer()).isEqualTo("HTTP 400 invalid_payload");
            assertThat(letter.attempts()).isEqualTo(1);
        });
        assertThat(worker.deadLetterCount()).isEqualTo(1);
        assertThat(count("alertrelay.sink.rejected")).isEqualTo(1);

        worker.enqueue(outbox.redrive(outbox.deadLetters().get(0).id()).orElseThrow());
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(sink.attempts()).extracting(Alert::id).containsExactly("a-1", "a-2", "a-1");
        assertThat(worker.deadLetterCount()).isZero();
        assertThat(worker.pendingCount()).isZero();
    }

    @Test
    void aNotificationOlderThanMaxAgeExpiresIntoDeadLettersAndTheNextBecomesTheProbe() throws Exception {
        Sink down = alert -> DeliveryResult.retryable("HTTP 503");
        DeliveryPolicy policy = new DeliveryPolicy(10, Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofHours(24), Duration.ofHours(1));
        SinkWorker worker = stepped(down, policy);
        worker.offer(Alerts.alert("a-1", "old"));
        clock.advance(Duration.ofMinutes(30));
        worker.offer(Alerts.alert("a-2", "younger"));
        int attempts = 0;
        while (outbox.deadLetters().isEmpty()) {
            if (worker.step() == SinkWorker.Step.ATTEMPTED) {
                attempts++;
            }
            clock.advance(Duration.ofMinutes(5));
        }
        assertThat(attempts).as("retried on the schedule, not a count").isGreaterThan(5);
        assertThat(outbox.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.alert().id()).isEqualTo("a-1");
            assertThat(letter.reason()).isEqualTo(DeadLetter.EXPIRED);
            assertThat(letter.answer()).contains("HTTP 503");
        });
        assertThat(worker.pendingCount()).isEqualTo(1);
        assertThat(worker.oldestPending()).as("a-2 is the oldest now").contains(Instant.parse("2026-11-27T10:30:00Z"));
        assertThat(count("alertrelay.sink.failed")).isEqualTo(1);
    }

    @Test
    void beyondQueueCapacityNotificationsStayOnDiskAndAreDeliveredInOrder() throws Exception {
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = stepped(sink, policy(2));
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.IDLE);
        for (int i = 1; i <= 7; i++) {
            assertThat(worker.offer(Alerts.alert("a-" + i, "n" + i))).isTrue();
        }
        assertThat(count("alertrelay.sink.spilled")).isEqualTo(5);
        assertThat(worker.queueDepth()).isEqualTo(7);
        while (worker.step() != SinkWorker.Step.IDLE) {
            // deliver everything
        }
        assertThat(sink.attempts()).extracting(Alert::id)
                .containsExactly("a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "a-7");
        assertThat(count("alertrelay.sink.dropped")).isZero();
    }

    @Test
    void deliversOnItsOwnThreadAndDrainsOnClose() throws Exception {
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = new SinkWorker("ops", "test", sink, policy(100), metrics);
        for (int i = 0; i < 20; i++) {
            worker.offer(Alerts.alert("a-" + i, "t"));
        }
        worker.start();
        worker.close(WAIT);
        assertThat(sink.attempts()).hasSize(20);
        assertThat(sink.closed()).isTrue();
        assertThat(worker.offer(Alerts.alert("late", "t"))).isFalse();
        assertThat(count("alertrelay.sink.dropped")).isEqualTo(1);
    }

    @Test
    void closeDoesNotWaitForAFailingSinkAndLeavesItsBacklogInTheOutbox() throws Exception {
        CountDownLatch tried = new CountDownLatch(1);
        Sink down = alert -> {
            tried.countDown();
            return DeliveryResult.retryable("HTTP 503", Duration.ofHours(1));
        };
        SinkWorker worker = new SinkWorker("ops", "test", down, policy(100), outbox, clock, metrics);
        worker.start();
        for (int i = 0; i < 5; i++) {
            worker.offer(Alerts.alert("a-" + i, "t"));
        }
        tried.await();
        worker.close(Duration.ofDays(1)); // returns once the probe failed: a backing-off sink is not waited for
        assertThat(outbox.pendingCount("ops")).isEqualTo(5);
    }

    @Test
    void aStuckSinkDoesNotBlockOffers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Sink blocked = alert -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DeliveryResult.delivered();
        };
        SinkWorker worker = new SinkWorker("ops", "test", blocked, policy(2), metrics);
        worker.start();
        worker.offer(Alerts.alert("a-0", "in flight"));
        entered.await();
        for (int i = 1; i <= 5; i++) {
            assertThat(worker.offer(Alerts.alert("a-" + i, "waits"))).isTrue();
        }
        assertThat(worker.queueDepth()).isEqualTo(5);
        release.countDown();
        worker.close(WAIT);
        assertThat(count("alertrelay.sink.delivered")).isEqualTo(6);
    }

    /** Claims as a second relay would see them: scripted per key, recording what was marked done. */
    private static final class ScriptedClaims implements DeliveryClaims {
        final java.util.Map<String, java.util.Deque<Result>> answers = new java.util.HashMap<>();
        final java.util.List<String> done = new java.util.ArrayList<>();

        /** Answers for the key of the alert with this id (keys are {@code sink:status:id:hash}). */
        ScriptedClaims answer(String alertKey, Result... results) {
            answers.computeIfAbsent(alertKey, k -> new java.util.ArrayDeque<>()).addAll(java.util.List.of(results));
            return this;
        }

        private static String withoutHash(String key) {
            return key.substring(0, key.lastIndexOf(':'));
        }

        @Override
        public Result claim(String key) {
            java.util.Deque<Result> queue = answers.get(withoutHash(key));
            return queue == null || queue.isEmpty() ? Result.WON : queue.poll();
        }

        @Override
        public void done(String key) {
            done.add(withoutHash(key));
        }

        @Override
        public Duration recheckAfter() {
            return Duration.ofSeconds(1);
        }
    }

    @Test
    void withClaimsOnlyTheWinnerDeliversAHeldOneWaitsAndAnUnreachableStoreFailsOpen() throws Exception {
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = stepped(sink, policy(10));
        ScriptedClaims claims = new ScriptedClaims()
                .answer("ops:firing:a-2", DeliveryClaims.Result.HELD_ELSEWHERE, DeliveryClaims.Result.DONE_ELSEWHERE)
                .answer("ops:firing:a-3", DeliveryClaims.Result.UNAVAILABLE);
        worker.useClaims(claims);
        for (int i = 1; i <= 3; i++) {
            worker.offer(Alerts.alert("a-" + i, "n" + i));
        }
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.ATTEMPTED); // a-1 won, delivered
        assertThat(worker.step()).as("a-2 is held by another relay").isEqualTo(SinkWorker.Step.WAITING);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.WAITING);
        clock.advance(Duration.ofSeconds(1));
        assertThat(worker.step()).as("a-2 was delivered there").isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).as("a-3: no claim possible, delivered anyway").isEqualTo(SinkWorker.Step.ATTEMPTED);
        assertThat(worker.step()).isEqualTo(SinkWorker.Step.IDLE);

        assertThat(sink.attempts()).extracting(Alert::id).containsExactly("a-1", "a-3");
        assertThat(claims.done).containsExactly("ops:firing:a-1", "ops:firing:a-3");
        assertThat(worker.pendingCount()).isZero();
        assertThat(worker.claimCounts()).contains(new SinkWorker.ClaimCounts(1, 1, 1));
        assertThat(worker.nextProbeAt()).isEmpty();
        assertThat(metrics.get("alertrelay.sink.claims").tag("result", "unavailable").functionCounter().count())
                .isEqualTo(1);
    }

    @Test
    void theClaimKeyIsTheSameForTheSamePublicationAndDiffersForARefire() {
        Alert fired = Alerts.diskFull();
        Alert seenByAnotherRelay = new Alert(fired.id(), fired.title(), fired.status(), fired.severity(), fired.summary(),
                fired.labels(), fired.source(), fired.timestamp(), fired.extra(), new Alert.Origin(
                fired.origin().channel(), java.util.Optional.empty(), fired.origin().receivedAt().plusMillis(3)));
        Alert refired = new Alert(fired.id(), fired.title(), fired.status(), fired.severity(), fired.summary(),
                fired.labels(), fired.source(), fired.timestamp().map(at -> at.plusSeconds(600)), fired.extra(),
                fired.origin());
        java.time.Instant now = clock.instant();
        String key = SinkWorker.claimKey(new io.alertrelay.core.outbox.Notification(1, "ops", fired, now));
        assertThat(key).startsWith("ops:firing:evt-42:").hasSize("ops:firing:evt-42:".length() + 16);
        assertThat(SinkWorker.claimKey(new io.alertrelay.core.outbox.Notification(9, "ops", seenByAnotherRelay, now)))
                .isEqualTo(key);
        assertThat(SinkWorker.claimKey(new io.alertrelay.core.outbox.Notification(1, "ops", refired, now)))
                .isNotEqualTo(key);
    }
}

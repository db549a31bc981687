package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

final class SinkWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private static DeliveryPolicy fastPolicy(int capacity, int attempts) {
        return new DeliveryPolicy(capacity, attempts, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20));
    }

    private double count(String name) {
        return metrics.get(name).tag("sink", "ops").counter().count();
    }

    @Test
    void retriesRetryableFailuresUntilDelivered() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(
                DeliveryResult.retryable("HTTP 503"),
                DeliveryResult.retryable("rate limited", Duration.ofMillis(10)));
        try (SinkWorker worker = new SinkWorker("ops", "test", sink, fastPolicy(10, 5), metrics)) {
            worker.start();
            worker.offer(Alerts.alert("a-1", "one"));
            assertThat(sink.awaitAttempts(3, WAIT)).extracting(Alert::id).containsExactly("a-1", "a-1", "a-1");
            awaitCount("alertrelay.sink.delivered", 1);
            assertThat(count("alertrelay.sink.retries")).isEqualTo(2);
        }
    }

    @Test
    void doesNotRetryARejection() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(DeliveryResult.rejected("invalid_payload"));
        try (SinkWorker worker = new SinkWorker("ops", "test", sink, fastPolicy(10, 5), metrics)) {
            worker.start();
            worker.offer(Alerts.alert("a-1", "one"));
            worker.offer(Alerts.alert("a-2", "two"));
            assertThat(sink.awaitAttempts(2, WAIT)).extracting(Alert::id).containsExactly("a-1", "a-2");
            awaitCount("alertrelay.sink.delivered", 1);
            assertThat(count("alertrelay.sink.rejected")).isEqualTo(1);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsAndMovesOn() throws Exception {
        RecordingSink sink = new RecordingSink()
                .thenAnswer(DeliveryResult.retryable("down"), DeliveryResult.retryable("down"))
                .thenThrow(new IllegalStateException("boom"));
        try (SinkWorker worker = new SinkWorker("ops", "test", sink, fastPolicy(10, 3), metrics)) {
            worker.start();
            worker.offer(Alerts.alert("a-1", "one"));
            worker.offer(Alerts.alert("a-2", "two"));
            assertThat(sink.awaitAttempts(4, WAIT)).extracting(Alert::id).containsExactly("a-1", "a-1", "a-1", "a-2");
            awaitCount("alertrelay.sink.delivered", 1);
            assertThat(count("alertrelay.sink.failed")).isEqualTo(1);
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
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
        SinkWorker worker = new SinkWorker("ops", "test", blocked, fastPolicy(2, 1), metrics);
        worker.start();
        worker.offer(Alerts.alert("a-0", "in flight"));
        entered.await();
        assertThat(worker.offer(Alerts.alert("a-1", "queued"))).isTrue();
        assertThat(worker.offer(Alerts.alert("a-2", "queued"))).isTrue();
        assertThat(worker.offer(Alerts.alert("a-3", "no room"))).isFalse();
        assertThat(count("alertrelay.sink.dropped")).isEqualTo(1);
        assertThat(worker.queueDepth()).isEqualTo(2);
        release.countDown();
        worker.close(WAIT);
        assertThat(count("alertrelay.sink.delivered")).isEqualTo(3);
    }

    @Test
    void closeDrainsQueuedAlertsThenClosesTheSink() throws Exception {
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = new SinkWorker("ops", "test", sink, fastPolicy(100, 1), metrics);
        for (int i = 0; i < 20; i++) {
            worker.offer(Alerts.alert("a-" + i, "t"));
        }
        worker.start();
        worker.close(WAIT);
        assertThat(sink.attempts()).hasSize(20);
        assertThat(sink.closed()).isTrue();
        assertThat(worker.offer(Alerts.alert("late", "t"))).isFalse();
    }

    private void awaitCount(String name, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (count(name) < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(count(name)).isEqualTo(expected);
    }

    @Test
    void equalInitialAndMaxBackoffMeanAFixedDelay() throws Exception {
        RecordingSink sink = new RecordingSink().thenAnswer(DeliveryResult.retryable("down"));
        DeliveryPolicy fixed = new DeliveryPolicy(10, 3, Duration.ofMillis(2), Duration.ofMillis(2), Duration.ofMillis(2));
        try (SinkWorker worker = new SinkWorker("ops", "test", sink, fixed, metrics)) {
            worker.start();
            worker.offer(Alerts.alert("a-1", "one"));
            assertThat(sink.awaitAttempts(2, WAIT)).extracting(Alert::id).containsExactly("a-1", "a-1");
            awaitCount("alertrelay.sink.delivered", 1);
        }
    }
}

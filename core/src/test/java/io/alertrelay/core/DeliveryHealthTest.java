package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DeliveryHealthTest {
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final InMemoryOutbox outbox = new InMemoryOutbox(clock);
    private final RecordingSink slack = new RecordingSink().thenAnswer(DeliveryResult.retryable("HTTP 503"),
            DeliveryResult.retryable("HTTP 503"));
    private final SinkWorker worker = new SinkWorker("ops", "test", slack, DeliveryPolicy.defaults(), outbox, clock,
            metrics, () -> 0.5);
    private final SinkWorker mail = new SinkWorker("mail", "test", new RecordingSink(), DeliveryPolicy.defaults(),
            outbox, clock, metrics, () -> 0.5);
    private final DeliveryHealth health = new DeliveryHealth(List.of(worker, mail), Duration.ofMinutes(1), clock, metrics);

    private double gauge(String sink) {
        return metrics.get("alertrelay.sink.degraded").tag("sink", sink).gauge().value();
    }

    @Test
    void aSinkWhoseOldestNotificationWaitsLongerThanDegradedAfterIsDegradedUntilItsBacklogIsDelivered()
            throws Exception {
        worker.offer(Alerts.alert("a-1", "one"));
        worker.offer(Alerts.alert("a-2", "two"));
        worker.step(); // 503
        clock.advance(Duration.ofSeconds(60));
        assertThat(health.evaluate()).as("exactly degraded-after is not yet").isEmpty();
        assertThat(health.isDegraded("ops")).isFalse();

        clock.advance(Duration.ofSeconds(1));
        worker.step(); // 503 again
        assertThat(health.evaluate()).singleElement().satisfies(change -> {
            assertThat(change.sinkId()).isEqualTo("ops");
            assertThat(change.state()).isEqualTo(DeliveryHealth.State.DEGRADED);
            assertThat(change.oldestSince()).isEqualTo(Instant.parse("2026-11-27T10:00:00Z"));
            assertThat(change.oldestAge()).isEqualTo(Duration.ofSeconds(61));
            assertThat(change.waiting()).isEqualTo(2);
            assertThat(change.lastFailure()).isEqualTo("HTTP 503");
        });
        assertThat(health.evaluate()).as("reported once").isEmpty();
        assertThat(health.degraded()).containsExactly("ops");
        assertThat(gauge("ops")).isEqualTo(1);
        assertThat(gauge("mail")).isZero();
        assertThat(metrics.get("alertrelay.sinks.degraded").gauge().value()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(10));
        worker.step(); // delivered: a-1
        assertThat(health.evaluate()).as("a-2 is as old as a-1 was").isEmpty();
        worker.step(); // a-2, at once
        assertThat(health.evaluate()).singleElement().satisfies(change -> {
            assertThat(change.state()).isEqualTo(DeliveryHealth.State.OK);
            assertThat(change.waiting()).isZero();
        });
        assertThat(gauge("ops")).isZero();
    }
}

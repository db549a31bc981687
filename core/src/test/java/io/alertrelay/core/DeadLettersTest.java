package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.testing.Alerts;
import io.alertrelay.testing.ManualClock;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class DeadLettersTest {
    private final ManualClock clock = ManualClock.at("2026-11-27T10:00:00Z");
    private final InMemoryOutbox outbox = new InMemoryOutbox(clock);
    private final RecordingSink slack = new RecordingSink().thenAnswer(DeliveryResult.rejected("invalid_payload"),
            DeliveryResult.rejected("invalid_payload"));
    private final SinkWorker worker = new SinkWorker("ops", "test", slack, DeliveryPolicy.defaults(), outbox, clock,
            new SimpleMeterRegistry(), () -> 0.5);
    private final DeadLetters deadLetters = new DeadLetters(outbox, Map.of("ops", worker));

    @Test
    void listsRetriesAndPurgesDeadLetters() throws Exception {
        worker.offer(Alerts.alert("a-1", "one"));
        worker.offer(Alerts.alert("a-2", "two"));
        worker.step();
        worker.step();
        outbox.deadLetter(outbox.add("gone", Alerts.alert("g-1", "for a sink removed from the config")), 1,
                DeadLetter.REJECTED, "HTTP 404");
        assertThat(deadLetters.list(Optional.of("ops"))).extracting(letter -> letter.alert().id())
                .containsExactly("a-1", "a-2");
        assertThat(deadLetters.list(Optional.empty())).hasSize(3);
        long first = deadLetters.list(Optional.of("ops")).get(0).id();
        long second = deadLetters.list(Optional.of("ops")).get(1).id();
        long orphan = deadLetters.list(Optional.of("gone")).get(0).id();

        assertThat(deadLetters.retry(first)).isInstanceOf(DeadLetters.Retried.class);
        worker.step();
        assertThat(slack.attempts()).extracting(Alert::id).containsExactly("a-1", "a-2", "a-1");
        assertThat(deadLetters.retry(first)).isEqualTo(new DeadLetters.NotFound(first));
        assertThat(deadLetters.retry(orphan)).isInstanceOf(DeadLetters.SinkNotConfigured.class);
        assertThat(deadLetters.purge(second)).isTrue();
        assertThat(deadLetters.purge(second)).isFalse();
        assertThat(deadLetters.purgeAll(Optional.empty())).isEqualTo(1);
        assertThat(deadLetters.list(Optional.empty())).isEmpty();
        assertThat(worker.pendingCount()).isZero();
    }
}

package io.alertrelay.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.InMemoryOutbox;
import io.alertrelay.core.outbox.Notification;
import io.alertrelay.core.outbox.Outbox;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.InboundMessage;
import io.alertrelay.testing.RecordingSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The completion a stream source waits for before XACK: only once the notifications are durable, or not needed. */
final class PipelineCompletionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();

    /** An outbox whose group commit happens only when the test opens the gate. */
    private static final class GatedOutbox implements Outbox {
        final InMemoryOutbox delegate = new InMemoryOutbox();
        final CountDownLatch flushed = new CountDownLatch(1);

        @Override public Notification add(String sinkId, List<Alert> alerts) { return delegate.add(sinkId, alerts); }
        @Override public void awaitDurable(long id) throws InterruptedException { flushed.await(); }
        @Override public void done(Notification n) { delegate.done(n); }
        @Override public DeadLetter deadLetter(Notification n, int attempts, String reason, String answer) {
            return delegate.deadLetter(n, attempts, reason, answer);
        }
        @Override public List<Notification> pending(String sinkId, long afterId, int limit) {
            return delegate.pending(sinkId, afterId, limit);
        }
        @Override public long pendingCount(String sinkId) { return delegate.pendingCount(sinkId); }
        @Override public Set<String> sinkIds() { return delegate.sinkIds(); }
        @Override public List<DeadLetter> deadLetters() { return delegate.deadLetters(); }
        @Override public Optional<DeadLetter> deadLetter(long id) { return delegate.deadLetter(id); }
        @Override public long deadLetterCount(String sinkId) { return delegate.deadLetterCount(sinkId); }
        @Override public Optional<Notification> redrive(long id) { return delegate.redrive(id); }
        @Override public boolean purge(long id) { return delegate.purge(id); }
        @Override public void flush() { flushed.countDown(); }
        @Override public void close() { flushed.countDown(); }
    }

    private InboundMessage entry(String id, String payload) {
        return new InboundMessage("alerts:stream", Optional.empty(), payload, "alerts:stream", Instant.now(),
                () -> handled.add(id));
    }

    @Test
    void anEntryIsHandledOnlyOnceItsNotificationsAreDurableAndPoisonAtOnce() throws Exception {
        GatedOutbox outbox = new GatedOutbox();
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = new SinkWorker("ops", "test", sink, DeliveryPolicy.defaults(), outbox, Clock.systemUTC(),
                metrics);
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("ops"))),
                List.of(worker), metrics);
        pipeline.start();

        pipeline.onMessage(entry("1-0", "{\"title\":\"disk full\"}"));
        assertThat(handled.poll(200, TimeUnit.MILLISECONDS)).as("not durable yet: not handled").isNull();

        outbox.flush();
        assertThat(handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("1-0");

        pipeline.onMessage(entry("2-0", "not json"));
        assertThat(handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("poison: handled (acked)").isEqualTo("2-0");
        pipeline.onUnreadable(entry("3-0", ""), Rejection.MISSING_FIELD, "stream entry 3-0 has no field 'event'");
        assertThat(handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("3-0");
        assertThat(pipeline.recentRejections()).extracting(Rejection::reason)
                .containsExactly(Rejection.NOT_JSON, Rejection.MISSING_FIELD);
        assertThat(metrics.get("alertrelay.events.rejected").tag("reason", "missing_field").counter().count())
                .isEqualTo(1);
        pipeline.close(WAIT);
    }

    @Test
    void aPubSubMessageNeedsNoCompletionAndARefusedOneIsNeverCompleted() throws Exception {
        RecordingSink sink = new RecordingSink();
        SinkWorker worker = new SinkWorker("ops", "test", sink, DeliveryPolicy.defaults(), metrics);
        Pipeline pipeline = new Pipeline(new EventDecoder(1024), List.of(Route.toAll(List.of("ops"))),
                List.of(worker), metrics);
        pipeline.start();
        InboundMessage pubSub = new InboundMessage("alerts:x", Optional.empty(), "{\"title\":\"a\"}", "n", Instant.now());
        assertThat(pubSub.wantsCompletion()).isFalse();
        pipeline.onMessage(pubSub);
        assertThat(sink.awaitAttempts(1, WAIT)).hasSize(1);
        pipeline.close(WAIT);
        pipeline.onMessage(entry("9-0", "{\"title\":\"late\"}"));   // the sink refuses: stopping
        assertThat(handled.poll(300, TimeUnit.MILLISECONDS)).as("refused while stopping: stays pending").isNull();
    }
}

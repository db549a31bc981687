package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.core.outbox.DeadLetter;
import io.alertrelay.core.outbox.Notification;
import io.alertrelay.core.outbox.Outbox;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does with dead letters: list, show, re-drive (back to the sink's queue, behind what is pending,
 * as a new notification whose age counts from now) and purge. Thread-safe.
 */
public final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    /** The result of a re-drive. */
    public sealed interface Retry permits Retried, NotFound, SinkNotConfigured {}

    public record Retried(DeadLetter letter, Notification notification) implements Retry {}

    public record NotFound(long id) implements Retry {}

    /** The dead letter's sink is not in this relay's configuration: it stays a dead letter. */
    public record SinkNotConfigured(DeadLetter letter) implements Retry {}

    private final Outbox outbox;
    private final Map<String, SinkWorker> workers;

    public DeadLetters(Outbox outbox, Map<String, SinkWorker> workers) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.workers = Map.copyOf(requireNonNull(workers, "workers is null"));
    }

    /** Oldest first; only this sink's when given. */
    public List<DeadLetter> list(Optional<String> sinkId) {
        return outbox.deadLetters().stream().filter(letter -> sinkId.map(letter.sinkId()::equals).orElse(true))
                .toList();
    }

    public Optional<DeadLetter> get(long id) {
        return outbox.deadLetter(id);
    }

    public synchronized Retry retry(long id) {
        Optional<DeadLetter> letter = outbox.deadLetter(id);
        if (letter.isEmpty()) {
            return new NotFound(id);
        }
        SinkWorker worker = workers.get(letter.get().sinkId());
        if (worker == null) {
            return new SinkNotConfigured(letter.get());
        }
        Optional<Notification> notification = outbox.redrive(id);
        if (notification.isEmpty()) {
            return new NotFound(id);
        }
        worker.enqueue(notification.get());
        log.info("Dead letter {} (alert {}) re-driven to sink {} as notification {}", id,
                letter.get().alert().id(), letter.get().sinkId(), notification.get().id());
        return new Retried(letter.get(), notification.get());
    }

    /** Re-drives every dead letter (of this sink, when given) whose sink is configured; returns how many. */
    public synchronized int retryAll(Optional<String> sinkId) {
        int count = 0;
        for (DeadLetter letter : list(sinkId)) {
            if (retry(letter.id()) instanceof Retried) {
                count++;
            }
        }
        return count;
    }

    public synchronized boolean purge(long id) {
        boolean purged = outbox.purge(id);
        if (purged) {
            log.info("Dead letter {} purged", id);
        }
        return purged;
    }

    /** Purges every dead letter (of this sink, when given); returns how many. */
    public synchronized int purgeAll(Optional<String> sinkId) {
        int count = 0;
        for (DeadLetter letter : list(sinkId)) {
            if (outbox.purge(letter.id())) {
                count++;
            }
        }
        log.info("{} dead letter(s) purged{}", count, sinkId.map(id -> " for sink " + id).orElse(""));
        return count;
    }
}

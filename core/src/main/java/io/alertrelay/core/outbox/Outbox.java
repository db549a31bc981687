package io.alertrelay.core.outbox;

import io.alertrelay.spi.Alert;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Port: where notifications wait until their sink accepted them.
 *
 * <p>Writes are group-committed: {@link #add} returns at once (it is called on the source's I/O thread and never
 * waits for the disk) and the notification is durable once a flush wrote it; {@link #awaitDurable} waits for that.
 * A sink is called only for a durable notification, so what a sink has seen survives a crash. {@link #done} and
 * {@link #deadLetter} are durable after the next flush too: a crash in between delivers that notification again
 * (at-least-once).
 *
 * <p>Thread-safe. Reads ({@link #pending}, {@link #deadLetters}) see every write whose flush completed.
 */
public interface Outbox extends AutoCloseable {
    /** Records a new notification for {@code sinkId}; durable after the next flush. Never blocks on I/O. */
    default Notification add(String sinkId, Alert alert) {
        return add(sinkId, List.of(alert));
    }

    /** Records one notification of several alerts (a group), delivered as one message; like {@link #add(String, Alert)}. */
    Notification add(String sinkId, List<Alert> alerts);

    /**
     * Blocks until the notification with this id (and every earlier one) is on disk. Returns at once for an id already
     * durable, and when the outbox is closed (then nothing can be made durable any more).
     */
    void awaitDurable(long id) throws InterruptedException;

    /** The sink accepted it: removes it. */
    void done(Notification notification);

    /** Gives it up: moves it from pending to the dead letters, with the sink's answer. */
    DeadLetter deadLetter(Notification notification, int attempts, String reason, String answer);

    /** Pending notifications of one sink with an id above {@code afterId}, oldest first, at most {@code limit}. */
    List<Notification> pending(String sinkId, long afterId, int limit);

    /** How many notifications are pending for this sink (on disk or about to be). */
    long pendingCount(String sinkId);

    /** Sinks with pending notifications or dead letters in the store, configured or not. */
    Set<String> sinkIds();

    /** Every dead letter, oldest first. */
    List<DeadLetter> deadLetters();

    Optional<DeadLetter> deadLetter(long id);

    long deadLetterCount(String sinkId);

    /**
     * Moves a dead letter back to pending as a new notification (a new id, so it goes behind what is pending now; its
     * age counts from now). Empty when there is no such dead letter.
     */
    Optional<Notification> redrive(long deadLetterId);

    /** Deletes a dead letter; false when there was none. */
    boolean purge(long deadLetterId);

    /** Writes everything recorded so far to disk now (one fsync) and returns when it is durable. */
    void flush();

    /** Flushes and closes. Idempotent. */
    @Override
    void close();
}

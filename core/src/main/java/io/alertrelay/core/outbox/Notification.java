package io.alertrelay.core.outbox;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.time.Instant;

/**
 * One alert owed to one sink.
 *
 * @param id        the outbox's sequence number: unique in one store, increasing in the order notifications were
 *                  recorded, so oldest first is ascending id
 * @param sinkId    {@code sinks.<id>}
 * @param alert     what to deliver
 * @param createdAt when the relay recorded it; its age (for {@code max-age} and DEGRADED) counts from here, across
 *                  restarts
 */
public record Notification(long id, String sinkId, Alert alert, Instant createdAt) {
    public Notification {
        requireNonNull(sinkId, "sinkId is null");
        requireNonNull(alert, "alert is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}

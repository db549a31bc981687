package io.alertrelay.core.outbox;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Digest;
import java.time.Instant;
import java.util.List;

/**
 * One notification owed to one sink: one alert, or several delivered as one message (a route's group).
 *
 * @param id        the outbox's sequence number: unique in one store, increasing in the order notifications were
 *                  recorded, so oldest first is ascending id
 * @param sinkId    {@code sinks.<id>}
 * @param alert     what to deliver: the alert itself, or for several the {@link Digest} of them (what logs, claim keys
 *                  and dead letters name)
 * @param createdAt when the relay recorded it; its age (for {@code max-age} and DEGRADED) counts from here, across
 *                  restarts
 * @param alerts    every alert of the notification, oldest first ({@code [alert]} for one): what
 *                  {@link io.alertrelay.spi.Sink#deliverAll} gets
 */
public record Notification(long id, String sinkId, Alert alert, Instant createdAt, List<Alert> alerts) {
    public Notification {
        requireNonNull(sinkId, "sinkId is null");
        requireNonNull(alert, "alert is null");
        requireNonNull(createdAt, "createdAt is null");
        alerts = List.copyOf(requireNonNull(alerts, "alerts is null"));
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a notification needs at least one alert");
        }
    }

    /** A notification of one alert. */
    public Notification(long id, String sinkId, Alert alert, Instant createdAt) {
        this(id, sinkId, alert, createdAt, List.of(alert));
    }

    /** A notification of one or several alerts; {@link #alert()} is their digest. */
    public static Notification of(long id, String sinkId, List<Alert> alerts, Instant createdAt) {
        return new Notification(id, sinkId, Digest.of(alerts), createdAt, alerts);
    }
}

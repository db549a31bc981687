package io.alertrelay.core.outbox;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.time.Instant;

/**
 * A notification the relay stopped trying to deliver, kept with the sink's last answer until someone retries or purges
 * it.
 *
 * @param id        the dead letter's id (the notification's id when it died)
 * @param sinkId    {@code sinks.<id>}
 * @param alert     what was to be delivered
 * @param createdAt when the notification was first recorded
 * @param diedAt    when it was given up
 * @param attempts  delivery attempts made (in the last run of the relay that tried it)
 * @param reason    {@link #REJECTED} (the sink refused it permanently) or {@link #EXPIRED} (older than
 *                  {@code max-age})
 * @param answer    the sink's last answer, as it classified it (never a secret: sinks keep tokens out of details)
 */
public record DeadLetter(long id, String sinkId, Alert alert, Instant createdAt, Instant diedAt, int attempts,
                         String reason, String answer) {
    public static final String REJECTED = "rejected";
    public static final String EXPIRED = "expired";

    public DeadLetter {
        requireNonNull(sinkId, "sinkId is null");
        requireNonNull(alert, "alert is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(diedAt, "diedAt is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(answer, "answer is null");
    }
}

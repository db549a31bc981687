package io.alertrelay.watchdog.streams;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One tracked stream as of the last {@link StreamWatch#record} or {@link StreamWatch#evaluate}, for the status page.
 *
 * @param key          the stream key
 * @param events       events seen since the stream was first seen (since start-up, or since it was forgotten)
 * @param lastEventAt  when the last one arrived (by the watch's clock)
 * @param usualGap     its usual gap between events: an EWMA of inter-arrival gaps, each weighted by its length;
 *                     empty before the second event
 * @param absenceLimit the silence that would make it ABSENT ({@code max(factor × usualGap, floor)}); empty while the
 *                     stream has fewer than {@code absence.min-events}
 * @param windowRate   events per minute in the last complete anomaly window; empty before one completed
 * @param baselineRate the baseline, in events per minute; empty before the first complete window
 * @param absence      LEARNING, WATCHING or ABSENT
 * @param anomaly      DISABLED, LEARNING, NORMAL, SPIKE or DROP
 */
public record StreamStatus(
        String key,
        long events,
        Instant lastEventAt,
        Optional<Duration> usualGap,
        Optional<Duration> absenceLimit,
        OptionalDouble windowRate,
        OptionalDouble baselineRate,
        AbsenceState absence,
        AnomalyState anomaly) {

    public enum AbsenceState {
        /** Fewer than {@code absence.min-events} seen: not judged yet. */
        LEARNING,
        /** Judged, and not silent for too long. */
        WATCHING,
        /** Reported ABSENT and not resumed yet. */
        ABSENT
    }

    public enum AnomalyState {
        /** {@code anomaly.enabled: false}. */
        DISABLED,
        /** Fewer than {@code anomaly.min-baseline-windows} complete windows: no verdict yet. */
        LEARNING,
        NORMAL,
        /** Reported RATE_SPIKE and not resolved yet. */
        SPIKE,
        /** Reported RATE_DROP and not resolved yet. */
        DROP
    }

    public StreamStatus {
        requireNonNull(key, "key is null");
        requireNonNull(lastEventAt, "lastEventAt is null");
        requireNonNull(usualGap, "usualGap is null");
        requireNonNull(absenceLimit, "absenceLimit is null");
        requireNonNull(windowRate, "windowRate is null");
        requireNonNull(baselineRate, "baselineRate is null");
        requireNonNull(absence, "absence is null");
        requireNonNull(anomaly, "anomaly is null");
    }
}

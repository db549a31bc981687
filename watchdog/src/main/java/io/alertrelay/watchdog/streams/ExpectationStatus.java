package io.alertrelay.watchdog.streams;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One explicit expectation, for the status page.
 *
 * @param name        the expectation's name
 * @param atLeast     events expected per period
 * @param per         the period
 * @param observed    matching events in the last period (at most {@code atLeast}: the watch keeps no more)
 * @param lastEventAt the last matching event, if any since start-up
 * @param state       WAITING (the watch has run for less than one period), MET or UNMET
 */
public record ExpectationStatus(String name, int atLeast, Duration per, long observed, Optional<Instant> lastEventAt,
                                State state) {
    public enum State { WAITING, MET, UNMET }

    public ExpectationStatus {
        requireNonNull(name, "name is null");
        requireNonNull(per, "per is null");
        requireNonNull(lastEventAt, "lastEventAt is null");
        requireNonNull(state, "state is null");
    }
}

package io.alertrelay.watchdog.streams;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A transition reported by {@link StreamWatch#evaluate()}: a condition started ({@link Status#FIRING}) or ended
 * ({@link Status#RESOLVED}). Each condition yields exactly one FIRING and, when it ends, one RESOLVED finding; nothing
 * is repeated while it lasts.
 *
 * <p>Which numbers are present depends on the kind:
 * <ul>
 *   <li>{@link Kind#ABSENT}: {@code usualGap}, {@code silence} (so far when firing, in total when resolved),
 *       {@code limit} (the silence that fires: {@code max(factor × usualGap, floor)}).</li>
 *   <li>{@link Kind#EXPECTATION_UNMET}: {@code observedEvents} (in the last period), {@code expectedEvents}
 *       ({@code at-least}), {@code limit} (the period), {@code silence} (since the last matching event, if any).</li>
 *   <li>{@link Kind#RATE_SPIKE}, {@link Kind#RATE_DROP}: {@code currentRate} (of the deciding window) and
 *       {@code baselineRate}, both in events per minute.</li>
 * </ul>
 * {@code lasted} is set on RESOLVED findings: how long the condition lasted, as far as the watch can tell.
 *
 * @param stream  the stream key ({@code alerts:billing}), or the expectation's name
 * @param kind    what was found
 * @param state   FIRING when the condition starts, RESOLVED when it ends
 * @param at      when the transition happened: the evaluation that noticed it (absence, expectations) or the end of
 *                the window that decided it (rates)
 * @param message one human sentence saying what happened and what is usual
 */
public record StreamFinding(
        String stream,
        Kind kind,
        Status state,
        Instant at,
        String message,
        Optional<Duration> usualGap,
        Optional<Duration> silence,
        Optional<Duration> limit,
        OptionalDouble baselineRate,
        OptionalDouble currentRate,
        OptionalLong observedEvents,
        OptionalLong expectedEvents,
        Optional<Duration> lasted) {

    public enum Kind {
        /** A learned stream went silent for much longer than usual. */
        ABSENT,
        /** Fewer events than an explicit {@code expect} rule asks for. */
        EXPECTATION_UNMET,
        /** A stream's rate is far above its baseline. */
        RATE_SPIKE,
        /** A stream's rate is far below its baseline. */
        RATE_DROP
    }

    public StreamFinding {
        requireNonNull(stream, "stream is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(state, "state is null");
        requireNonNull(at, "at is null");
        requireNonNull(message, "message is null");
        requireNonNull(usualGap, "usualGap is null");
        requireNonNull(silence, "silence is null");
        requireNonNull(limit, "limit is null");
        requireNonNull(baselineRate, "baselineRate is null");
        requireNonNull(currentRate, "currentRate is null");
        requireNonNull(observedEvents, "observedEvents is null");
        requireNonNull(expectedEvents, "expectedEvents is null");
        requireNonNull(lasted, "lasted is null");
    }

    /**
     * This finding as the relay-health alert it raises (firing) or resolves: id {@code stream-<kind>-<stream>}, a rate
     * spike is a warning, absence and a drop are errors.
     */
    public io.alertrelay.spi.Alert toAlert(String relayInstance) {
        String kindName = kind.name().toLowerCase(java.util.Locale.ROOT);
        io.alertrelay.spi.Alert alert = io.alertrelay.watchdog.RelayHealthAlerts.alert("stream-" + kindName + "-" + stream,
                io.alertrelay.spi.Status.FIRING,
                kind == Kind.RATE_SPIKE ? io.alertrelay.spi.Severity.WARNING : io.alertrelay.spi.Severity.ERROR,
                message, message, "stream", relayInstance, java.util.Map.of("stream", stream, "kind", kindName),
                java.util.Map.of(), at);
        return state == io.alertrelay.spi.Status.FIRING ? alert
                : io.alertrelay.watchdog.RelayHealthAlerts.resolved(alert, message, at);
    }

    public boolean firing() {
        return state == Status.FIRING;
    }

    static StreamFinding absence(String stream, Status state, Instant at, String message, Duration usualGap,
                                 Duration silence, Duration limit, Optional<Duration> lasted) {
        return new StreamFinding(stream, Kind.ABSENT, state, at, message, Optional.of(usualGap), Optional.of(silence),
                Optional.of(limit), OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty(),
                OptionalLong.empty(), lasted);
    }

    static StreamFinding expectation(String stream, Status state, Instant at, String message, long observed,
                                     long expected, Duration per, Optional<Duration> silence,
                                     Optional<Duration> lasted) {
        return new StreamFinding(stream, Kind.EXPECTATION_UNMET, state, at, message, Optional.empty(), silence,
                Optional.of(per), OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.of(observed),
                OptionalLong.of(expected), lasted);
    }

    static StreamFinding rate(String stream, Kind kind, Status state, Instant at, String message, double baselineRate,
                              double currentRate, Optional<Duration> lasted) {
        return new StreamFinding(stream, kind, state, at, message, Optional.empty(), Optional.empty(),
                Optional.empty(), OptionalDouble.of(baselineRate), OptionalDouble.of(currentRate),
                OptionalLong.empty(), OptionalLong.empty(), lasted);
    }
}

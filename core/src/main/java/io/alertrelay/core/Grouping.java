package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a route turns alerts into notifications, with Alertmanager's meaning.
 *
 * @param groupBy        {@code group-by}: empty = no grouping (each alert is its own notification, sent at once; the
 *                       default); the names to group on; {@link #ALL} ({@code [...]}) = every label
 * @param groupWait      {@code group-wait}, default 30s: how long a new group collects alerts before its first
 *                       notification
 * @param groupInterval  {@code group-interval}, default 5m: how long a group waits before it notifies again about
 *                       changes (new alerts, resolutions)
 * @param repeatInterval {@code repeat-interval}, default 4h: how long before the same firing alert (or an unchanged
 *                       group) notifies again
 * @param sendResolved   {@code send-resolved}, default true: whether a resolution is sent
 */
public record Grouping(Optional<List<String>> groupBy, Duration groupWait, Duration groupInterval,
                       Duration repeatInterval, boolean sendResolved) {
    public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_GROUP_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
    /** {@code group-by: [...]}: group on every label. */
    public static final List<String> ALL = List.of("...");

    public Grouping {
        requireNonNull(groupBy, "groupBy is null");
        groupBy = groupBy.map(List::copyOf);
        requireNonNull(groupWait, "groupWait is null");
        requireNonNull(groupInterval, "groupInterval is null");
        requireNonNull(repeatInterval, "repeatInterval is null");
    }

    /** No grouping, the default intervals: every alert notifies at once, a repeat not before 4h. */
    public static Grouping defaults() {
        return new Grouping(Optional.empty(), DEFAULT_GROUP_WAIT, DEFAULT_GROUP_INTERVAL, DEFAULT_REPEAT_INTERVAL, true);
    }

    public boolean grouped() {
        return groupBy.isPresent();
    }

    public boolean byAllLabels() {
        return groupBy.map(ALL::equals).orElse(false);
    }
}

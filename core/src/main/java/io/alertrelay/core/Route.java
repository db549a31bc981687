package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends matching alerts to named sinks. Every condition given must hold; an empty condition matches everything.
 *
 * @param sinks      sink ids ({@code sinks.<id>}) to deliver to
 * @param channels   Redis-style globs the alert's channel must match (any of them)
 * @param severities severities accepted
 * @param labels     labels that must be present with these exact values
 * @param canaries   whether the watchdog's canaries go to these sinks too (default false: canaries are absorbed at the
 *                   sinks' edge, after decoding and routing)
 * @param matchers   Alertmanager-style matchers ({@code service=batch}, {@code severity!=critical}, {@code =~},
 *                   {@code !~}) that must all hold
 * @param continueMatching {@code continue}: empty when the route does not say; see {@link Router} for what that means
 * @param grouping   {@code group-by} and the intervals; {@link Grouping#defaults()} = no grouping
 * @param children   {@code routes} nested under this one, in order: an alert this route matches goes to the first
 *                   child that matches it too (and on past a child that says {@code continue: true}); only when no
 *                   child matches does this route deliver it itself (Alertmanager's routing tree; see {@link Router})
 */
public record Route(List<String> sinks, List<String> channels, Set<Severity> severities, Map<String, String> labels,
                    boolean canaries, List<Matcher> matchers, Optional<Boolean> continueMatching, Grouping grouping,
                    List<Route> children) {
    public Route(List<String> sinks, List<String> channels, Set<Severity> severities, Map<String, String> labels,
                 boolean canaries, List<Matcher> matchers, Optional<Boolean> continueMatching, Grouping grouping) {
        this(sinks, channels, severities, labels, canaries, matchers, continueMatching, grouping, List.of());
    }

    public Route(List<String> sinks, List<String> channels, Set<Severity> severities, Map<String, String> labels) {
        this(sinks, channels, severities, labels, false);
    }

    public Route(List<String> sinks, List<String> channels, Set<Severity> severities, Map<String, String> labels,
                 boolean canaries) {
        this(sinks, channels, severities, labels, canaries, List.of(), Optional.empty(), Grouping.defaults());
    }

    public Route {
        sinks = List.copyOf(requireNonNull(sinks, "sinks is null"));
        channels = List.copyOf(requireNonNull(channels, "channels is null"));
        severities = Set.copyOf(requireNonNull(severities, "severities is null"));
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        matchers = List.copyOf(requireNonNull(matchers, "matchers is null"));
        requireNonNull(continueMatching, "continueMatching is null");
        requireNonNull(grouping, "grouping is null");
        children = List.copyOf(requireNonNull(children, "children is null"));
    }

    public static Route toAll(List<String> sinks) {
        return new Route(sinks, List.of(), Set.of(), Map.of());
    }

    public boolean matches(Alert alert) {
        if (!channels.isEmpty() && channels.stream().noneMatch(glob -> Glob.matches(glob, alert.origin().channel()))) {
            return false;
        }
        if (!severities.isEmpty() && !severities.contains(alert.severity())) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(alert.labels().get(label.getKey()))) {
                return false;
            }
        }
        for (Matcher matcher : matchers) {
            if (!matcher.matches(alert)) {
                return false;
            }
        }
        return true;
    }
}

package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which routes an alert takes, in the configured order.
 *
 * <ul>
 *   <li>When no route says {@code continue} (every configuration written before it existed), every matching route
 *       delivers, and a sink named by several of them gets the alert once: the meaning routes always had.</li>
 *   <li>As soon as one route says {@code continue} (true or false), routes mean what they mean in Alertmanager: the
 *       first matching route wins, and the search goes on past a matching route only if it says
 *       {@code continue: true}.</li>
 *   <li>A route with nested {@code routes} (a tree, as in Alertmanager): an alert it matches goes on to its children,
 *       in order; the first child that matches takes it (and the search goes on past a child only if it says
 *       {@code continue: true}); a child's own children are searched the same way; when no child matches, the route
 *       itself delivers. Children always use first-match-wins, whatever the top level does.</li>
 *   <li>An alert that matches no route goes to {@code default-sinks} when configured (a route of its own, with the
 *       default grouping); otherwise it is not delivered (the pipeline counts and logs it).</li>
 * </ul>
 */
public final class Router {
    /** The state key of the {@code default-sinks} route. */
    public static final String DEFAULT_KEY = "default-sinks";

    private final List<Route> routes;
    private final Route fallback;
    private final boolean firstMatchWins;
    private final Map<Route, String> keys = new IdentityHashMap<>();

    public Router(List<Route> routes, List<String> defaultSinks) {
        this.routes = List.copyOf(requireNonNull(routes, "routes is null"));
        this.fallback = defaultSinks.isEmpty() ? null : Route.toAll(defaultSinks);
        this.firstMatchWins = this.routes.stream().anyMatch(route -> route.continueMatching().isPresent());
        for (int i = 0; i < this.routes.size(); i++) {
            name(this.routes.get(i), "routes[" + i + "]");
        }
        if (fallback != null) {
            keys.put(fallback, DEFAULT_KEY + fallback.sinks());
        }
    }

    public static Router of(List<Route> routes) {
        return new Router(routes, List.of());
    }

    private void name(Route route, String path) {
        keys.put(route, path + route.sinks());
        for (int i = 0; i < route.children().size(); i++) {
            name(route.children().get(i), path + ".routes[" + i + "]");
        }
    }

    /** {@code default-sinks}: where an alert no route matched goes; empty for nowhere. */
    public List<String> defaultSinks() {
        return fallback == null ? List.of() : fallback.sinks();
    }

    /** The configured routes, their nested routes after each (depth first) and, last, the default one if any. */
    public List<Route> all() {
        List<Route> all = new ArrayList<>();
        routes.forEach(route -> addTree(route, all));
        if (fallback != null) {
            all.add(fallback);
        }
        return all;
    }

    private static void addTree(Route route, List<Route> into) {
        into.add(route);
        route.children().forEach(child -> addTree(child, into));
    }

    /** Whether the first matching route wins (some route says {@code continue}). */
    public boolean firstMatchWins() {
        return firstMatchWins;
    }

    /** The routes this alert takes, in order; the default route when none matched; empty when there is none. */
    public List<Route> select(Alert alert) {
        List<Route> selected = new ArrayList<>(2);
        for (Route route : routes) {
            if (route.matches(alert)) {
                descend(route, alert, selected);
                if (firstMatchWins && !route.continueMatching().orElse(false)) {
                    break;
                }
            }
        }
        if (selected.isEmpty() && fallback != null) {
            selected.add(fallback);
        }
        return selected;
    }

    /** The route itself, or the children that take the alert (they matched it too), recursively. */
    private static void descend(Route route, Alert alert, List<Route> selected) {
        int before = selected.size();
        for (Route child : route.children()) {
            if (child.matches(alert)) {
                descend(child, alert, selected);
                if (!child.continueMatching().orElse(false)) {
                    break;
                }
            }
        }
        if (selected.size() == before) {
            selected.add(route);
        }
    }

    /** A stable name for a route's state: {@code routes[<index>][<sinks>]} (a nested one
     * {@code routes[0].routes[1][<sinks>]}) or {@code default-sinks[<sinks>]}. */
    public String key(Route route) {
        String key = keys.get(route);
        if (key == null) {
            throw new IllegalArgumentException("not a route of this router");
        }
        return key;
    }
}

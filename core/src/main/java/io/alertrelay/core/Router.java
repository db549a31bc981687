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
            Route route = this.routes.get(i);
            keys.put(route, "routes[" + i + "]" + route.sinks());
        }
        if (fallback != null) {
            keys.put(fallback, DEFAULT_KEY + fallback.sinks());
        }
    }

    public static Router of(List<Route> routes) {
        return new Router(routes, List.of());
    }

    /** The configured routes and, last, the default one if any. */
    /** {@code default-sinks}: where an alert no route matched goes; empty for nowhere. */
    public List<String> defaultSinks() {
        return fallback == null ? List.of() : fallback.sinks();
    }

    public List<Route> all() {
        List<Route> all = new ArrayList<>(routes);
        if (fallback != null) {
            all.add(fallback);
        }
        return all;
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
                selected.add(route);
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

    /** A stable name for a route's state: {@code routes[<index>][<sinks>]} or {@code default-sinks[<sinks>]}. */
    public String key(Route route) {
        String key = keys.get(route);
        if (key == null) {
            throw new IllegalArgumentException("not a route of this router");
        }
        return key;
    }
}

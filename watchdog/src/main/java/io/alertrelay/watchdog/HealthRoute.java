package io.alertrelay.watchdog;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where relay-health alerts go: {@code watchdog.health-route} (every sink when empty), never to a sink the alert is
 * about (its {@code sink} label): a broken Slack is reported by email, and the reverse.
 */
public final class HealthRoute implements HealthAlerts {
    private static final Logger log = LoggerFactory.getLogger(HealthRoute.class);

    private final List<String> route;
    private final Supplier<? extends Collection<String>> allSinks;
    private final BiConsumer<Alert, List<String>> dispatch;

    /**
     * @param route    {@code watchdog.health-route}; empty = every sink
     * @param allSinks every configured sink id
     * @param dispatch sends an alert to the named sinks (the pipeline)
     */
    public HealthRoute(List<String> route, Supplier<? extends Collection<String>> allSinks,
                       BiConsumer<Alert, List<String>> dispatch) {
        this.route = List.copyOf(route);
        this.allSinks = requireNonNull(allSinks, "allSinks is null");
        this.dispatch = requireNonNull(dispatch, "dispatch is null");
    }

    /** The sinks {@code alert} goes to; empty when the route names only the sink it is about. */
    public List<String> targets(Alert alert) {
        List<String> targets = new ArrayList<>(route.isEmpty() ? allSinks.get() : route);
        String about = alert.labels().get("sink");
        if (about != null) {
            targets.remove(about);
        }
        return targets;
    }

    @Override
    public void raise(Alert alert) {
        send(alert);
    }

    @Override
    public void resolve(Alert alert) {
        send(alert);
    }

    private void send(Alert alert) {
        List<String> targets = targets(alert);
        if (targets.isEmpty()) {
            log.error("Relay-health alert '{}' has no sink to go to (the health route names only the sink it is "
                    + "about); add another sink to watchdog.health-route", alert.title());
            return;
        }
        dispatch.accept(alert, targets);
    }
}

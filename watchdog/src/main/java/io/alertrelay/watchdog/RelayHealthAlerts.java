package io.alertrelay.watchdog;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Builds the alerts the watchdog sends about the relay itself (through {@link HealthAlerts}). */
public final class RelayHealthAlerts {
    /** {@link Alert#source()} of every relay-health alert. */
    public static final String SOURCE = "alert-relay-watchdog";
    /** {@link Alert.Origin#channel()} of relay-health alerts: they were not read from Redis. */
    public static final String ORIGIN_CHANNEL = "alert-relay:watchdog";
    /** Label naming the watchdog component that raised the alert ({@code canary}, {@code blind-window}). */
    public static final String COMPONENT_LABEL = "component";
    /** Label carrying the relay instance id. */
    public static final String RELAY_LABEL = "relay";

    private RelayHealthAlerts() {}

    /**
     * A relay-health alert.
     *
     * @param labels put after {@code component} and {@code relay}
     */
    public static Alert alert(String id, Status status, Severity severity, String title, String summary,
                              String component, String relayInstance, Map<String, String> labels,
                              Map<String, Object> extra, Instant at) {
        Map<String, String> allLabels = new LinkedHashMap<>();
        allLabels.put(COMPONENT_LABEL, component);
        allLabels.put(RELAY_LABEL, relayInstance);
        allLabels.putAll(labels);
        return new Alert(id, title, status, severity, Optional.of(summary), allLabels, Optional.of(SOURCE),
                Optional.of(at), extra, new Alert.Origin(ORIGIN_CHANNEL, Optional.empty(), at));
    }

    /** The resolved counterpart of a firing alert: same id, title, severity and labels. */
    public static Alert resolved(Alert firing, String summary, Instant at) {
        return new Alert(firing.id(), firing.title(), Status.RESOLVED, firing.severity(), Optional.of(summary),
                firing.labels(), firing.source(), Optional.of(at), firing.extra(),
                new Alert.Origin(ORIGIN_CHANNEL, Optional.empty(), at));
    }
}

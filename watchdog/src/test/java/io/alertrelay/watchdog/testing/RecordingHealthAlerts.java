package io.alertrelay.watchdog.testing;

import io.alertrelay.spi.Alert;
import io.alertrelay.watchdog.HealthAlerts;
import java.util.ArrayList;
import java.util.List;

/** Keeps every relay-health alert raised or resolved. */
public final class RecordingHealthAlerts implements HealthAlerts {
    private final List<Alert> raised = new ArrayList<>();
    private final List<Alert> resolved = new ArrayList<>();

    @Override
    public synchronized void raise(Alert alert) {
        raised.add(alert);
    }

    @Override
    public synchronized void resolve(Alert alert) {
        resolved.add(alert);
    }

    public synchronized List<Alert> raised() {
        return List.copyOf(raised);
    }

    public synchronized List<Alert> resolved() {
        return List.copyOf(resolved);
    }
}

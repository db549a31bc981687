package io.alertrelay.testing;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Ready-made alerts for tests. */
public final class Alerts {
    private Alerts() {}

    public static Alert alert(String id, String title) {
        return alert(id, title, Severity.WARNING, Map.of());
    }

    public static Alert alert(String id, String title, Severity severity, Map<String, String> labels) {
        return new Alert(id, title, Status.FIRING, severity, Optional.empty(), labels, Optional.empty(),
                Optional.empty(), Map.of(), new Alert.Origin("alerts:test", Optional.of("alerts:*"),
                        Instant.parse("2026-11-23T10:00:00Z")));
    }

    /** The example event of docs/event-contract.md, decoded. */
    public static Alert diskFull() {
        return new Alert("evt-42", "Disk full on db-1", Status.FIRING, Severity.CRITICAL, Optional.of("/var at 97%"),
                Map.of("host", "db-1", "team", "storage"), Optional.of("monitor-7"),
                Optional.of(Instant.parse("2026-11-23T10:00:00Z")), Map.of(),
                new Alert.Origin("alerts:prod", Optional.of("alerts:*"), Instant.parse("2026-11-23T10:00:01Z")));
    }
}

package io.alertrelay.app;

import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Decides when a sink is broken: after {@code failedAfter} consecutive alerts that it did not deliver (rejected, or
 * given up after the last retry), and recovered at its next delivery. Relay-health alerts themselves count too, so a
 * sink that cannot deliver its own breakage notice still turns FAILED. Thread-safe.
 */
final class SinkHealth {
    /** Default for {@code watchdog.sink-failed-after}. */
    static final int DEFAULT_FAILED_AFTER = 3;

    private final int failedAfter;
    private final BiConsumer<String, String> onFailed;
    private final BiConsumer<String, String> onRecovered;
    private final Map<String, Integer> consecutiveFailures = new LinkedHashMap<>();
    private final Set<String> failed = new TreeSet<>();

    SinkHealth(int failedAfter, BiConsumer<String, String> onFailed, BiConsumer<String, String> onRecovered) {
        this.failedAfter = failedAfter;
        this.onFailed = onFailed;
        this.onRecovered = onRecovered;
    }

    void onOutcome(String sinkId, Alert alert, DeliveryResult result) {
        boolean becameFailed = false;
        boolean recovered = false;
        synchronized (this) {
            if (result.outcome() == Outcome.DELIVERED) {
                consecutiveFailures.put(sinkId, 0);
                recovered = failed.remove(sinkId);
            } else {
                int count = consecutiveFailures.merge(sinkId, 1, Integer::sum);
                if (count >= failedAfter && failed.add(sinkId)) {
                    becameFailed = true;
                }
            }
        }
        if (becameFailed) {
            onFailed.accept(sinkId, result.detail());
        }
        if (recovered) {
            onRecovered.accept(sinkId, "delivered again");
        }
    }

    synchronized Set<String> failed() {
        return Set.copyOf(failed);
    }
}

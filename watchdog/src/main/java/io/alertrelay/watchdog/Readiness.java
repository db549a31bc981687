package io.alertrelay.watchdog;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer of a {@link ReadinessCheck}.
 *
 * @param ready   whether the relay is provably delivering
 * @param reasons why not, for humans (empty when ready)
 */
public record Readiness(boolean ready, List<String> reasons) {
    private static final Readiness READY = new Readiness(true, List.of());

    public Readiness {
        reasons = List.copyOf(reasons);
        if (!ready && reasons.isEmpty()) {
            throw new IllegalArgumentException("a Readiness that is not ready needs a reason");
        }
    }

    public static Readiness ok() {
        return READY;
    }

    public static Readiness notReady(String reason, String... more) {
        List<String> reasons = new ArrayList<>();
        reasons.add(reason);
        reasons.addAll(List.of(more));
        return new Readiness(false, reasons);
    }

    /** Ready when both are; the reasons of both otherwise. */
    public Readiness and(Readiness other) {
        if (ready && other.ready) {
            return READY;
        }
        List<String> all = new ArrayList<>(reasons);
        all.addAll(other.reasons);
        return new Readiness(false, all);
    }
}

package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides when a sink is DEGRADED: its oldest undelivered notification is older than {@code delivery.degraded-after}
 * (default 1m). That is what a person waiting for an alert feels, whatever the cause (5xx, 429, a hang, a rejected
 * credential being retried), and it clears the moment the backlog is delivered. {@link #evaluate} reports the
 * transitions since the last call, for the relay-health alerts; {@link #isDegraded} is the live state for
 * {@code /status} and {@code /metrics} ({@code alertrelay_sink_degraded{sink}}). Thread-safe.
 */
public final class DeliveryHealth {
    /** A sink's delivery state as this class judges it (FAILED is judged elsewhere, from outcomes). */
    public enum State {
        OK,
        DEGRADED
    }

    /**
     * A sink entered or left DEGRADED.
     *
     * @param oldestSince when the oldest undelivered notification was recorded (entering), or the evaluation time
     * @param waiting     notifications undelivered at the time
     * @param lastFailure the sink's last failure detail, empty when none
     */
    public record Change(String sinkId, State state, Instant oldestSince, Duration oldestAge, long waiting,
                         String lastFailure) {}

    private final List<SinkWorker> workers;
    private final Duration degradedAfter;
    private final Clock clock;
    private final Set<String> reported = new HashSet<>();

    public DeliveryHealth(Collection<SinkWorker> workers, Duration degradedAfter, Clock clock, MeterRegistry metrics) {
        this.workers = List.copyOf(requireNonNull(workers, "workers is null"));
        this.degradedAfter = requireNonNull(degradedAfter, "degradedAfter is null");
        this.clock = requireNonNull(clock, "clock is null");
        for (SinkWorker worker : this.workers) {
            Gauge.builder("alertrelay.sink.degraded", worker, w -> isDegraded(w) ? 1 : 0)
                    .description("1 while the sink's oldest undelivered notification is older than "
                            + "delivery.degraded-after").tags("sink", worker.id(), "type", worker.type())
                    .register(metrics);
        }
        Gauge.builder("alertrelay.sinks.degraded", this, health -> health.degraded().size())
                .description("Sinks that are DEGRADED").register(metrics);
    }

    public Duration degradedAfter() {
        return degradedAfter;
    }

    private boolean isDegraded(SinkWorker worker) {
        return worker.oldestPendingAge().compareTo(degradedAfter) > 0;
    }

    /** Whether this sink is DEGRADED now. */
    public boolean isDegraded(String sinkId) {
        return workers.stream().anyMatch(worker -> worker.id().equals(sinkId) && isDegraded(worker));
    }

    /** The sinks DEGRADED now. */
    public Set<String> degraded() {
        Set<String> degraded = new TreeSet<>();
        for (SinkWorker worker : workers) {
            if (isDegraded(worker)) {
                degraded.add(worker.id());
            }
        }
        return degraded;
    }

    /** The sinks that became DEGRADED or recovered since the last call. */
    public synchronized List<Change> evaluate() {
        List<Change> changes = new ArrayList<>();
        Instant now = clock.instant();
        for (SinkWorker worker : workers) {
            boolean degraded = isDegraded(worker);
            if (degraded && reported.add(worker.id())) {
                Instant oldest = worker.oldestPending().orElse(now);
                changes.add(new Change(worker.id(), State.DEGRADED, oldest, Duration.between(oldest, now),
                        worker.pendingCount(), worker.lastFailure()));
            } else if (!degraded && reported.remove(worker.id())) {
                changes.add(new Change(worker.id(), State.OK, now, worker.oldestPendingAge(), worker.pendingCount(),
                        worker.lastFailure()));
            }
        }
        return changes;
    }
}

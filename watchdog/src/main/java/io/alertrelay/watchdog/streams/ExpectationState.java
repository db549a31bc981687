package io.alertrelay.watchdog.streams;

import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Expectation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One explicit expectation: the times of the last {@code at-least} matching events, in a ring. Fewer than
 * {@code at-least} events in the last period is the same as the {@code at-least}-th newest being older than the
 * period (or missing), so the ring answers exactly with bounded memory. Every method runs under the monitor.
 */
final class ExpectationState {
    private final Expectation expectation;
    private final long[] times;
    private int size;
    private int next;
    private long lastEventAt = -1;
    private boolean unmetReported;
    private long unmetSince;

    ExpectationState(Expectation expectation) {
        this.expectation = expectation;
        this.times = new long[expectation.atLeast()];
    }

    Expectation expectation() {
        return expectation;
    }

    synchronized void record(long now) {
        long at = lastEventAt < 0 ? now : Math.max(now, lastEventAt);
        times[next] = at;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
        lastEventAt = at;
    }

    synchronized void evaluate(long now, long startedAt, List<StreamFinding> findings) {
        long per = expectation.per().toMillis();
        if (now - startedAt < per) {
            return;
        }
        boolean met = met(now - per);
        if (met == !unmetReported) {
            return;
        }
        String name = expectation.name();
        long observed = countSince(now - per);
        String events = observed + (observed == 1 ? " event" : " events");
        Optional<Duration> silence = lastEventAt < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(now - lastEventAt));
        if (!met) {
            String last = lastEventAt < 0
                    ? "none seen since start-up " + Formats.duration(now - startedAt) + " ago"
                    : "last one " + Formats.duration(now - lastEventAt) + " ago";
            findings.add(StreamFinding.expectation(name, Status.FIRING, Instant.ofEpochMilli(now),
                    "Expectation " + name + " unmet: " + events + " in the last " + Formats.duration(per)
                            + ", expected at least " + expectation.atLeast() + " (" + last + ")",
                    observed, expectation.atLeast(), expectation.per(), silence, Optional.empty()));
            unmetReported = true;
            unmetSince = now;
        } else {
            findings.add(StreamFinding.expectation(name, Status.RESOLVED, Instant.ofEpochMilli(now),
                    "Expectation " + name + " met again: " + events + " in the last " + Formats.duration(per)
                            + ", at least " + expectation.atLeast() + " expected; it was unmet for "
                            + Formats.duration(now - unmetSince),
                    observed, expectation.atLeast(), expectation.per(), silence,
                    Optional.of(Duration.ofMillis(now - unmetSince))));
            unmetReported = false;
        }
    }

    synchronized ExpectationStatus status(long now, long startedAt) {
        long per = expectation.per().toMillis();
        ExpectationStatus.State state = now - startedAt < per ? ExpectationStatus.State.WAITING
                : met(now - per) ? ExpectationStatus.State.MET : ExpectationStatus.State.UNMET;
        return new ExpectationStatus(expectation.name(), expectation.atLeast(), expectation.per(),
                countSince(now - per), lastEventAt < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastEventAt)),
                state);
    }

    /** At least {@code at-least} events at or after {@code from}. */
    private boolean met(long from) {
        return size == times.length && times[next % times.length] >= from;
    }

    private long countSince(long from) {
        long count = 0;
        for (int i = 1; i <= size; i++) {
            if (times[Math.floorMod(next - i, times.length)] < from) {
                break;
            }
            count++;
        }
        return count;
    }
}

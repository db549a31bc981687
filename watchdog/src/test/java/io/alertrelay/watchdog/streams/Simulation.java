package io.alertrelay.watchdog.streams;

import io.alertrelay.testing.ManualClock;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.Severity;
import io.alertrelay.spi.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link StreamWatch} on a {@link ManualClock}, with helpers that move time and collect every finding. */
final class Simulation {
    static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    final ManualClock clock = new ManualClock(START);
    final StreamWatch watch;
    final List<StreamFinding> findings = new ArrayList<>();

    Simulation(StreamWatchConfig config) {
        this.watch = new StreamWatch(config, clock);
    }

    static Alert alert(String channel) {
        return alert(channel, Map.of());
    }

    static Alert alert(String channel, Map<String, String> labels) {
        return new Alert("id", "title", Status.FIRING, Severity.WARNING, Optional.empty(), labels, Optional.empty(),
                Optional.empty(), Map.of(), new Alert.Origin(channel, Optional.empty(), START));
    }

    Duration elapsed() {
        return Duration.between(START, clock.instant());
    }

    void event(String channel) {
        watch.record(alert(channel));
    }

    List<StreamFinding> evaluate() {
        List<StreamFinding> found = watch.evaluate();
        findings.addAll(found);
        return found;
    }

    /** Moves time forward by {@code total} in {@code step}s, evaluating after each step. */
    List<StreamFinding> idle(Duration total, Duration step) {
        List<StreamFinding> found = new ArrayList<>();
        for (Duration done = Duration.ZERO; done.compareTo(total) < 0; done = done.plus(step)) {
            clock.advance(step);
            found.addAll(evaluate());
        }
        return found;
    }

    /** {@code count} events one {@code gap} apart (the first after one gap), evaluating every second in between. */
    List<StreamFinding> regular(String channel, Duration gap, int count) {
        List<StreamFinding> found = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            found.addAll(idle(gap, gap.compareTo(Duration.ofSeconds(1)) < 0 ? gap : Duration.ofSeconds(1)));
            event(channel);
        }
        return found;
    }

    /**
     * One second at a time for {@code seconds}: at each second, the events due at {@code perMinute} (spread evenly),
     * then an evaluation, then the clock moves one second on.
     */
    List<StreamFinding> rate(String channel, double perMinute, int seconds) {
        List<StreamFinding> found = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            long due = (long) Math.floor((i + 1) * perMinute / 60.0) - (long) Math.floor(i * perMinute / 60.0);
            for (long e = 0; e < due; e++) {
                event(channel);
            }
            found.addAll(evaluate());
            clock.advance(Duration.ofSeconds(1));
        }
        return found;
    }

    /** {@code minutes} one-minute windows at {@code perMinute} (the default window is one minute). */
    List<StreamFinding> minutes(String channel, double perMinute, int minutes) {
        return rate(channel, perMinute, minutes * 60);
    }
}

package io.alertrelay.watchdog.streams;

import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.streams.StreamFinding.Kind;
import io.alertrelay.watchdog.streams.StreamStatus.AbsenceState;
import io.alertrelay.watchdog.streams.StreamStatus.AnomalyState;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Absence;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Anomaly;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One stream's traffic, learned gap, rate windows and the state of its two detectors. Every method runs under the
 * instance's monitor: {@link StreamWatch#record} (the source's thread) and {@link StreamWatch#evaluate} (the
 * scheduler's) meet only here, one stream at a time.
 *
 * <p>Conditions are level-triggered inside (the detectors' current states) and reported edge-triggered: evaluate
 * compares each detector's state with the one last reported and emits only the difference.
 */
final class StreamState {
    /** While a stream is anomalous, its windows reach the baseline at this fraction of {@code baseline-alpha}. */
    static final double ANOMALOUS_FOLD = 0.1;
    /** Windows closed one by one when a stream was not touched for long; the rest are folded in one step. */
    private static final int MAX_CATCH_UP_WINDOWS = 1_000;
    /** A drop window must also be this many standard deviations below the baseline. */
    static final double DROP_DEVIATIONS = 3;

    private enum Rate { NORMAL, SPIKE, DROP }

    private final String key;
    private final Absence absence;
    private final Anomaly anomaly;
    private final long originMillis;
    private final long windowMillis;
    private final double spikeClearFactor;
    private final double dropClearFactor;

    private boolean retired;

    private long events;
    private long lastEventAt;
    // The usual gap is gapSquares / gapSum: an EWMA of gaps weighted by their length (see recordGap)
    private double gapSquares;
    private double gapSum;

    private boolean absentReported;
    private long absentLastEventAt;
    private long absentUsualGap;
    private long absentLimit;
    private long resumedAt = -1;

    private long window;
    private long windowCount;
    private boolean partialWindow = true;
    private long lastWindowCount = -1;
    private double baseline = Double.NaN;
    private double variance;
    private long baselineWindows;

    private Rate rate = Rate.NORMAL;
    private int spikeRun;
    private int dropRun;
    private int clearRun;
    private long runStart;
    private long clearStart;
    private long anomalyStart;
    private Transition entered;
    private Transition cleared;
    private Rate reported = Rate.NORMAL;

    /** A change of rate state, as the windows decided it. */
    private record Transition(Rate from, Rate to, long at, long count, double baseline, long lasted) {}

    StreamState(String key, Absence absence, Anomaly anomaly, long originMillis, long firstEventAt) {
        this.key = key;
        this.absence = absence;
        this.anomaly = anomaly;
        this.originMillis = originMillis;
        this.windowMillis = anomaly.window().toMillis();
        // Hysteresis in level as well as in time: a spike clears below sqrt(spike-factor) × baseline, not just below
        // spike-factor × baseline, so a rate hovering at the threshold cannot fire and clear in turns.
        this.spikeClearFactor = Math.sqrt(anomaly.spikeFactor());
        this.dropClearFactor = Math.sqrt(anomaly.dropFactor());
        this.window = windowOf(firstEventAt);
    }

    String key() {
        return key;
    }

    /** Counts one event at {@code now}; false if this stream was forgotten meanwhile (look it up again). */
    synchronized boolean record(long now) {
        if (retired) {
            return false;
        }
        advanceTo(now);
        long at = events == 0 ? now : Math.max(now, lastEventAt);
        if (events > 0) {
            recordGap(at - lastEventAt);
        }
        if (absentReported && resumedAt < 0) {
            resumedAt = at;
        }
        events++;
        lastEventAt = at;
        windowCount++;
        return true;
    }

    /**
     * Closes elapsed windows, adds this stream's transitions to {@code findings}, and returns true (retiring the
     * stream) when it has been idle for {@code forgetAfterMillis} with nothing reported as firing.
     */
    synchronized boolean evaluate(long now, long forgetAfterMillis, List<StreamFinding> findings) {
        if (retired) {
            return true;
        }
        advanceTo(now);
        evaluateAbsence(now, findings);
        reportRate(findings);
        if (!absentReported && reported == Rate.NORMAL && rate == Rate.NORMAL
                && now - lastEventAt > forgetAfterMillis) {
            retired = true;
        }
        return retired;
    }

    synchronized StreamStatus status() {
        boolean judged = events >= absence.minEvents();
        AbsenceState absenceState = absentReported ? AbsenceState.ABSENT
                : judged ? AbsenceState.WATCHING : AbsenceState.LEARNING;
        AnomalyState anomalyState;
        if (!anomaly.enabled()) {
            anomalyState = AnomalyState.DISABLED;
        } else if (reported == Rate.SPIKE) {
            anomalyState = AnomalyState.SPIKE;
        } else if (reported == Rate.DROP) {
            anomalyState = AnomalyState.DROP;
        } else if (baselineWindows < anomaly.minBaselineWindows()) {
            anomalyState = AnomalyState.LEARNING;
        } else {
            anomalyState = AnomalyState.NORMAL;
        }
        return new StreamStatus(key, events, Instant.ofEpochMilli(lastEventAt),
                Double.isNaN(usualGap()) ? Optional.empty() : Optional.of(Duration.ofMillis(Math.round(usualGap()))),
                judged ? Optional.of(Duration.ofMillis(limit())) : Optional.empty(),
                lastWindowCount < 0 ? OptionalDouble.empty() : OptionalDouble.of(perMinute(lastWindowCount)),
                Double.isNaN(baseline) ? OptionalDouble.empty() : OptionalDouble.of(perMinute(baseline)),
                absenceState, anomalyState);
    }

    // ---- absence

    /**
     * Folds one inter-arrival gap into the usual gap: an exponentially weighted average of gaps in which each gap
     * weighs as much as it lasts, and older gaps fade with the time that has passed since, measured in usual gaps:
     * each gap multiplies the weight of the older ones by {@code exp(-alpha × gap / usualGap)}, but by no less than
     * {@code 1 - alpha}, so no single gap erases more of the past than one regular event does.
     *
     * <p>For a steady stream this is exactly the plain EWMA of gaps with {@code ewma-alpha}. It differs for bursty
     * streams, on purpose: counted per event, the 600 quick gaps of a burst drown the one five-minute pause that
     * follows it, the usual gap falls to milliseconds, and every normal pause is reported ABSENT and resolved, for
     * ever (an Alertmanager sending a batch every group interval does exactly this). Weighted by length, the pause
     * counts as much as the burst, and pauses that recur are learned.
     *
     * <p>A gap longer than the current limit (one that was, or would have been, reported) counts as the limit: an
     * outage of hours must not teach the stream that hours of silence are normal. It still loosens the limit for a
     * while (it may have been a natural pause: a stream whose rhythm really has slowed stops being reported after one
     * or two long gaps), and regular traffic tightens it again (with the defaults, a stream with a 10 s usual gap is
     * back at the 5m floor about half an hour after a reported silence).
     */
    private void recordGap(long gap) {
        double usual = usualGap();
        double counted = Math.min(gap, limit());
        double decay = usual > 0
                ? Math.max(Math.exp(-absence.ewmaAlpha() * counted / usual), 1 - absence.ewmaAlpha()) : 1;
        gapSquares = gapSquares * decay + counted * counted;
        gapSum = gapSum * decay + counted;
    }

    /** In milliseconds; NaN before the second event, 0 while every gap was 0. */
    private double usualGap() {
        if (events < 2) {
            return Double.NaN;
        }
        return gapSum > 0 ? gapSquares / gapSum : 0;
    }

    private void evaluateAbsence(long now, List<StreamFinding> findings) {
        if (absentReported) {
            if (resumedAt < 0) {
                return;
            }
            long silence = resumedAt - absentLastEventAt;
            findings.add(StreamFinding.absence(key, Status.RESOLVED, Instant.ofEpochMilli(resumedAt),
                    "Stream " + key + " resumed after " + Formats.duration(silence) + " of silence; its usual gap"
                            + " between events is " + Formats.duration(absentUsualGap),
                    Duration.ofMillis(absentUsualGap), Duration.ofMillis(silence), Duration.ofMillis(absentLimit),
                    Optional.of(Duration.ofMillis(silence))));
            absentReported = false;
            resumedAt = -1;
        }
        if (events < absence.minEvents()) {
            return;
        }
        long limit = limit();
        long silence = now - lastEventAt;
        if (silence <= limit) {
            return;
        }
        long usualGap = Math.round(usualGap());
        long scaled = Math.round(absence.factor() * usualGap());
        String rule = Formats.number(absence.factor()) + "× = " + Formats.duration(scaled)
                + (scaled < limit ? ", floor " + Formats.duration(limit) : "");
        findings.add(StreamFinding.absence(key, Status.FIRING, Instant.ofEpochMilli(now),
                "Stream " + key + " has been silent for " + Formats.duration(silence) + "; its usual gap between"
                        + " events is " + Formats.duration(usualGap) + " (" + rule + ")",
                Duration.ofMillis(usualGap), Duration.ofMillis(silence), Duration.ofMillis(limit), Optional.empty()));
        absentReported = true;
        absentLastEventAt = lastEventAt;
        absentUsualGap = usualGap;
        absentLimit = limit;
    }

    /** {@code max(factor × usual gap, floor)}, in milliseconds; the floor before there is a gap. */
    private long limit() {
        long floor = absence.floor().toMillis();
        double usual = usualGap();
        return Double.isNaN(usual) ? floor : Math.max(floor, Math.round(absence.factor() * usual));
    }

    // ---- rate windows

    private long windowOf(long millis) {
        return Math.floorDiv(millis - originMillis, windowMillis);
    }

    private long windowStart(long index) {
        return originMillis + index * windowMillis;
    }

    private double perMinute(double countPerWindow) {
        return countPerWindow * 60_000.0 / windowMillis;
    }

    /** Closes every window that ended by {@code now}; a clock that went back closes nothing. */
    private void advanceTo(long now) {
        long target = windowOf(now);
        if (target <= window) {
            return;
        }
        closeWindow(windowCount, windowStart(window));
        window++;
        windowCount = 0;
        int closed = 0;
        while (window < target && closed < MAX_CATCH_UP_WINDOWS) {
            closeWindow(0, windowStart(window));
            window++;
            closed++;
        }
        if (window < target) {
            skipEmptyWindows(target - window);
            window = target;
        }
    }

    private void closeWindow(long count, long start) {
        lastWindowCount = count;
        if (partialWindow) {
            // the stream's first window began before its first event: its count is not a rate
            partialWindow = false;
            return;
        }
        if (!anomaly.enabled()) {
            return;
        }
        if (baselineWindows < anomaly.minBaselineWindows()) {
            fold(count, anomaly.baselineAlpha());
            return;
        }
        long end = start + windowMillis;
        boolean spike = isSpike(count);
        boolean drop = isDrop(count);
        // An anomalous window, or any window while anomalous, reaches the baseline slowly: a lasting spike must not
        // become "normal" within a few windows (that would also cut the trigger run short), yet a lasting change of
        // level does become the new normal eventually, and then the finding resolves.
        boolean slow = spike || drop || rate != Rate.NORMAL;
        switch (rate) {
            case NORMAL -> {
                if (spike) {
                    runStart = spikeRun == 0 ? start : runStart;
                    spikeRun++;
                    dropRun = 0;
                } else if (drop) {
                    runStart = dropRun == 0 ? start : runStart;
                    dropRun++;
                    spikeRun = 0;
                } else {
                    spikeRun = 0;
                    dropRun = 0;
                }
                if (spikeRun >= anomaly.triggerWindows()) {
                    enter(Rate.SPIKE, end, count);
                } else if (dropRun >= anomaly.triggerWindows()) {
                    enter(Rate.DROP, end, count);
                }
            }
            case SPIKE -> clearing(count > spikeClearFactor * baseline && count >= anomaly.minEvents(),
                    start, end, count);
            case DROP -> clearing(count < baseline / dropClearFactor, start, end, count);
        }
        fold(count, slow ? anomaly.baselineAlpha() * ANOMALOUS_FOLD : anomaly.baselineAlpha());
    }

    private boolean isSpike(long count) {
        return count >= anomaly.minEvents() && count > anomaly.spikeFactor() * baseline;
    }

    /**
     * Below baseline / drop-factor, with a baseline of at least min-events, and also unusually low for this stream:
     * more than {@value #DROP_DEVIATIONS} standard deviations of its window counts below the baseline. The last
     * condition changes nothing for a steady or Poisson-like stream (for a baseline of 20 per window, 3 deviations
     * below is 6.6, above the 2 of the factor), but a stream whose windows are empty by nature (a batch every five
     * minutes) is not reported as dropping in every quiet window; its silence is still watched by absence.
     */
    private boolean isDrop(long count) {
        return baseline >= anomaly.minEvents() && count < baseline / anomaly.dropFactor()
                && count < baseline - DROP_DEVIATIONS * Math.sqrt(variance);
    }

    private void enter(Rate state, long end, long count) {
        entered = new Transition(Rate.NORMAL, state, end, count, baseline, 0);
        anomalyStart = runStart;
        rate = state;
        spikeRun = 0;
        dropRun = 0;
        clearRun = 0;
    }

    private void clearing(boolean stillAnomalous, long start, long end, long count) {
        if (stillAnomalous) {
            clearRun = 0;
            return;
        }
        clearStart = clearRun == 0 ? start : clearStart;
        clearRun++;
        if (clearRun >= anomaly.clearWindows()) {
            cleared = new Transition(rate, Rate.NORMAL, end, count, baseline, clearStart - anomalyStart);
            rate = Rate.NORMAL;
            clearRun = 0;
        }
    }

    /** The baseline and its variance (West's exponentially weighted form), with the same weight. */
    private void fold(double count, double alpha) {
        if (baselineWindows == 0) {
            baseline = count;
            variance = 0;
        } else {
            double difference = count - baseline;
            double increment = alpha * difference;
            baseline += increment;
            variance = (1 - alpha) * (variance + difference * increment);
        }
        baselineWindows++;
    }

    /** {@code windows} empty windows at once, after {@link #MAX_CATCH_UP_WINDOWS} closed one by one. */
    private void skipEmptyWindows(long windows) {
        lastWindowCount = 0;
        if (!anomaly.enabled() || Double.isNaN(baseline)) {
            return;
        }
        boolean slow = rate != Rate.NORMAL || isDrop(0);
        double alpha = slow ? anomaly.baselineAlpha() * ANOMALOUS_FOLD : anomaly.baselineAlpha();
        // the baseline exactly; the variance as the last window left it (close enough after a thousand empty ones)
        baseline *= Math.pow(1 - alpha, (double) windows);
        baselineWindows += windows;
    }

    /**
     * Reports the difference between the rate state and the one last reported. A condition that started and ended
     * between two evaluations (at least trigger + clear windows: minutes with the defaults, while evaluate runs every
     * few seconds) would go unreported.
     */
    private void reportRate(List<StreamFinding> findings) {
        if (rate == reported) {
            return;
        }
        if (reported != Rate.NORMAL && cleared != null && cleared.from() == reported) {
            Transition t = cleared;
            boolean spike = reported == Rate.SPIKE;
            findings.add(StreamFinding.rate(key, spike ? Kind.RATE_SPIKE : Kind.RATE_DROP, Status.RESOLVED,
                    Instant.ofEpochMilli(t.at()),
                    "Stream " + key + " is back to " + Formats.rate(perMinute(t.count())) + " events/min (usually "
                            + Formats.rate(perMinute(t.baseline())) + "/min) after a " + (spike ? "spike" : "drop")
                            + " of " + Formats.duration(t.lasted()),
                    perMinute(t.baseline()), perMinute(t.count()), Optional.of(Duration.ofMillis(t.lasted()))));
        }
        if (rate != Rate.NORMAL) {
            Transition t = entered;
            boolean spike = rate == Rate.SPIKE;
            String lasting = Formats.duration(anomaly.triggerWindows() * windowMillis);
            String usual = Formats.rate(perMinute(t.baseline())) + "/min";
            String message;
            if (t.count() == 0) {
                message = "Stream " + key + " has received no events for " + lasting + " (usually " + usual + ")";
            } else {
                double ratio = spike ? t.count() / t.baseline() : t.baseline() / t.count();
                message = "Stream " + key + " is receiving " + Formats.rate(perMinute(t.count())) + " events/min"
                        + " (usually " + usual + (Double.isFinite(ratio)
                                ? ", " + Formats.number(ratio) + "× " + (spike ? "more" : "less") : "")
                        + ") for " + lasting;
            }
            findings.add(StreamFinding.rate(key, spike ? Kind.RATE_SPIKE : Kind.RATE_DROP, Status.FIRING,
                    Instant.ofEpochMilli(t.at()), message, perMinute(t.baseline()), perMinute(t.count()),
                    Optional.empty()));
        }
        reported = rate;
    }
}

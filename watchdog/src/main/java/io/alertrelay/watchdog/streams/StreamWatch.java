package io.alertrelay.watchdog.streams;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.Alert;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Absence reporting and rate anomalies for the streams of alerts the relay receives, plus explicit expectations
 * ({@code docs/watchdog-streams.md}). A client of the relay, not a plugin: the app feeds it every real alert and asks
 * it, on its own schedule, what changed.
 *
 * <ul>
 *   <li>{@link #record(Alert)} is called for every real alert (canaries are filtered out before). It is cheap and
 *       never blocks for long: it takes only the lock of the alert's stream and of each matching expectation, so it
 *       may run on the source's I/O thread.</li>
 *   <li>{@link #evaluate()} is called periodically (every 1–10 s) by a scheduler the app owns, and returns the
 *       <em>transitions</em> since the last call: one FIRING finding when a condition starts, one RESOLVED when it
 *       ends, nothing while it lasts.</li>
 *   <li>{@link #streams()} and {@link #expectations()} are snapshots for the status endpoint.</li>
 * </ul>
 *
 * <p>Time comes from the {@link Clock} given here only, for events as well as evaluations: an alert's
 * {@code origin().receivedAt()} is another clock's reading (the source's), and mixing two clocks would make gaps
 * negative or windows disagree. A clock that steps back is tolerated (gaps count as zero, no window is re-opened).
 *
 * <p>All methods are thread-safe. Memory is bounded: at most {@code streams.max} streams are tracked (events of
 * further new streams are counted in {@link #untrackedEvents()} and logged once), each of fixed size; a stream idle for
 * {@code streams.forget-after} with nothing firing is forgotten; an expectation keeps {@code at-least} timestamps.
 * State lives in memory only: after a restart every stream is learned again, so the first minutes after start-up are
 * covered by explicit expectations (and canaries), not by absence.
 */
public final class StreamWatch {
    private static final Logger LOG = LoggerFactory.getLogger(StreamWatch.class);

    private final StreamWatchConfig config;
    private final Clock clock;
    private final long startedAt;
    private final long forgetAfterMillis;
    private final ConcurrentHashMap<String, StreamState> streams = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final AtomicLong untrackedEvents = new AtomicLong();
    private final AtomicLong unkeyedEvents = new AtomicLong();
    private final AtomicBoolean limitLogged = new AtomicBoolean();
    private final List<ExpectationState> expectations;

    /** Starts watching now: expectations are judged once a whole period has passed since this moment. */
    public StreamWatch(StreamWatchConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.startedAt = clock.millis();
        this.forgetAfterMillis = config.forgetAfter().toMillis();
        this.expectations = config.expectations().stream().map(ExpectationState::new).toList();
    }

    public StreamWatchConfig config() {
        return config;
    }

    /** Counts {@code alert} (a real one, not a canary) in its stream and in every expectation it matches. */
    public void record(Alert alert) {
        requireNonNull(alert, "alert is null");
        long now = clock.millis();
        for (ExpectationState expectation : expectations) {
            if (expectation.expectation().matches(alert)) {
                expectation.record(now);
            }
        }
        Optional<String> key = config.streamKey().of(alert);
        if (key.isEmpty()) {
            unkeyedEvents.incrementAndGet();
            return;
        }
        while (true) {
            StreamState stream = streams.get(key.get());
            if (stream == null) {
                stream = streams.computeIfAbsent(key.get(), k -> reserveSlot()
                        ? new StreamState(k, config.absence(), config.anomaly(), startedAt, now) : null);
                if (stream == null) {
                    untracked(key.get());
                    return;
                }
            }
            if (stream.record(now)) {
                return;
            }
            forget(stream);
        }
    }

    /**
     * Judges every stream and expectation as of now and returns what started or ended since the last call, ordered by
     * stream key (a stream's RESOLVED before its next FIRING). Call it every few seconds; a condition is reported when
     * it is noticed, so the interval adds to the reporting delay.
     */
    public List<StreamFinding> evaluate() {
        long now = clock.millis();
        List<StreamFinding> findings = new ArrayList<>();
        for (StreamState stream : streams.values()) {
            if (stream.evaluate(now, forgetAfterMillis, findings)) {
                forget(stream);
            }
        }
        for (ExpectationState expectation : expectations) {
            expectation.evaluate(now, startedAt, findings);
        }
        findings.sort(Comparator.comparing(StreamFinding::stream).thenComparing(StreamFinding::kind));
        for (StreamFinding finding : findings) {
            LOG.debug("{} {}: {}", finding.kind(), finding.state(), finding.message());
        }
        return findings;
    }

    /** Every tracked stream, ordered by key. */
    public List<StreamStatus> streams() {
        return streams.values().stream()
                .map(StreamState::status)
                .sorted(Comparator.comparing(StreamStatus::key))
                .toList();
    }

    /** Every explicit expectation, in configuration order. */
    public List<ExpectationStatus> expectations() {
        long now = clock.millis();
        return expectations.stream().map(expectation -> expectation.status(now, startedAt)).toList();
    }

    /** When this watch started (expectations are judged a period after it). */
    public Instant startedAt() {
        return Instant.ofEpochMilli(startedAt);
    }

    /** Streams tracked now (at most {@code streams.max}). */
    public int trackedStreams() {
        return tracked.get();
    }

    /** Events of streams that were not tracked because {@code streams.max} streams already were. */
    public long untrackedEvents() {
        return untrackedEvents.get();
    }

    /** Events without the label that {@code streams.key: label:<name>} names: in no stream. */
    public long unkeyedEvents() {
        return unkeyedEvents.get();
    }

    private boolean reserveSlot() {
        int max = config.maxStreams();
        return tracked.getAndUpdate(n -> n < max ? n + 1 : n) < max;
    }

    private void forget(StreamState stream) {
        if (streams.remove(stream.key(), stream)) {
            tracked.decrementAndGet();
        }
    }

    private void untracked(String key) {
        untrackedEvents.incrementAndGet();
        if (limitLogged.compareAndSet(false, true)) {
            LOG.warn("Watchdog is tracking {} streams, the limit set by watchdog.streams.max; events of new streams"
                            + " (the first: '{}') are only counted, not watched for absence or rate anomalies. Raise"
                            + " watchdog.streams.max or choose a coarser watchdog.streams.key (now {}). Logged once.",
                    config.maxStreams(), key, config.streamKey());
        }
    }
}

package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.watchdog.streams.StreamStatus.AbsenceState;
import io.alertrelay.watchdog.streams.StreamStatus.AnomalyState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Bounds, status snapshots and thread safety. */
final class StreamWatchTest {
    private static StreamWatchConfig withMax(int max, Duration forgetAfter) {
        StreamWatchConfig d = StreamWatchConfig.defaults();
        return new StreamWatchConfig(d.streamKey(), max, forgetAfter, d.absence(), d.anomaly(), List.of());
    }

    @Test
    void tracksAtMostStreamsMaxAndCountsTheEventsOfTheRest() {
        Simulation sim = new Simulation(withMax(2, Duration.ofDays(7)));
        for (int i = 0; i < 10; i++) {
            sim.event("alerts:a");
            sim.event("alerts:b");
            sim.event("alerts:c");
            sim.event("alerts:d");
        }
        assertThat(sim.watch.streams()).extracting(StreamStatus::key).containsExactly("alerts:a", "alerts:b");
        assertThat(sim.watch.trackedStreams()).isEqualTo(2);
        assertThat(sim.watch.untrackedEvents()).isEqualTo(20);
    }

    @Test
    void forgetsAStreamIdleForForgetAfterWithNothingFiringWhichFreesItsSlot() {
        Simulation sim = new Simulation(withMax(1, Duration.ofHours(1)));
        sim.event("alerts:once");
        sim.idle(Duration.ofMinutes(61), Duration.ofMinutes(1));
        assertThat(sim.watch.streams()).isEmpty();
        sim.event("alerts:new");
        assertThat(sim.watch.streams()).extracting(StreamStatus::key).containsExactly("alerts:new");
        assertThat(sim.watch.untrackedEvents()).isZero();
    }

    @Test
    void neverForgetsAStreamReportedAbsent() {
        Simulation sim = new Simulation(withMax(10, Duration.ofHours(1)));
        sim.regular("alerts:a", Duration.ofSeconds(10), 30);
        sim.idle(Duration.ofDays(3), Duration.ofMinutes(1));
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.absence()).isEqualTo(AbsenceState.ABSENT));
        // one finding in three days (6 events/min is below anomaly.min-events, so no rate finding either)
        assertThat(sim.findings).extracting(StreamFinding::kind).containsExactly(StreamFinding.Kind.ABSENT);
    }

    @Test
    void statusShowsWhatTheWatchKnows() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes("alerts:a", 30, 12);
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.key()).isEqualTo("alerts:a");
            assertThat(status.events()).isEqualTo(360);
            assertThat(status.lastEventAt()).isEqualTo(Simulation.START.plus(Duration.parse("PT11M59S")));
            assertThat(status.usualGap()).contains(Duration.ofSeconds(2));
            assertThat(status.absenceLimit()).contains(Duration.ofMinutes(5));
            assertThat(status.windowRate()).hasValue(30);
            assertThat(status.baselineRate()).hasValue(30);
            assertThat(status.absence()).isEqualTo(AbsenceState.WATCHING);
            assertThat(status.anomaly()).isEqualTo(AnomalyState.NORMAL);
        });
    }

    @Test
    void aClockThatStepsBackIsTolerated() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.regular("alerts:a", Duration.ofSeconds(1), 30);
        sim.clock.set(Simulation.START.minus(Duration.ofMinutes(10)));
        sim.event("alerts:a");
        assertThat(sim.evaluate()).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.events()).isEqualTo(31);
            assertThat(status.usualGap()).hasValueSatisfying(gap -> assertThat(gap).isLessThan(Duration.ofSeconds(2)));
        });
    }

    @Test
    void recordAndEvaluateMayRunConcurrently() throws Exception {
        Simulation sim = new Simulation(withMax(50, Duration.ofDays(7)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Object>> recorders = List.of(0, 1, 2).stream().map(thread -> pool.<Object>submit(() -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                    sim.event("alerts:" + (i % 100));
                }
                return null;
            })).toList();
            Future<?> evaluator = pool.submit(() -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                    sim.watch.evaluate();
                    sim.watch.streams();
                }
                return null;
            });
            start.countDown();
            for (Future<Object> recorder : recorders) {
                recorder.get();
            }
            evaluator.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(sim.watch.trackedStreams()).isEqualTo(50);
        long tracked = sim.watch.streams().stream().mapToLong(StreamStatus::events).sum();
        assertThat(tracked + sim.watch.untrackedEvents()).isEqualTo(60_000);
    }
}

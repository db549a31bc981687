package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.streams.StreamFinding.Kind;
import io.alertrelay.watchdog.streams.StreamStatus.AnomalyState;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Anomaly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Windows are one minute long and start when the watch starts; the helpers evaluate every second. */
final class StreamWatchAnomalyTest {
    private static final String STREAM = "alerts:billing";

    private static List<StreamFinding> rateFindings(List<StreamFinding> findings) {
        return findings.stream().filter(f -> f.kind() == Kind.RATE_SPIKE || f.kind() == Kind.RATE_DROP).toList();
    }

    @Test
    void aSpikeFiresAfterTriggerWindowsAndResolvesAfterClearWindows() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        // window 0 is the stream's first (partial) one; windows 1-10 build the baseline; 11-14 are judged normal
        assertThat(sim.minutes(STREAM, 30, 15)).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.anomaly()).isEqualTo(AnomalyState.NORMAL);
            assertThat(status.baselineRate()).hasValue(30);
            assertThat(status.windowRate()).hasValue(30);
        });

        // windows 15-19 at 600/min: window 15 is the first anomalous one, window 16 the second: fires at 17m
        List<StreamFinding> spike = sim.minutes(STREAM, 600, 5);
        assertThat(spike).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.RATE_SPIKE);
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.at()).isEqualTo(Simulation.START.plus(Duration.ofMinutes(17)));
            assertThat(finding.message()).isEqualTo(
                    "Stream alerts:billing is receiving 600 events/min (usually 33/min, 18× more) for 2m");
            assertThat(finding.currentRate()).hasValue(600);
            assertThat(finding.baselineRate().getAsDouble()).isBetween(30.0, 35.0);
        });
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.anomaly()).isEqualTo(AnomalyState.SPIKE));

        // back to 30/min from 20m: windows 20, 21 and 22 are normal, so it resolves when window 22 closes, at 23m
        List<StreamFinding> calm = sim.minutes(STREAM, 30, 10);
        assertThat(calm).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.RATE_SPIKE);
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.at()).isEqualTo(Simulation.START.plus(Duration.ofMinutes(23)));
            assertThat(finding.lasted()).contains(Duration.ofMinutes(5));
            assertThat(finding.message()).startsWith("Stream alerts:billing is back to 30 events/min (usually ")
                    .endsWith("/min) after a spike of 5m");
        });
        assertThat(sim.findings).hasSize(2);
    }

    @Test
    void aSingleAnomalousWindowNeitherFiresNorMovesTheBaselineMuch() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 30, 15);
        sim.minutes(STREAM, 900, 1);
        sim.minutes(STREAM, 30, 1);
        sim.minutes(STREAM, 900, 1);
        assertThat(sim.minutes(STREAM, 30, 20)).isEmpty();
        assertThat(sim.findings).isEmpty();
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.baselineRate().getAsDouble()).isLessThan(40));
    }

    @Test
    void aDropFiresAfterTriggerWindowsAndResolvesAfterClearWindows() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        assertThat(sim.minutes(STREAM, 60, 15)).isEmpty();
        assertThat(sim.minutes(STREAM, 3, 5)).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.RATE_DROP);
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.at()).isEqualTo(Simulation.START.plus(Duration.ofMinutes(17)));
            assertThat(finding.message()).startsWith("Stream alerts:billing is receiving 3 events/min (usually ")
                    .endsWith("× less) for 2m");
        });
        assertThat(sim.minutes(STREAM, 60, 10)).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.RATE_DROP);
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.at()).isEqualTo(Simulation.START.plus(Duration.ofMinutes(23)));
            assertThat(finding.lasted()).contains(Duration.ofMinutes(5));
        });
    }

    @Test
    void aStreamThatStopsIsADropAndThenAbsent() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 60, 15);
        List<StreamFinding> found = sim.idle(Duration.ofMinutes(10), Duration.ofSeconds(1));
        assertThat(found).extracting(StreamFinding::kind).containsExactly(Kind.RATE_DROP, Kind.ABSENT);
        assertThat(found.get(0).message())
                .isEqualTo("Stream alerts:billing has received no events for 2m (usually 60/min)");
        // and both resolve once it is back
        sim.minutes(STREAM, 60, 5);
        assertThat(sim.findings).extracting(StreamFinding::kind, StreamFinding::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.RATE_DROP, Status.FIRING),
                org.assertj.core.groups.Tuple.tuple(Kind.ABSENT, Status.FIRING),
                org.assertj.core.groups.Tuple.tuple(Kind.ABSENT, Status.RESOLVED),
                org.assertj.core.groups.Tuple.tuple(Kind.RATE_DROP, Status.RESOLVED));
    }

    @Test
    void noVerdictBeforeMinBaselineWindows() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 30, 5);
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.anomaly()).isEqualTo(AnomalyState.LEARNING));
        assertThat(sim.minutes(STREAM, 900, 3)).isEmpty();
    }

    @Test
    void aRateHoveringAroundTheThresholdDoesNotFlap() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 30, 15);
        sim.minutes(STREAM, 600, 2);
        // now firing; the rate settles right around the spike threshold (10 × 30 = 300) for three hours
        Random random = new Random(7);
        int crossings = 0;
        boolean above = true;
        for (int window = 0; window < 180; window++) {
            int count = 280 + random.nextInt(41);
            crossings += (count > 300) != above ? 1 : 0;
            above = count > 300;
            sim.minutes(STREAM, count, 1);
        }
        List<StreamFinding> transitions = rateFindings(sim.findings);
        assertThat(crossings).as("times the rate crossed the threshold").isGreaterThan(50);
        assertThat(transitions).hasSizeLessThanOrEqualTo(2);
        assertThat(transitions.get(0).state()).isEqualTo(Status.FIRING);
    }

    @Test
    void aBurstyStreamDoesNotFlapEither() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 30, 15);
        // each window is either calm (30) or a burst (400, over 10× the baseline), at random, for a day
        Random random = new Random(11);
        for (int window = 0; window < 24 * 60; window++) {
            sim.minutes(STREAM, random.nextBoolean() ? 400 : 30, 1);
        }
        assertThat(rateFindings(sim.findings).size()).isLessThanOrEqualTo(4);
    }

    @Test
    void aStreamWhoseWindowsAreEmptyByNatureIsNotADrop() {
        // 600 events in one window, then five empty ones, for a day: on average 100/min, mostly nothing
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        for (int cycle = 0; cycle < 240; cycle++) {
            sim.minutes(STREAM, 600, 1);
            sim.idle(Duration.ofMinutes(5), Duration.ofSeconds(5));
        }
        assertThat(sim.findings).filteredOn(finding -> finding.kind() == Kind.RATE_DROP).isEmpty();
        // a steady stream of the same average that stops is, as the drop test shows, reported
    }

    @Test
    void aLastingChangeOfLevelBecomesTheNewNormalButNotAtOnce() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.minutes(STREAM, 30, 15);
        List<StreamFinding> fired = sim.minutes(STREAM, 600, 30);
        assertThat(fired).extracting(StreamFinding::state).containsExactly(Status.FIRING);

        List<StreamFinding> later = new ArrayList<>();
        for (int minute = 30; minute < 6 * 60; minute++) {
            later.addAll(sim.minutes(STREAM, 600, 1));
        }
        assertThat(later).singleElement().satisfies(finding -> {
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.at()).isBetween(Simulation.START.plus(Duration.ofMinutes(15 + 45)),
                    Simulation.START.plus(Duration.ofMinutes(15 + 120)));
        });
    }

    @Test
    void disabledMeansNoRateFindings() {
        Anomaly off = new Anomaly(false, Duration.ofMinutes(1), 0.05, 10, 10, 10, 20, 2, 3);
        Simulation sim = new Simulation(StreamWatchConfig.defaults().withAnomaly(off));
        sim.minutes(STREAM, 30, 15);
        assertThat(sim.minutes(STREAM, 900, 10)).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.anomaly()).isEqualTo(AnomalyState.DISABLED);
            assertThat(status.windowRate()).hasValue(900);
        });
    }

    @Test
    void honoursItsSettings() {
        // 10 s windows, 3 baseline windows, a 4× spike over 2 windows fires, 1 calm window clears
        Anomaly quick = new Anomaly(true, Duration.ofSeconds(10), 0.5, 3, 4, 4, 5, 2, 1);
        Simulation sim = new Simulation(StreamWatchConfig.defaults().withAnomaly(quick));
        assertThat(sim.rate(STREAM, 60, 50)).isEmpty();
        // windows 5 and 6 (50-70 s) are spikes; window 6 closes at 70 s
        assertThat(sim.rate(STREAM, 600, 21)).singleElement()
                .satisfies(finding -> assertThat(finding.at()).isEqualTo(Simulation.START.plusSeconds(70)));
        // window 7 (10 events at 70 s, then 1 a second) is below 2 × baseline: one calm window clears it
        assertThat(sim.rate(STREAM, 60, 20)).singleElement().satisfies(finding -> {
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.at()).isEqualTo(Simulation.START.plusSeconds(80));
        });
    }
}

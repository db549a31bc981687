package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.streams.StreamFinding.Kind;
import io.alertrelay.watchdog.streams.StreamStatus.AbsenceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class StreamWatchAbsenceTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static List<StreamFinding> absences(List<StreamFinding> findings) {
        return findings.stream().filter(finding -> finding.kind() == Kind.ABSENT).toList();
    }

    @Test
    void firesExactlyOnceWhenALearnedStreamFallsSilentAndResolvesWhenItResumes() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        assertThat(sim.regular("alerts:billing", Duration.parse("PT4M50S"), 30)).isEmpty();

        // 6 × 4m 50s = 29m, above the 5m floor: silent 29m is still fine, 29m 1s is not
        assertThat(sim.idle(Duration.ofMinutes(29), SECOND)).isEmpty();
        List<StreamFinding> fired = sim.idle(SECOND, SECOND);
        assertThat(fired).singleElement().satisfies(finding -> {
            assertThat(finding.stream()).isEqualTo("alerts:billing");
            assertThat(finding.kind()).isEqualTo(Kind.ABSENT);
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.message()).isEqualTo("Stream alerts:billing has been silent for 29m 1s; its usual"
                    + " gap between events is 4m 50s (6× = 29m)");
            assertThat(finding.usualGap()).contains(Duration.parse("PT4M50S"));
            assertThat(finding.silence()).contains(Duration.parse("PT29M1S"));
            assertThat(finding.limit()).contains(Duration.ofMinutes(29));
            assertThat(finding.at()).isEqualTo(sim.clock.instant());
        });
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.absence()).isEqualTo(AbsenceState.ABSENT));

        // no repeats while it lasts, however long
        assertThat(sim.idle(Duration.parse("PT10M59S"), SECOND)).isEmpty();
        assertThat(sim.idle(Duration.ofHours(5), Duration.ofSeconds(10))).isEmpty();

        sim.event("alerts:billing");
        List<StreamFinding> resolved = sim.evaluate();
        assertThat(resolved).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo(Kind.ABSENT);
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.message()).isEqualTo("Stream alerts:billing resumed after 5h 40m of silence; its"
                    + " usual gap between events is 4m 50s");
            assertThat(finding.silence()).contains(Duration.ofMinutes(340));
            assertThat(finding.lasted()).contains(Duration.ofMinutes(340));
        });
        assertThat(sim.evaluate()).isEmpty();
        assertThat(sim.findings).hasSize(2);
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.absence()).isEqualTo(AbsenceState.WATCHING));
    }

    @Test
    void aStreamThatResumesAndLaterFallsSilentAgainIsANewCondition() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.regular("alerts:billing", Duration.ofSeconds(10), 30);
        assertThat(sim.idle(Duration.ofMinutes(6), SECOND)).extracting(StreamFinding::state)
                .containsExactly(Status.FIRING);
        sim.event("alerts:billing");
        assertThat(sim.evaluate()).extracting(StreamFinding::state).containsExactly(Status.RESOLVED);
        // right after a reported silence the limit is looser (it may have been a natural pause) ...
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> assertThat(status.absenceLimit())
                .hasValueSatisfying(limit -> assertThat(limit).isGreaterThan(Duration.ofMinutes(10))));
        // ... and regular traffic tightens it again
        assertThat(sim.regular("alerts:billing", Duration.ofSeconds(10), 360)).isEmpty();
        assertThat(sim.watch.streams()).singleElement()
                .satisfies(status -> assertThat(status.absenceLimit()).contains(Duration.ofMinutes(5)));
        assertThat(sim.idle(Duration.ofMinutes(6), SECOND)).singleElement().satisfies(finding -> {
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.silence()).contains(Duration.parse("PT5M1S"));
        });
    }

    @Test
    void nothingIsJudgedBeforeMinEvents() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.regular("alerts:billing", SECOND, 19);
        assertThat(sim.idle(Duration.ofDays(1), Duration.ofMinutes(1))).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.events()).isEqualTo(19);
            assertThat(status.absence()).isEqualTo(AbsenceState.LEARNING);
            assertThat(status.absenceLimit()).isEmpty();
        });

        // the same with a 20th event is judged: with a 1s usual gap only the 5m floor applies
        Simulation twenty = new Simulation(StreamWatchConfig.defaults());
        twenty.regular("alerts:billing", SECOND, 20);
        assertThat(twenty.idle(Duration.ofMinutes(5), SECOND)).isEmpty();
        assertThat(twenty.idle(SECOND, SECOND)).extracting(StreamFinding::kind).containsExactly(Kind.ABSENT);
    }

    @Test
    void silenceShorterThanTheFloorNeverFiresEvenForAFastRegularStream() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        assertThat(sim.regular("alerts:fast", Duration.ofMillis(100), 3_000)).isEmpty();
        // 6 × 100ms = 600ms, yet nothing below the 5m floor is ever reported
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.usualGap()).contains(Duration.ofMillis(100));
            assertThat(status.absenceLimit()).contains(Duration.ofMinutes(5));
        });
        assertThat(sim.idle(Duration.parse("PT4M59S"), SECOND)).isEmpty();
        assertThat(sim.idle(Duration.ofSeconds(2), SECOND)).singleElement().satisfies(finding ->
                assertThat(finding.message()).isEqualTo("Stream alerts:fast has been silent for 5m 1s; its usual"
                        + " gap between events is 100ms (6× = 600ms, floor 5m)"));
    }

    @Test
    void pausesShorterThanTheFloorBetweenFastBurstsAreNeverReported() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        for (int pause = 0; pause < 50; pause++) {
            sim.regular("alerts:fast", Duration.ofMillis(100), 600);
            sim.idle(Duration.parse("PT4M59S"), SECOND);
        }
        // (bursts with pauses are rate anomalies at first, another matter: see StreamWatchAnomalyTest)
        assertThat(absences(sim.findings)).isEmpty();
    }

    @Test
    void aBurstyStreamLearnsItsPausesInsteadOfFlapping() {
        // a batch of 100 events (100 ms apart) every 6 minutes, like a notifier sending grouped alerts: its pauses
        // (5m 50s) are longer than the floor; an average counted per event would be about 100 ms and report every one
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        for (int batch = 0; batch < 240; batch++) {
            sim.regular("alerts:batched", Duration.ofMillis(100), 100);
            sim.idle(Duration.parse("PT5M50S"), Duration.ofSeconds(5));
        }
        // the first pause, seen while the stream looked fast, is reported once; then it is learned
        assertThat(absences(sim.findings)).extracting(StreamFinding::state)
                .containsExactly(Status.FIRING, Status.RESOLVED);
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> assertThat(status.usualGap())
                .hasValueSatisfying(gap -> assertThat(gap).isBetween(Duration.ofMinutes(3), Duration.ofMinutes(6))));

        // a real outage is still reported, once
        assertThat(absences(sim.idle(Duration.ofHours(3), Duration.ofSeconds(5)))).singleElement()
                .satisfies(finding -> assertThat(finding.state()).isEqualTo(Status.FIRING));
    }

    @Test
    void anAlertStormDoesNotMakeTheNextUsualPauseLookLikeAnOutage() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        sim.regular("alerts:billing", Duration.ofMinutes(10), 30);
        sim.regular("alerts:billing", Duration.ofMillis(200), 300);
        sim.regular("alerts:billing", Duration.ofMinutes(10), 30);
        assertThat(absences(sim.findings)).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> assertThat(status.absenceLimit())
                .hasValueSatisfying(limit -> assertThat(limit).isGreaterThan(Duration.ofMinutes(40))));
    }

    @Test
    void aJitteryStreamIsNeverReportedAcrossAMonth() {
        // random gaps of 1 to 60 s: with the floor out of the way (1s), only k × EWMA protects it
        StreamWatchConfig config = StreamWatchConfig.defaults().withAbsence(
                new StreamWatchConfig.Absence(6, SECOND, 20, 0.1));
        Simulation sim = new Simulation(config);
        Random random = new Random(42);
        Duration simulated = Duration.ZERO;
        int events = 0;
        while (simulated.compareTo(Duration.ofDays(30)) < 0) {
            int gap = 1 + random.nextInt(60);
            for (int second = 0; second < gap; second += 5) {
                Duration step = Duration.ofSeconds(Math.min(5, gap - second));
                sim.clock.advance(step);
                sim.evaluate();
            }
            sim.event("alerts:jittery");
            events++;
            simulated = simulated.plusSeconds(gap);
        }
        assertThat(events).isGreaterThan(80_000);
        assertThat(sim.findings).isEmpty();
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.absence()).isEqualTo(AbsenceState.WATCHING);
            assertThat(status.usualGap()).hasValueSatisfying(gap -> assertThat(gap)
                    .isBetween(Duration.ofSeconds(15), Duration.ofSeconds(45)));
        });
    }

    @Test
    void eachStreamIsJudgedOnItsOwn() {
        Simulation sim = new Simulation(StreamWatchConfig.defaults());
        for (int i = 0; i < 40; i++) {
            sim.clock.advance(Duration.ofSeconds(30));
            sim.event("alerts:a");
            sim.event("alerts:b");
            sim.evaluate();
        }
        for (int i = 0; i < 20; i++) {
            sim.clock.advance(Duration.ofSeconds(30));
            sim.event("alerts:a");
            sim.evaluate();
        }
        assertThat(sim.findings).singleElement().satisfies(finding -> {
            assertThat(finding.stream()).isEqualTo("alerts:b");
            assertThat(finding.kind()).isEqualTo(Kind.ABSENT);
        });
    }

    @Test
    void streamsKeyedByALabelIgnoreAlertsWithoutIt() {
        StreamWatchConfig config = new StreamWatchConfig(StreamWatchConfig.StreamKey.label("service"),
                StreamWatchConfig.DEFAULT_MAX_STREAMS, StreamWatchConfig.DEFAULT_FORGET_AFTER,
                StreamWatchConfig.Absence.DEFAULTS, StreamWatchConfig.Anomaly.DEFAULTS, List.of());
        Simulation sim = new Simulation(config);
        for (int i = 0; i < 25; i++) {
            sim.clock.advance(Duration.ofSeconds(10));
            sim.watch.record(Simulation.alert("alerts:x", Map.of("service", "billing")));
            sim.watch.record(Simulation.alert("alerts:y", Map.of("service", "billing")));
            sim.watch.record(Simulation.alert("alerts:x", Map.of("host", "db-1")));
        }
        assertThat(sim.watch.streams()).singleElement().satisfies(status -> {
            assertThat(status.key()).isEqualTo("billing");
            assertThat(status.events()).isEqualTo(50);
        });
        assertThat(sim.watch.unkeyedEvents()).isEqualTo(25);
        assertThat(sim.idle(Duration.ofMinutes(6), SECOND)).singleElement()
                .satisfies(finding -> assertThat(finding.stream()).isEqualTo("billing"));
    }
}

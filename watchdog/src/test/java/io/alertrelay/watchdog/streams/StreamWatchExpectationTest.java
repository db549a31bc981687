package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.alertrelay.spi.Status;
import io.alertrelay.watchdog.streams.StreamFinding.Kind;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Expectation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class StreamWatchExpectationTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static Simulation simulation(Expectation... expectations) {
        return new Simulation(StreamWatchConfig.defaults().withExpectations(List.of(expectations)));
    }

    @Test
    void isNotJudgedBeforeThePeriodHasElapsedSinceStartThenFiresOnceAndResolves() {
        Simulation sim = simulation(Expectation.of("alerts:billing", 1, Duration.ofMinutes(10)));
        assertThat(sim.watch.expectations()).singleElement()
                .satisfies(status -> assertThat(status.state()).isEqualTo(ExpectationStatus.State.WAITING));

        assertThat(sim.idle(Duration.parse("PT9M59S"), SECOND)).isEmpty();
        assertThat(sim.idle(SECOND, SECOND)).singleElement().satisfies(finding -> {
            assertThat(finding.stream()).isEqualTo("alerts:billing");
            assertThat(finding.kind()).isEqualTo(Kind.EXPECTATION_UNMET);
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.message()).isEqualTo("Expectation alerts:billing unmet: 0 events in the last 10m,"
                    + " expected at least 1 (none seen since start-up 10m ago)");
            assertThat(finding.observedEvents()).hasValue(0);
            assertThat(finding.expectedEvents()).hasValue(1);
            assertThat(finding.limit()).contains(Duration.ofMinutes(10));
            assertThat(finding.silence()).isEmpty();
        });
        assertThat(sim.idle(Duration.ofMinutes(30), SECOND)).isEmpty();

        sim.event("alerts:other");
        assertThat(sim.evaluate()).isEmpty();
        sim.event("alerts:billing");
        assertThat(sim.evaluate()).singleElement().satisfies(finding -> {
            assertThat(finding.state()).isEqualTo(Status.RESOLVED);
            assertThat(finding.message()).isEqualTo("Expectation alerts:billing met again: 1 event in the last 10m,"
                    + " at least 1 expected; it was unmet for 30m");
            assertThat(finding.lasted()).contains(Duration.ofMinutes(30));
        });

        // the event counts for one period exactly, then the expectation is unmet again
        assertThat(sim.idle(Duration.ofMinutes(10), SECOND)).isEmpty();
        assertThat(sim.idle(SECOND, SECOND)).singleElement().satisfies(finding -> {
            assertThat(finding.state()).isEqualTo(Status.FIRING);
            assertThat(finding.message()).endsWith("(last one 10m 1s ago)");
            assertThat(finding.silence()).contains(Duration.parse("PT10M1S"));
        });
    }

    @Test
    void aSteadyFlowMeetsItFromTheStart() {
        Simulation sim = simulation(Expectation.of("alerts:billing", 3, Duration.ofMinutes(10)));
        assertThat(sim.regular("alerts:billing", Duration.ofMinutes(3), 100)).isEmpty();
        assertThat(sim.watch.expectations()).singleElement().satisfies(status -> {
            assertThat(status.state()).isEqualTo(ExpectationStatus.State.MET);
            assertThat(status.observed()).isEqualTo(3);
        });
    }

    @Test
    void countsOnlyMatchingEventsAndNeedsAtLeastOfThem() {
        Expectation billing = new Expectation("billing-errors", Optional.of("alerts:prod"),
                Map.of("service", "billing"), 3, Duration.ofMinutes(5));
        Simulation sim = simulation(billing);
        for (int i = 0; i < 5; i++) {
            sim.clock.advance(Duration.ofSeconds(50));
            sim.watch.record(Simulation.alert("alerts:prod", Map.of("service", "billing", "host", "a")));
            sim.watch.record(Simulation.alert("alerts:prod", Map.of("service", "search")));
            sim.watch.record(Simulation.alert("alerts:dev", Map.of("service", "billing")));
        }
        // five matching events, 50 s apart: met
        assertThat(sim.idle(Duration.ofSeconds(50), SECOND)).isEmpty();
        // the third newest was at 2m 30s; it leaves the 5m window after 7m 30s
        assertThat(sim.idle(Duration.ofSeconds(150), SECOND)).isEmpty();
        assertThat(sim.idle(SECOND, SECOND)).singleElement().satisfies(finding -> assertThat(finding.message())
                .isEqualTo("Expectation billing-errors unmet: 2 events in the last 5m, expected at least 3"
                        + " (last one 3m 21s ago)"));
    }
}

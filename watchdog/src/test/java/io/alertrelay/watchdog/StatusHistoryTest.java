package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StatusHistoryTest {
    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    @SuppressWarnings("unchecked")
    private static List<List<Number>> series(Map<String, Object> snapshot, String group, String name) {
        return (List<List<Number>>) ((Map<String, Object>) ((Map<String, Object>) snapshot.get("groups")).get(group))
                .get(name);
    }

    @Test
    void keepsPointsOldestFirstAndAValueSampledTwiceOnce() {
        StatusHistory history = new StatusHistory();
        history.add("canaryRoundTripMillis", "10.0.0.5:6379", T0, 3);
        history.add("canaryRoundTripMillis", "10.0.0.5:6379", T0, 3);
        history.add("canaryRoundTripMillis", "10.0.0.5:6379", T0.plusSeconds(5), 4);
        Map<String, Object> snapshot = history.snapshot(T0.plusSeconds(6));
        assertThat(series(snapshot, "canaryRoundTripMillis", "10.0.0.5:6379"))
                .containsExactly(List.of(T0.toEpochMilli(), 3.0), List.of(T0.plusSeconds(5).toEpochMilli(), 4.0));
        assertThat(snapshot).containsEntry("period", "PT5S").containsEntry("span", "PT1H").containsEntry("points", 720);
    }

    @Test
    void aSeriesKeepsAtMostItsCapacityAndAnswersOnlyTheLastHour() {
        StatusHistory history = new StatusHistory();
        int added = StatusHistory.POINTS + 100;
        for (int i = 0; i < added; i++) {
            history.add("sinkQueueDepth", "ops-slack", T0.plus(StatusHistory.PERIOD.multipliedBy(i)), i);
        }
        Instant last = T0.plus(StatusHistory.PERIOD.multipliedBy(added - 1));
        List<List<Number>> points = series(history.snapshot(last), "sinkQueueDepth", "ops-slack");
        assertThat(points).hasSizeLessThanOrEqualTo(StatusHistory.POINTS);
        assertThat(points.get(points.size() - 1).get(1)).isEqualTo((double) (added - 1));
        assertThat(points.get(0).get(0).longValue()).isGreaterThanOrEqualTo(last.minus(StatusHistory.SPAN).toEpochMilli());

        assertThat(series(history.snapshot(last.plus(StatusHistory.SPAN).plusSeconds(1)), "sinkQueueDepth",
                "ops-slack")).as("nothing older than an hour").isEmpty();
    }

    @Test
    void seriesBeyondTheLimitAreCountedNotKept() {
        StatusHistory history = new StatusHistory();
        for (int i = 0; i < StatusHistory.MAX_SERIES + 3; i++) {
            history.add("streamEventsPerMinute", "stream-" + i, T0, 1);
        }
        Map<String, Object> snapshot = history.snapshot(T0);
        assertThat((Map<?, ?>) ((Map<?, ?>) snapshot.get("groups")).get("streamEventsPerMinute"))
                .hasSize(StatusHistory.MAX_SERIES);
        assertThat(snapshot).containsEntry("droppedSeries", 3L);
    }
}

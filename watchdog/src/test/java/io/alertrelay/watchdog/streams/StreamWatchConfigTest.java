package io.alertrelay.watchdog.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.spi.ConfigurationException;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Absence;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Anomaly;
import io.alertrelay.watchdog.streams.StreamWatchConfig.Expectation;
import io.alertrelay.watchdog.streams.StreamWatchConfig.StreamKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class StreamWatchConfigTest {
    private static StreamWatchConfig parse(Map<String, Object> watchdog) {
        return StreamWatchConfig.from(TreeConfigView.root(Map.of("watchdog", watchdog)).section("watchdog"));
    }

    private static List<String> problems(Map<String, Object> watchdog) {
        try {
            parse(watchdog);
        } catch (ConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected a ConfigurationException");
    }

    @Test
    void defaults() {
        StreamWatchConfig config = StreamWatchConfig.from(TreeConfigView.root(Map.of()).section("watchdog"));
        assertThat(config).isEqualTo(StreamWatchConfig.defaults());
        assertThat(config.streamKey()).isEqualTo(StreamKey.channel());
        assertThat(config.maxStreams()).isEqualTo(10_000);
        assertThat(config.forgetAfter()).isEqualTo(Duration.ofDays(7));
        assertThat(config.absence()).isEqualTo(new Absence(6, Duration.ofMinutes(5), 20, 0.1));
        assertThat(config.anomaly()).isEqualTo(new Anomaly(true, Duration.ofMinutes(1), 0.05, 10, 10, 10, 20, 2, 3));
        assertThat(config.expectations()).isEmpty();
    }

    @Test
    void fullMapping() {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("service", "billing");
        labels.put("env", "prod");
        TreeConfigView root = TreeConfigView.root(Map.of("watchdog", Map.of(
                "streams", Map.of("key", "label:service", "max", 500, "forget-after", "2d"),
                "absence", Map.of("factor", 4.5, "floor", "10m", "min-events", 50, "ewma-alpha", 0.2),
                "anomaly", Map.of("enabled", false, "window", "5m", "baseline-alpha", 0.1, "min-baseline-windows", 12,
                        "spike-factor", 5, "drop-factor", 8, "min-events", 30, "trigger-windows", 3,
                        "clear-windows", 4),
                "expect", List.of(
                        Map.of("channel", "alerts:billing", "at-least", 1, "per", "10m"),
                        Map.of("name", "billing-prod", "channel", "alerts:prod", "labels", labels, "at-least", 5,
                                "per", "1h"),
                        Map.of("labels", Map.of("team", "storage"), "per", "30m")))));

        StreamWatchConfig config = StreamWatchConfig.from(root.section("watchdog"));

        assertThat(config).isEqualTo(new StreamWatchConfig(StreamKey.label("service"), 500, Duration.ofDays(2),
                new Absence(4.5, Duration.ofMinutes(10), 50, 0.2),
                new Anomaly(false, Duration.ofMinutes(5), 0.1, 12, 5, 8, 30, 3, 4),
                List.of(Expectation.of("alerts:billing", 1, Duration.ofMinutes(10)),
                        new Expectation("billing-prod", Optional.of("alerts:prod"),
                                Map.of("service", "billing", "env", "prod"), 5, Duration.ofHours(1)),
                        new Expectation("{team=storage}", Optional.empty(), Map.of("team", "storage"), 1,
                                Duration.ofMinutes(30)))));
        assertThat(root.unusedKeys()).isEmpty();
    }

    @Test
    void everyInvalidValueIsNamedWithItsFullKeyAllAtOnce() {
        Map<String, Object> anomaly = new LinkedHashMap<>();
        anomaly.put("enabled", "maybe");
        anomaly.put("window", "0");
        anomaly.put("baseline-alpha", 0);
        anomaly.put("min-baseline-windows", 0);
        anomaly.put("spike-factor", 1);
        anomaly.put("drop-factor", "ten");
        anomaly.put("min-events", -1);
        anomaly.put("trigger-windows", 0);
        anomaly.put("clear-windows", "x");
        assertThat(problems(Map.of(
                "streams", Map.of("key", "host", "max", 0),
                "absence", Map.of("factor", 1, "floor", "5x", "min-events", 1, "ewma-alpha", 1.5),
                "anomaly", anomaly))).containsExactlyInAnyOrder(
                "watchdog.streams.key: 'host' is not 'channel' or 'label:<name>' (e.g. label:service)",
                "watchdog.streams.max: '0' must be a positive integer",
                "watchdog.absence.factor: '1' must be a number greater than 1",
                "watchdog.absence.floor: '5x' is not a duration (e.g. 500ms, 10s, 2m)",
                "watchdog.absence.min-events: '1' must be an integer of at least 2",
                "watchdog.absence.ewma-alpha: '1.5' must be a number greater than 0 and at most 1",
                "watchdog.anomaly.enabled: 'maybe' is not a boolean (true or false)",
                "watchdog.anomaly.window: '0' must be a positive duration (e.g. 500ms, 10s, 2m)",
                "watchdog.anomaly.baseline-alpha: '0' must be a number greater than 0 and at most 1",
                "watchdog.anomaly.min-baseline-windows: '0' must be a positive integer",
                "watchdog.anomaly.spike-factor: '1' must be a number greater than 1",
                "watchdog.anomaly.drop-factor: 'ten' is not a number",
                "watchdog.anomaly.min-events: '-1' must be a positive integer",
                "watchdog.anomaly.trigger-windows: '0' must be a positive integer",
                "watchdog.anomaly.clear-windows: 'x' is not an integer");
    }

    @Test
    void rejectsNonFiniteNumbersAndAForgetAfterWithinTheFloor() {
        assertThat(problems(Map.of(
                "streams", Map.of("forget-after", "5m"),
                "absence", Map.of("factor", "Infinity", "ewma-alpha", "NaN")))).containsExactly(
                "watchdog.streams.forget-after: must be longer than watchdog.absence.floor (5m)",
                "watchdog.absence.factor: 'Infinity' must be a number greater than 1",
                "watchdog.absence.ewma-alpha: 'NaN' must be a number greater than 0 and at most 1");
    }

    @Test
    void explainsWhatIsWrongWithAnExpectation() {
        assertThat(problems(Map.of("expect", List.of(
                Map.of("channel", "alerts:a"),
                Map.of("at-least", 1, "per", "10m"),
                Map.of("channel", "alerts:b", "at-least", 0, "per", "0"),
                Map.of("channel", "alerts:c", "at-least", 1_000_000, "per", "1h"),
                Map.of("channel", "alerts:d", "per", "1h"),
                Map.of("name", "alerts:d", "channel", "alerts:e", "per", "1h"),
                Map.of("channel", "alerts:f", "labels", "service=billing", "per", "1h"))))).containsExactly(
                "watchdog.expect[0].per: is required",
                "watchdog.expect[1]: needs a channel, labels, or both (which alerts it counts)",
                "watchdog.expect[2].at-least: '0' must be an integer from 1 to 100000",
                "watchdog.expect[2].per: '0' must be a positive duration (e.g. 500ms, 10s, 2m)",
                "watchdog.expect[3].at-least: '1000000' must be an integer from 1 to 100000",
                "watchdog.expect[5].name: 'alerts:d' is already the name of watchdog.expect[4]; give one of them a"
                        + " distinct name",
                "watchdog.expect[6].labels: must be a section (key: value pairs)");
        assertThat(problems(Map.of("expect", Map.of("channel", "alerts:a"))))
                .containsExactly("watchdog.expect: must be a list");
    }

    @Test
    void recordsBuiltInCodeCheckTheirInvariants() {
        assertThatThrownBy(() -> new Absence(1, Duration.ofMinutes(5), 20, 0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("factor must be greater than 1");
        assertThatThrownBy(() -> new Anomaly(true, Duration.ZERO, 0.05, 10, 10, 10, 20, 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be at least 1ms");
        assertThatThrownBy(() -> new Expectation("x", Optional.empty(), Map.of(), 1, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StreamWatchConfig.defaults().withAnomaly(
                new Anomaly(true, Duration.ofMinutes(1), 0.05, 10, 10, 10, 20, 0, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("triggerWindows must be at least 1");
    }

    @Test
    void streamKeyParsesChannelOrLabel() {
        assertThat(StreamKey.parse("channel")).isEqualTo(StreamKey.channel());
        assertThat(StreamKey.parse(" label:service ")).isEqualTo(StreamKey.label("service"));
        assertThat(StreamKey.label("service")).hasToString("label:service");
        assertThatThrownBy(() -> StreamKey.parse("label:")).isInstanceOf(IllegalArgumentException.class);
        assertThat(StreamKey.channel().of(Simulation.alert("alerts:x"))).contains("alerts:x");
        assertThat(StreamKey.label("service").of(Simulation.alert("alerts:x"))).isEmpty();
    }
}

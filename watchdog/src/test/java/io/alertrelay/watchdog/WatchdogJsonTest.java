package io.alertrelay.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class WatchdogJsonTest {
    record Sample(Instant at, Duration gap, Optional<String> present, Optional<String> absent, OptionalDouble rate,
                  OptionalLong events, OptionalDouble none) {}

    @Test
    void serializesTimesAndEveryKindOfOptional() throws Exception {
        String json = WatchdogJson.mapper().writeValueAsString(new Sample(Instant.parse("2026-11-24T05:00:00Z"),
                Duration.ofSeconds(90), Optional.of("x"), Optional.empty(), OptionalDouble.of(1.5), OptionalLong.of(7),
                OptionalDouble.empty()));
        assertThat(json.replaceAll("\\s", "")).isEqualTo("{\"at\":\"2026-11-24T05:00:00Z\",\"gap\":\"PT1M30S\","
                + "\"present\":\"x\",\"absent\":null,\"rate\":1.5,\"events\":7,\"none\":null}");
    }
}

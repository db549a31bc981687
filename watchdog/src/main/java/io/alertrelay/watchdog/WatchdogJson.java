package io.alertrelay.watchdog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.time.Duration;
import java.time.Instant;

/**
 * The JSON of {@code /status} and {@code /health/ready}, with jackson-databind alone (no jsr310/jdk8 modules in the
 * watchdog): {@link Instant} as ISO-8601 ({@code 2026-11-23T10:00:00.123Z}), {@link Duration} as ISO-8601
 * ({@code PT10S}), {@link Optional} as its value or null; records by their components.
 */
final class WatchdogJson {
    private WatchdogJson() {}

    static ObjectMapper mapper() {
        SimpleModule module = new SimpleModule("alert-relay-watchdog");
        module.addSerializer(Instant.class, ToStringSerializer.instance);
        module.addSerializer(Duration.class, ToStringSerializer.instance);
        return JsonMapper.builder()
                .addModule(new Jdk8Module()) // Optional, OptionalDouble, OptionalLong, OptionalInt
                .addModule(module)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }
}

package io.alertrelay.watchdog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

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
        module.addSerializer(new OptionalSerializer());
        return JsonMapper.builder()
                .addModule(module)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class OptionalSerializer extends StdSerializer<Optional> {
        private static final long serialVersionUID = 1L;

        OptionalSerializer() {
            super(Optional.class);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Optional value) {
            return value == null || value.isEmpty();
        }

        @Override
        public void serialize(Optional value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            if (value.isPresent()) {
                provider.defaultSerializeValue(value.get(), generator);
            } else {
                generator.writeNull();
            }
        }
    }
}

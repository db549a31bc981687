package io.alertrelay.testing;

import io.alertrelay.spi.SinkContext;
import java.time.Clock;

/** A {@link SinkContext} for tests. */
public record TestSinkContext(String instanceName, Clock clock) implements SinkContext {
    public static TestSinkContext named(String name) {
        return new TestSinkContext(name, Clock.systemUTC());
    }
}

package io.alertrelay.spi;

import java.time.Clock;

/** What the host gives a sink when it creates one. Grows only by {@code default} methods. */
public interface SinkContext {
    /** The instance's id from config ({@code sinks.<id>}), for logs. */
    String instanceName();

    default Clock clock() {
        return Clock.systemUTC();
    }
}

package io.alertrelay.spi;

import java.time.Clock;

/** What the host gives a sink when it creates one. Grows only by {@code default} methods. */
public interface SinkContext {
    /** The instance's id from config ({@code sinks.<id>}), for logs. */
    String instanceName();

    default Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * This sink's persistent key-value state ({@link SinkState}); the relay's survives restarts (it lives in
     * {@code delivery.dir}). Usable from the first delivery on, not during {@link SinkFactory#create}. The default
     * is in memory only. Call once per sink and keep the result.
     */
    default SinkState state() {
        return SinkState.inMemory();
    }
}

package io.alertrelay.app;

import static java.util.Objects.requireNonNull;

import io.alertrelay.spi.SinkState;
import java.util.Optional;

/**
 * The {@link SinkState} a sink gets from its context when it is created, before the outbox (where the state lives) is
 * open: in memory until {@link #bind} hands it the outbox's, which Main does right after opening it and before any
 * delivery. A sink created only to check a configuration never gets bound.
 */
final class BoundSinkState implements SinkState {
    private volatile SinkState delegate = SinkState.inMemory();

    void bind(SinkState persistent) {
        this.delegate = requireNonNull(persistent, "persistent is null");
    }

    @Override
    public Optional<String> get(String key) {
        return delegate.get(key);
    }

    @Override
    public void put(String key, String value) {
        delegate.put(key, value);
    }

    @Override
    public void remove(String key) {
        delegate.remove(key);
    }
}

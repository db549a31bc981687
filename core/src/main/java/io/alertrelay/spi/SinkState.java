package io.alertrelay.spi;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink's small persistent memory: string keys to string values, e.g. the Slack message ({@code channel}, {@code ts})
 * a firing alert was posted as, so that its resolution can edit it after a restart. Given by
 * {@link SinkContext#state()}; the relay keeps it beside its outbox ({@code delivery.dir}), one namespace per sink id.
 *
 * <p>Durability: a {@link #put} is written with the relay's next outbox flush, which at the latest is the one that
 * records the delivery as done; a crash before that delivers the notification again, and the sink writes again.
 * Thread-safe. Keep values small (a few hundred bytes) and remove what is no longer needed.
 */
public interface SinkState {
    Optional<String> get(String key);

    void put(String key, String value);

    void remove(String key);

    /** A state that lives as long as the object: for tests and for sinks created outside a relay. */
    static SinkState inMemory() {
        Map<String, String> values = new ConcurrentHashMap<>();
        return new SinkState() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(values.get(key));
            }

            @Override
            public void put(String key, String value) {
                values.put(key, value);
            }

            @Override
            public void remove(String key) {
                values.remove(key);
            }
        };
    }
}

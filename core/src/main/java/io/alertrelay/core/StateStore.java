package io.alertrelay.core;

import java.util.Map;
import java.util.Optional;

/**
 * Port: small named maps of strings that outlive the process: which alerts were notified when, open groups, silences.
 * {@link MvStoreStateStore} keeps them in {@code <delivery.dir>/state.mv.db}; {@link InMemoryStateStore} for tests.
 * Thread-safe.
 */
public interface StateStore extends AutoCloseable {
    Optional<String> get(String map, String key);

    void put(String map, String key, String value);

    void remove(String map, String key);

    /** A copy of one map, in key order. */
    Map<String, String> entries(String map);

    /** Removes the entries of one map the predicate holds for (key, value), without copying the map. */
    void removeIf(String map, java.util.function.BiPredicate<String, String> remove);

    /** Makes the writes so far durable now (they are durable within the store's commit delay anyway). */
    void commit();

    @Override
    void close();
}

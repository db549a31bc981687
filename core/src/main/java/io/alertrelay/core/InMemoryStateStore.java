package io.alertrelay.core;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link StateStore} that forgets everything with the process: for tests and benchmarks. */
public final class InMemoryStateStore implements StateStore {
    private final Map<String, Map<String, String>> maps = new ConcurrentHashMap<>();

    private Map<String, String> map(String name) {
        return maps.computeIfAbsent(name, n -> new TreeMap<>());
    }

    @Override
    public synchronized Optional<String> get(String map, String key) {
        return Optional.ofNullable(map(map).get(key));
    }

    @Override
    public synchronized void put(String map, String key, String value) {
        map(map).put(key, value);
    }

    @Override
    public synchronized void remove(String map, String key) {
        map(map).remove(key);
    }

    @Override
    public synchronized Map<String, String> entries(String map) {
        return new TreeMap<>(map(map));
    }

    @Override
    public synchronized void removeIf(String map, java.util.function.BiPredicate<String, String> remove) {
        map(map).entrySet().removeIf(entry -> remove.test(entry.getKey(), entry.getValue()));
    }

    @Override
    public void commit() {}

    @Override
    public void close() {}
}

package io.alertrelay.app;

import io.alertrelay.spi.SinkFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds sink factories. The production seam loads them with {@link ServiceLoader}; tests pass a fixed list (as
 * OpenTelemetry's {@code ComponentLoader}).
 */
interface SinkFactoryLoader {
    List<SinkFactory> load();

    static SinkFactoryLoader serviceLoader() {
        return () -> {
            List<SinkFactory> factories = new ArrayList<>();
            ServiceLoader.load(SinkFactory.class, SinkFactoryLoader.class.getClassLoader()).forEach(factories::add);
            return factories;
        };
    }

    /** Indexes factories by name; two factories with one name are a build error naming both classes. */
    static Map<String, SinkFactory> byName(List<SinkFactory> factories) {
        Map<String, SinkFactory> byName = new TreeMap<>();
        for (SinkFactory factory : factories) {
            SinkFactory previous = byName.putIfAbsent(factory.name(), factory);
            if (previous != null) {
                throw new IllegalStateException("Sink type '" + factory.name() + "' is provided twice: by "
                        + previous.getClass().getName() + " and " + factory.getClass().getName());
            }
        }
        return Collections.unmodifiableMap(byName);
    }
}

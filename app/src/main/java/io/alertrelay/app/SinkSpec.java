package io.alertrelay.app;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.spi.SinkFactory;
import java.time.Clock;

/**
 * A validated {@code sinks.<id>}: its type, the factory that checked its keys, its keys and its delivery policy. Holds
 * no resources; {@link #create} makes the live sink (at start, and for a new or changed sink on reload).
 */
record SinkSpec(String id, String type, SinkFactory factory, TreeConfigView view, DeliveryPolicy policy) {
    SinkInstance create(Clock clock) {
        return new SinkInstance(id, type, factory.create(view, RelayConfig.context(id, clock)), policy);
    }
}

package io.alertrelay.app;

import io.alertrelay.config.TreeConfigView;
import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.spi.SinkFactory;
import io.alertrelay.spi.Rate;
import java.time.Clock;
import java.util.Optional;

/**
 * A validated {@code sinks.<id>}: its type, the factory that checked its keys, its keys and its delivery policy. Holds
 * no resources; {@link #create} makes the live sink (at start, and for a new or changed sink on reload).
 */
record SinkSpec(String id, String type, SinkFactory factory, TreeConfigView view, DeliveryPolicy policy,
                Optional<Optional<Rate>> rate) {
    /**
     * The live sink, with a persistent state that is bound to the outbox once it is open, and its pace: {@code rate}
     * when configured (empty inside for {@code unlimited}), else the sink's {@link io.alertrelay.spi.Sink#defaultRate}.
     */
    SinkInstance create(Clock clock) {
        BoundSinkState state = new BoundSinkState();
        io.alertrelay.spi.Sink sink = factory.create(view, RelayConfig.context(id, clock, state));
        return new SinkInstance(id, type, sink, policy, rate.orElseGet(sink::defaultRate), state);
    }
}

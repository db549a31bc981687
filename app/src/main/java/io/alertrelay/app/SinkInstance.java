package io.alertrelay.app;

import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.spi.Rate;
import io.alertrelay.spi.Sink;
import java.util.Optional;

/**
 * A configured sink: {@code sinks.<id>} with its type, the created sink and its delivery policy.
 *
 * @param rate  the pace per target: {@code sinks.<id>.rate}, else the sink's {@link Sink#defaultRate()}; empty for
 *              none ({@code rate: unlimited}, or a sink without a default)
 * @param state the sink's persistent state, bound to the outbox once it is open
 */
record SinkInstance(String id, String type, Sink sink, DeliveryPolicy policy, Optional<Rate> rate,
                    BoundSinkState state) {
    SinkInstance(String id, String type, Sink sink, DeliveryPolicy policy) {
        this(id, type, sink, policy, sink.defaultRate(), new BoundSinkState());
    }
}

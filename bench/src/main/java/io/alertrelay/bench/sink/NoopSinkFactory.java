package io.alertrelay.bench.sink;

import io.alertrelay.spi.ConfigView;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Sink;
import io.alertrelay.spi.SinkContext;
import io.alertrelay.spi.SinkFactory;

/**
 * {@code type: bench-noop}, for {@link io.alertrelay.bench.RelayJarBench} only: accepts every alert and does nothing,
 * so the bench measures the relay's own path (decode, route, durable outbox write, the sink's thread) and not a
 * receiver's.
 */
public final class NoopSinkFactory implements SinkFactory {
    @Override
    public String name() {
        return "bench-noop";
    }

    @Override
    public Sink create(ConfigView config, SinkContext context) {
        return alert -> DeliveryResult.delivered();
    }
}

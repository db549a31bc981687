package io.alertrelay.app;

import io.alertrelay.core.DeliveryPolicy;
import io.alertrelay.spi.Sink;

/** A configured sink: {@code sinks.<id>} with its type, the created sink and its delivery policy. */
record SinkInstance(String id, String type, Sink sink, DeliveryPolicy policy) {}

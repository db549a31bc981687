package io.alertrelay.it.failover.harness;

import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A counting {@link MessageHandler}: every numbered alert received, how many times, when first (System.nanoTime) and
 * from which node. Never blocks. Also fed by the bare Lettuce subscriber of the benchmark.
 */
public final class DeliveryLog implements MessageHandler {
    /** One alert's deliveries. */
    public static final class Delivery {
        final long firstNanos;
        final String firstNode;
        final AtomicLong count = new AtomicLong();

        Delivery(long firstNanos, String firstNode) {
            this.firstNanos = firstNanos;
            this.firstNode = firstNode;
        }

        public long firstNanos() {
            return firstNanos;
        }

        public String firstNode() {
            return firstNode;
        }

        public long count() {
            return count.get();
        }
    }

    private final Map<Alert, Delivery> deliveries = new ConcurrentHashMap<>();
    private final AtomicLong other = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    @Override
    public void onMessage(InboundMessage message) {
        record(message.payload(), message.node());
    }

    /** Records one received payload; {@code node} is where it came from, if known. */
    public void record(String payload, String node) {
        long now = System.nanoTime();
        total.incrementAndGet();
        Optional<Alert> alert = Alert.parse(payload);
        if (alert.isEmpty()) {
            other.incrementAndGet();
            return;
        }
        deliveries.computeIfAbsent(alert.get(), a -> new Delivery(now, node)).count.incrementAndGet();
    }

    /** Records one received alert already decoded (the jar's Slack stand-in parses the webhook body itself). */
    public void record(Alert alert, String node) {
        long now = System.nanoTime();
        total.incrementAndGet();
        deliveries.computeIfAbsent(alert, a -> new Delivery(now, node)).count.incrementAndGet();
    }

    /** Records one received message that is not a numbered alert. */
    public void recordOther() {
        total.incrementAndGet();
        other.incrementAndGet();
    }

    public Optional<Delivery> delivery(Alert alert) {
        return Optional.ofNullable(deliveries.get(alert));
    }

    public boolean received(Alert alert) {
        return deliveries.containsKey(alert);
    }

    public Map<Alert, Delivery> snapshot() {
        return Map.copyOf(deliveries);
    }

    /** Messages received in all (with duplicates and unnumbered ones). */
    public long total() {
        return total.get();
    }
}

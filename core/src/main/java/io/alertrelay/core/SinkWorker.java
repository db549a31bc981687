package io.alertrelay.core;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.alertrelay.spi.Alert;
import io.alertrelay.spi.DeliveryResult;
import io.alertrelay.spi.Outcome;
import io.alertrelay.spi.Sink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's bounded queue and the single thread that drains it, retrying retryable failures with back-off (Failsafe)
 * and honouring Retry-After. A slow or failing sink only ever delays itself: {@link #offer} never blocks.
 */
public final class SinkWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SinkWorker.class);

    private final String id;
    private final String type;
    private final Sink sink;
    private final DeliveryPolicy policy;
    private final BlockingQueue<Alert> queue;
    private final RetryPolicy<DeliveryResult> retryPolicy;
    private final Thread thread;
    private final Counter delivered;
    private final Counter rejected;
    private final Counter failed;
    private final Counter dropped;
    private final Counter retries;
    private final Timer latency;
    private final AtomicLong droppedSinceLog = new AtomicLong();
    private final List<OutcomeListener> outcomeListeners = new CopyOnWriteArrayList<>();
    private volatile String currentAlertId = "-"; // for the retry log line
    private volatile boolean accepting = true;
    private volatile boolean running = true;

    public SinkWorker(String id, String type, Sink sink, DeliveryPolicy policy, MeterRegistry metrics) {
        this.id = requireNonNull(id, "id is null");
        this.type = requireNonNull(type, "type is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.queue = new ArrayBlockingQueue<>(policy.queueCapacity());
        var retries = RetryPolicy.<DeliveryResult>builder()
                .handleResultIf(result -> result.outcome() == Outcome.RETRYABLE)
                .withMaxAttempts(policy.maxAttempts());
        // Failsafe's back-off needs initial < max; equal values (allowed in config) mean a fixed delay
        if (policy.initialBackoff().compareTo(policy.maxBackoff()) < 0) {
            retries.withBackoff(policy.initialBackoff(), policy.maxBackoff());
        } else {
            retries.withDelay(policy.initialBackoff());
        }
        this.retryPolicy = retries
                .withJitter(0.2)
                .withDelayFn(context -> {
                    DeliveryResult last = context.getLastResult();
                    if (last == null || last.retryAfter().isEmpty()) {
                        return Duration.ofMillis(-1); // use the back-off
                    }
                    Duration asked = last.retryAfter().get();
                    return asked.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : asked;
                })
                .onRetry(event -> log.warn("sink {}: alert {} attempt {}/{} failed ({}); retrying",
                        id, currentAlertId, event.getAttemptCount(), policy.maxAttempts(),
                        event.getLastResult() == null ? describe(event.getLastException())
                                : event.getLastResult().detail()))
                .build();
        this.delivered = counter(metrics, "alertrelay.sink.delivered", "Alerts a sink accepted");
        this.rejected = counter(metrics, "alertrelay.sink.rejected", "Alerts a sink refused permanently");
        this.failed = counter(metrics, "alertrelay.sink.failed", "Alerts given up after the last retry");
        this.dropped = counter(metrics, "alertrelay.sink.dropped", "Alerts refused because the sink's queue was full");
        this.retries = counter(metrics, "alertrelay.sink.retries", "Delivery attempts after the first");
        this.latency = Timer.builder("alertrelay.sink.delivery").description("Time to deliver, retries included")
                .tags("sink", id, "type", type).register(metrics);
        Gauge.builder("alertrelay.sink.queue.depth", queue, BlockingQueue::size)
                .description("Alerts waiting for a sink").tags("sink", id, "type", type).register(metrics);
        this.thread = new Thread(this::run, "sink-" + id);
        this.thread.setDaemon(true);
    }

    private Counter counter(MeterRegistry metrics, String name, String description) {
        return Counter.builder(name).description(description).tags("sink", id, "type", type).register(metrics);
    }

    /** Told the final outcome of every alert (after retries), on the worker's thread. Must not block. */
    @FunctionalInterface
    public interface OutcomeListener {
        void onOutcome(String sinkId, Alert alert, DeliveryResult finalResult);
    }

    public void addOutcomeListener(OutcomeListener listener) {
        outcomeListeners.add(requireNonNull(listener, "listener is null"));
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public int queueDepth() {
        return queue.size();
    }

    public void start() {
        thread.start();
    }

    /** Queues an alert; returns false (and counts it as dropped) when the queue is full or the worker is closing. */
    public boolean offer(Alert alert) {
        if (accepting && queue.offer(alert)) {
            return true;
        }
        dropped.increment();
        long count = droppedSinceLog.incrementAndGet();
        if (count == 1 || count % 1000 == 0) {
            log.error("sink {}: queue full ({} alerts) or closing; alert {} dropped ({} dropped so far)",
                    id, policy.queueCapacity(), alert.id(), count);
        }
        return false;
    }

    private void run() {
        while (running) {
            Alert alert;
            try {
                alert = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (alert != null) {
                deliver(alert);
            } else if (!accepting) {
                return; // drained
            }
        }
    }

    private void deliver(Alert alert) {
        currentAlertId = alert.id();
        long start = System.nanoTime();
        DeliveryResult result;
        try {
            result = Failsafe.with(retryPolicy)
                    .onComplete(event -> retries.increment(Math.max(0, event.getAttemptCount() - 1)))
                    .get(() -> attempt(alert));
        } catch (FailsafeException e) {
            if (e.getCause() instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                log.warn("sink {}: stopped while delivering alert {}", id, alert.id());
                running = false;
                return;
            }
            result = DeliveryResult.retryable(describe(e.getCause()));
        }
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        switch (result.outcome()) {
            case DELIVERED -> {
                delivered.increment();
                log.debug("sink {}: alert {} delivered", id, alert.id());
            }
            case REJECTED -> {
                rejected.increment();
                log.error("sink {}: alert {} rejected, not retried: {}", id, alert.id(), result.detail());
            }
            case RETRYABLE -> {
                failed.increment();
                log.error("sink {}: alert {} given up after {} attempts: {}", id, alert.id(), policy.maxAttempts(),
                        result.detail());
            }
        }
        currentAlertId = "-";
        for (OutcomeListener listener : outcomeListeners) {
            try {
                listener.onOutcome(id, alert, result);
            } catch (RuntimeException e) {
                log.warn("sink {}: outcome listener failed", id, e);
            }
        }
    }

    private DeliveryResult attempt(Alert alert) {
        try {
            DeliveryResult result = sink.deliver(alert);
            return result == null ? DeliveryResult.retryable("sink returned no result") : result;
        } catch (RuntimeException e) {
            log.warn("sink {}: alert {} threw", id, alert.id(), e);
            return DeliveryResult.retryable(describe(e));
        }
    }

    private static String describe(Throwable e) {
        return e == null ? "unknown" : e.getClass().getSimpleName();
    }

    /**
     * Stops taking alerts, delivers what is queued for up to {@code drainTimeout}, then stops the thread and closes the
     * sink. Alerts still queued after that are counted as dropped and logged.
     */
    public void close(Duration drainTimeout) {
        accepting = false;
        try {
            thread.join(Math.max(1, drainTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        if (left > 0) {
            dropped.increment(left);
            log.error("sink {}: {} queued alerts not delivered at shutdown", id, left);
            queue.clear();
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("sink {}: close failed", id, e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}

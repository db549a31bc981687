package io.alertrelay.core;

import java.time.Duration;

/**
 * How the pipeline queues and retries for one sink. Read from {@code sinks.<id>.delivery.*}.
 *
 * @param queueCapacity   alerts waiting for this sink before new ones are refused (and counted as dropped)
 * @param maxAttempts     attempts per alert, the first included, before it is given up (and counted as failed)
 * @param initialBackoff  wait after the first retryable failure; doubles each time (with 20% jitter)
 * @param maxBackoff      the longest wait between attempts
 * @param maxRetryAfter   the longest Retry-After the pipeline honours; a longer one is cut to this
 */
public record DeliveryPolicy(int queueCapacity, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                             Duration maxRetryAfter) {
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(1);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);

    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
                DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRY_AFTER);
    }

    public DeliveryPolicy {
        if (queueCapacity <= 0 || maxAttempts <= 0) {
            throw new IllegalArgumentException("queueCapacity and maxAttempts must be positive");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
        }
    }
}

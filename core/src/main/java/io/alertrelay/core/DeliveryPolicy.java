package io.alertrelay.core;

import java.time.Duration;

/**
 * How the pipeline keeps and retries notifications for one sink. Read from {@code sinks.<id>.delivery.*}.
 *
 * <p>A notification is retried until it is delivered, rejected as permanent, or older than {@code maxAge}; the number
 * of attempts is not limited. While a sink fails, only its oldest notification is tried (the probe), on an exponential
 * back-off with full jitter, and the rest wait without spending attempts; the first success releases them at once.
 *
 * @param queueCapacity   notifications held in memory for this sink; more stay in the outbox on disk and are read back
 *                        in order as room frees up (a memory bound only: nothing is dropped for it)
 * @param initialBackoff  upper bound of the first wait after a failure; doubles with each consecutive failure
 * @param maxBackoff      the cap of that upper bound; each wait is uniformly random in [0, bound] (full jitter)
 * @param maxRetryAfter   the longest Retry-After honoured; a shorter one is honoured exactly, a longer one is cut
 * @param maxAge          how long a notification is retried before it becomes a dead letter ({@code expired})
 */
public record DeliveryPolicy(int queueCapacity, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
                             Duration maxAge) {
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofHours(24);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);

    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(DEFAULT_QUEUE_CAPACITY, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
                DEFAULT_MAX_RETRY_AFTER, DEFAULT_MAX_AGE);
    }

    public DeliveryPolicy {
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("queueCapacity must be positive");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
        }
        if (maxRetryAfter.isNegative() || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("need maxRetryAfter >= 0 and maxAge > 0");
        }
    }

    /**
     * The wait before the next probe after {@code failures} consecutive failures (1 = the first): uniformly random in
     * [0, min(maxBackoff, initialBackoff * 2^(failures-1))] ("full jitter": retries of many relays and sinks spread out
     * instead of arriving together). {@code random} is in [0, 1).
     */
    public Duration backoff(int failures, double random) {
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long bound = initial > (cap >> Math.min(doublings, 62)) ? cap : Math.min(cap, initial << doublings);
        return Duration.ofNanos((long) (bound * random));
    }
}

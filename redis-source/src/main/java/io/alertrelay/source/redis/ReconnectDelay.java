package io.alertrelay.source.redis;

import io.lettuce.core.resource.Delay;
import java.time.Duration;

/**
 * The pause before reconnect attempt {@code n} (1-based): none before the first, then 10 ms, 20 ms, 40 ms, ...
 * doubling up to {@code max}. Used by Lettuce's reconnect watchdog and by the source's own retries of the first
 * connection.
 */
final class ReconnectDelay extends Delay {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(10);

    private final Duration max;

    ReconnectDelay(Duration max) {
        this.max = max;
    }

    @Override
    public Duration createDelay(long attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        long shift = Math.min(attempt - 2, 40);
        long nanos = FIRST_BACKOFF.toNanos();
        for (long i = 0; i < shift && nanos < max.toNanos(); i++) {
            nanos *= 2;
        }
        return nanos >= max.toNanos() ? max : Duration.ofNanos(nanos);
    }
}

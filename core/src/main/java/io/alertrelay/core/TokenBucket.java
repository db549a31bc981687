package io.alertrelay.core;

import io.alertrelay.spi.Rate;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket on an injected clock: holds up to {@link Rate#burst()} tokens, refills {@link Rate#perSecond()} per
 * second, starts full. Not thread-safe (one per target, used on its sink's delivery thread).
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final Rate rate;
    private double tokens;
    private Instant refilledAt;

    TokenBucket(Rate rate, Instant now) {
        this.rate = rate;
        this.tokens = rate.burst();
        this.refilledAt = now;
    }

    /** Whole tokens available now. */
    int available(Instant now) {
        refill(now);
        return (int) Math.floor(tokens + 1e-9);
    }

    /** Spends one token; the caller checked {@link #available}. */
    void take(Instant now) {
        refill(now);
        tokens = Math.max(0, tokens - 1);
    }

    /** Empties the bucket (the receiver said we went too fast): the next token comes one interval from now. */
    void drain(Instant now) {
        refill(now);
        tokens = 0;
    }

    /** When the next whole token is available; {@code now} if one is. */
    Instant nextTokenAt(Instant now) {
        refill(now);
        double missing = 1 - tokens;
        if (missing <= 1e-9) {
            return now;
        }
        long nanos = (long) Math.ceil(missing / rate.perSecond() * NANOS_PER_SECOND);
        return now.plusNanos(nanos);
    }

    private void refill(Instant now) {
        if (now.isAfter(refilledAt)) {
            double elapsed = Duration.between(refilledAt, now).toNanos() / NANOS_PER_SECOND;
            tokens = Math.min(rate.burst(), tokens + elapsed * rate.perSecond());
            refilledAt = now;
        }
    }
}

package io.alertrelay.spi;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What a sink reports for one delivery attempt.
 *
 * @param outcome    delivered, retryable or rejected
 * @param detail     a short human-readable reason; must not contain secrets (tokens, webhook URLs, passwords)
 * @param retryAfter for {@link Outcome#RETRYABLE}, how long the receiver asked us to wait (HTTP Retry-After)
 */
public record DeliveryResult(Outcome outcome, String detail, Optional<Duration> retryAfter) {
    public DeliveryResult {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(retryAfter, "retryAfter is null");
    }

    public static DeliveryResult delivered() {
        return new DeliveryResult(Outcome.DELIVERED, "delivered", Optional.empty());
    }

    public static DeliveryResult retryable(String detail) {
        return new DeliveryResult(Outcome.RETRYABLE, detail, Optional.empty());
    }

    public static DeliveryResult retryable(String detail, Duration retryAfter) {
        return new DeliveryResult(Outcome.RETRYABLE, detail, Optional.of(retryAfter));
    }

    public static DeliveryResult rejected(String detail) {
        return new DeliveryResult(Outcome.REJECTED, detail, Optional.empty());
    }
}

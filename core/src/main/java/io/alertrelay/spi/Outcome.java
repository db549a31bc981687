package io.alertrelay.spi;

/** How a delivery attempt ended, as the sink classifies it. */
public enum Outcome {
    /** The receiver accepted it. */
    DELIVERED,
    /** A transient failure (timeout, 5xx, rate limit): the pipeline retries later. */
    RETRYABLE,
    /** A permanent failure (bad request, bad credentials, unknown channel): retrying cannot help. */
    REJECTED
}

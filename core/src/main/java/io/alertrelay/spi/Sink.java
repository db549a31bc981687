package io.alertrelay.spi;

/**
 * Delivers alerts to one receiver (a Slack webhook, a mailbox, a console).
 *
 * <p>Threading: the pipeline makes at most one {@link #deliver} call at a time per instance, on a thread of its own,
 * never on a source's I/O thread. A call may block up to the sink's own timeout. The sink classifies the outcome; the
 * pipeline owns retries, back-off, queues and metrics. A sink should not throw; if it does, the pipeline counts the
 * attempt as {@link Outcome#RETRYABLE}.
 */
public interface Sink extends AutoCloseable {
    DeliveryResult deliver(Alert alert);

    /** Releases resources. Idempotent; no {@link #deliver} calls are made after it. */
    @Override
    default void close() {}
}
